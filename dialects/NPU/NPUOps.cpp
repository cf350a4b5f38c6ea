//===- NPUOps.cpp - NPU dialect registration and op verifiers -------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Dialect registration, the simple per-op verifiers and the generic
// conversion between instruction ops and isa::Instruction. The
// program-level checks (SRAM bounds against the target, token balance)
// live in NPUVerify.cpp.
//
//===----------------------------------------------------------------------===//

#include "NPU/NPUOps.h"
#include "mote/ISA/Program.h"
#include "mote/Target/TargetDescription.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Format.h"

using namespace mlir;
using namespace mote;
using namespace mote::npu;

#include "NPU/NPUOpsDialect.cpp.inc"

void NPUDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "NPU/NPUOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "NPU/NPUOpsAttrs.cpp.inc"
      >();
}

#define GET_OP_CLASSES
#include "NPU/NPUOps.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "NPU/NPUOpsAttrs.cpp.inc"

TargetAttr mote::npu::getTargetAttr(MLIRContext *context,
                                    const TargetDescription &t) {
  std::string hash;
  llvm::raw_string_ostream(hash) << llvm::format_hex(t.hash(), 18);
  return TargetAttr::get(
      context, t.name, hash, t.macArray.digitBits, t.macArray.signedDigits,
      t.sram.weightBuffer.bytes, t.sram.weightBuffer.alignmentBytes,
      t.sram.activationBuffer.bytes, t.sram.activationBuffer.alignmentBytes,
      t.sram.accumulatorBuffer.bytes, t.sram.accumulatorBuffer.alignmentBytes);
}

//===----------------------------------------------------------------------===//
// Generic instruction <-> attributes
//===----------------------------------------------------------------------===//

std::optional<isa::Opcode> mote::npu::getOpcode(Operation *op) {
  if (llvm::isa<LoadOp>(op))
    return isa::Opcode::Load;
  if (llvm::isa<StoreOp>(op))
    return isa::Opcode::Store;
  if (llvm::isa<MatMulOp>(op))
    return isa::Opcode::MatMul;
  if (llvm::isa<VecOp>(op))
    return isa::Opcode::Vec;
  if (llvm::isa<ConfigOp>(op))
    return isa::Opcode::Config;
  if (llvm::isa<SyncOp>(op))
    return isa::Opcode::Sync;
  if (llvm::isa<FinishOp>(op))
    return isa::Opcode::Finish;
  if (llvm::isa<HostSegmentOp>(op))
    return isa::Opcode::Host;
  return std::nullopt;
}

/// Header fields other than `opcode`, which the op name implies.
static SmallVector<const isa::FieldInfo *, 4> tokenFields() {
  SmallVector<const isa::FieldInfo *, 4> out;
  for (const isa::FieldInfo &f : isa::fields())
    if (f.opcode == isa::Opcode::Illegal && f.name != "opcode")
      out.push_back(&f);
  return out;
}

/// Checks that `v` fits field `f`.
static bool fitsField(const isa::FieldInfo &f, int64_t v) {
  if (f.kind == isa::FieldKind::Bool)
    return v == 0 || v == 1;
  if (f.width >= 64)
    return true;
  if (f.kind == isa::FieldKind::Signed) {
    int64_t lo = -(int64_t(1) << (f.width - 1));
    int64_t hi = (int64_t(1) << (f.width - 1)) - 1;
    return v >= lo && v <= hi;
  }
  return v >= 0 && uint64_t(v) < (uint64_t(1) << f.width);
}

