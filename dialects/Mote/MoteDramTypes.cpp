//===- MoteDramTypes.cpp - How a tensor type lies in the NPU's DRAM -------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The one mapping from a `mote` tensor type to the DRAM dtype names of
// mote/ISA/Program.h, used by the NPU lowering for host segments and I/O
// and by the simulator's host runner to check what it parses. Kept apart
// from MoteTypeUtils.cpp because the ISA's `mote::isa` namespace would
// shadow the unqualified `isa<>` casts there.
//
//===----------------------------------------------------------------------===//

#include "Mote/MoteTypeUtils.h"
#include "mote/ISA/Program.h"

#include "mlir/IR/BuiltinTypes.h"

std::string mote::dramDtypeName(mlir::Type type) {
  auto shaped = llvm::dyn_cast<mlir::RankedTensorType>(type);
  if (!shaped)
    return "";
  if (shaped.getElementType().isF32())
    return "f32";
  std::optional<QuantParams> q = getQuantParams(type);
  if (!q || q->isPerAxis() || (q->storageBits > 8 && q->storageBits != 32))
    return "";
  return isa::ioDtypeName(q->storageBits, q->isSigned);
}
