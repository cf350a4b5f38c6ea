//===- MoteDialect.cpp - Mote dialect registration -------------------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//

#include "Mote/MoteDialect.h"
#include "Mote/MoteInterfaces.h"
#include "Mote/MoteOps.h"

using namespace mlir;
using namespace mote;

#include "Mote/MoteOpsDialect.cpp.inc"

void MoteDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "Mote/MoteOps.cpp.inc"
      >();
  registerQuantizableOpModels(*getContext());
}

/// Folders produce ElementsAttr values; they become `mote.constant`.
Operation *MoteDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                            Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || !isa<RankedTensorType>(type))
    return nullptr;
  return ConstantOp::create(builder, loc, type, elements);
}