FailureOr<isa::Instruction> mote::npu::toInstruction(Operation *op) {
  std::optional<isa::Opcode> opcode = getOpcode(op);
  if (!opcode)
    return op->emitOpError("is not an NPU instruction");
  isa::Instruction inst = isa::make(*opcode);
  // A host segment's HOST instruction: its segment index, no tokens (it
  // follows a layer's drain).
  if (auto host = dyn_cast<HostSegmentOp>(op)) {
    int64_t seg = host.getSegment();
    if (!fitsField(isa::fieldInfo(isa::Field::Host_segment), seg))
      return op->emitOpError("segment ")
             << seg << " does not fit the HOST instruction's segment field";
    inst.set(isa::Field::Host_segment, seg);
    return inst;
  }
  auto readField = [&](const isa::FieldInfo &f, bool optional) -> LogicalResult {
    Attribute attr = op->getAttr(f.name);
    if (!attr) {
      if (optional)
        return success();
      return op->emitOpError("is missing field '") << f.name << "'";
    }
    int64_t v;
    if (f.kind == isa::FieldKind::Bool) {
      auto b = dyn_cast<BoolAttr>(attr);
      if (!b)
        return op->emitOpError("field '") << f.name << "' must be a bool";
      v = b.getValue();
    } else {
      auto i = dyn_cast<IntegerAttr>(attr);
      if (!i || !i.getType().isInteger())
        return op->emitOpError("field '") << f.name << "' must be an integer";
      v = i.getInt();
    }
    if (!fitsField(f, v))
      return op->emitOpError("field '")
             << f.name << "' = " << v << " does not fit its " << f.width
             << "-bit " << (f.kind == isa::FieldKind::Signed ? "signed" : "unsigned")
             << " encoding";
    inst.set(f.id, v);
    return success();
  };
  for (const isa::FieldInfo *f : tokenFields())
    if (failed(readField(*f, /*optional=*/true)))
      return failure();
  // Flags default to false (NPUOps.td); integer fields are required.
  for (const isa::FieldInfo *f : isa::fieldsOf(*opcode))
    if (failed(readField(*f, /*optional=*/f->kind == isa::FieldKind::Bool)))
      return failure();
  // Anything else is a typo of a field name.
  for (NamedAttribute attr : op->getAttrs()) {
    bool known = false;
    for (const isa::FieldInfo *f : tokenFields())
      known |= f->name == attr.getName().strref();
    for (const isa::FieldInfo *f : isa::fieldsOf(*opcode))
      known |= f->name == attr.getName().strref();
    if (!known)
      return op->emitOpError("has no field '") << attr.getName().strref() << "'";
  }
  // Enum fields: values the table knows.
  if (*opcode == isa::Opcode::Load || *opcode == isa::Opcode::Store) {
    int64_t buffer = inst.get(*opcode == isa::Opcode::Load
                                  ? isa::Field::Load_buffer
                                  : isa::Field::Store_buffer);
    if (buffer > 2 || (*opcode == isa::Opcode::Store && buffer == 0))
      return op->emitOpError("buffer ") << buffer << " is not valid here";
  }
  if (*opcode == isa::Opcode::Vec &&
      !isa::lookupVecOp(uint8_t(inst.get(isa::Field::Vec_op))))
    return op->emitOpError("unknown VEC op ") << inst.get(isa::Field::Vec_op);
  if (*opcode == isa::Opcode::Config || *opcode == isa::Opcode::Sync) {
    int64_t engine = inst.get(*opcode == isa::Opcode::Config
                                  ? isa::Field::Config_engine
                                  : isa::Field::Sync_engine);
    if (engine > 2)
      return op->emitOpError("engine ") << engine << " does not exist";
    if (*opcode == isa::Opcode::Config &&
        !isa::lookupRegister(isa::Engine(engine),
                             uint8_t(inst.get(isa::Field::Config_reg))))
      return op->emitOpError("engine ")
             << isa::engineName(isa::Engine(engine)) << " has no register "
             << inst.get(isa::Field::Config_reg);
  }
  // Token flags must point at an existing neighbour.
  isa::Engine engine = inst.engine();
  if (engine == isa::Engine::Load && (inst.popPrev() || inst.pushPrev()))
    return op->emitOpError("the load engine has no previous engine");
  if (engine == isa::Engine::Store && (inst.popNext() || inst.pushNext()))
    return op->emitOpError("the store engine has no next engine");
  return inst;
}

void mote::npu::setFieldAttrs(OperationState &state,
                              const isa::Instruction &inst) {
  Builder b(state.getContext());
  for (const isa::FieldInfo *f : tokenFields())
    if (inst.get(f->id))
      state.addAttribute(f->name, b.getBoolAttr(true));
  for (const isa::FieldInfo *f : isa::fieldsOf(inst.opcode)) {
    if (f->kind == isa::FieldKind::Bool) {
      if (inst.get(f->id))
        state.addAttribute(f->name, b.getBoolAttr(true));
    } else
      state.addAttribute(f->name, b.getI64IntegerAttr(inst.get(f->id)));
  }
}

Operation *mote::npu::createInstruction(OpBuilder &builder, Location loc,
                                        const isa::Instruction &inst) {
  StringRef name;
  switch (inst.opcode) {
  case isa::Opcode::Load: name = LoadOp::getOperationName(); break;
  case isa::Opcode::Store: name = StoreOp::getOperationName(); break;
  case isa::Opcode::MatMul: name = MatMulOp::getOperationName(); break;
  case isa::Opcode::Vec: name = VecOp::getOperationName(); break;
  case isa::Opcode::Config: name = ConfigOp::getOperationName(); break;
  case isa::Opcode::Sync: name = SyncOp::getOperationName(); break;
  default: name = FinishOp::getOperationName(); break;
  }
  OperationState state(loc, name);
  setFieldAttrs(state, inst);
  return builder.create(state);
}

//===----------------------------------------------------------------------===//
// Per-op verifiers
//===----------------------------------------------------------------------===//

#define NPU_INST_VERIFIER(Op)                                                  \
  LogicalResult Op::verify() { return toInstruction(*this); }
NPU_INST_VERIFIER(LoadOp)
NPU_INST_VERIFIER(StoreOp)
NPU_INST_VERIFIER(MatMulOp)
NPU_INST_VERIFIER(VecOp)
NPU_INST_VERIFIER(ConfigOp)
NPU_INST_VERIFIER(SyncOp)
NPU_INST_VERIFIER(FinishOp)
#undef NPU_INST_VERIFIER

LogicalResult HostSegmentOp::verify() {
  Block &body = getBody().front();
  if (body.getNumArguments() != getInputAddrs().size())
    return emitOpError("has ")
           << body.getNumArguments() << " block arguments but "
           << getInputAddrs().size() << " input addresses";
  auto yield = dyn_cast<HostYieldOp>(body.getTerminator());
  if (!yield)
    return emitOpError("must end with npu.host_yield");
  if (yield.getResults().size() != getOutputAddrs().size())
    return emitOpError("yields ")
           << yield.getResults().size() << " tensors but has "
           << getOutputAddrs().size() << " output addresses";
  for (int64_t a : getInputAddrs())
    if (a < 0)
      return emitOpError("input address ") << a << " is negative";
  for (int64_t a : getOutputAddrs())
    if (a < 0)
      return emitOpError("output address ") << a << " is negative";
  return failure(failed(toInstruction(*this)));
}

LogicalResult DataOp::verify() {
  if (getOffsetAttr().getInt() < 0)
    return emitOpError("offset must be non-negative");
  auto type = dyn_cast<ShapedType>(getBytes().getType());
  if (!type || type.getRank() != 1 || !type.getElementType().isInteger(8))
    return emitOpError("bytes must be a 1-D tensor of i8");
  return success();
}

LogicalResult IOOp::verify() {
  std::optional<mote::isa::IOStorage> storage =
      mote::isa::ioStorage(getDtype());
  if (!storage)
    return emitOpError("dtype must be i8, u8, i32, f32, or i2..i7 / u1..u7, got '")
           << getDtype() << "'";
  ArrayRef<int64_t> perm = getDramPerm();
  if (!perm.empty()) {
    if (perm.size() != getShape().size())
      return emitOpError("dram_perm must have one entry per dimension");
    SmallVector<bool> seen(perm.size(), false);
    for (int64_t p : perm) {
      if (p < 0 || p >= int64_t(perm.size()) || seen[p])
        return emitOpError("dram_perm is not a permutation");
      seen[p] = true;
    }
  }
  int64_t elems = 1;
  for (int64_t d : getShape())
    elems *= d;
  int64_t elemBytes = int64_t(storage->bytes);
  if (uint64_t(elems * elemBytes) != getSize())
    return emitOpError("size ") << getSize() << " does not match the shape ("
                                << elems * elemBytes << " bytes)";
  if (!(getScale().convertToDouble() > 0))
    return emitOpError("scale must be positive");
  return success();
}
