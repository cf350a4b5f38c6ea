//===- NPUVerify.cpp - npu.program verifier -------------------------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Program-level checks that need the target (the program's #npu.target
// attribute: no file is read) and the program order: SRAM bounds and alignment of every tile an instruction touches
// (with the configuration registers in effect at that point), digit and
// signedness fields, token balance on each of the four queues, constant
// segments and I/O descriptors inside DRAM, FINISH last.
//
//===----------------------------------------------------------------------===//

#include "NPU/NPUOps.h"
#include "mote/ISA/Footprint.h"
#include "mote/Target/TargetDescription.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "llvm/Support/Format.h"


using namespace mlir;
using namespace mote;
using namespace mote::npu;
using isa::Field;

/// The part of the target description the checks read, from the
/// program's own attribute (verification reads no file).
static TargetDescription describedTarget(TargetAttr attr) {
  TargetDescription t;
  t.name = attr.getName().str();
  t.macArray.digitBits = unsigned(attr.getDigitBits());
  t.macArray.signedDigits = attr.getSignedDigits();
  t.sram.weightBuffer.bytes = attr.getWeightBytes();
  t.sram.weightBuffer.alignmentBytes = attr.getWeightAlign();
  t.sram.activationBuffer.bytes = attr.getActivationBytes();
  t.sram.activationBuffer.alignmentBytes = attr.getActivationAlign();
  t.sram.accumulatorBuffer.bytes = attr.getAccumulatorBytes();
  t.sram.accumulatorBuffer.alignmentBytes = attr.getAccumulatorAlign();
  return t;
}

namespace {
/// Walks the instructions in program order with the register files.
struct ProgramChecker {
  const TargetDescription &target;
  isa::RegisterFiles regs = isa::resetRegisters();
  /// pushes - pops per queue: L->E, E->L, E->S, S->E.
  std::array<int64_t, 4> balance{};

  explicit ProgramChecker(const TargetDescription &t) : target(t) {}

  const SramBufferDesc &buffer(int64_t id) const {
    return id == 0 ? target.sram.weightBuffer
                   : id == 1 ? target.sram.activationBuffer
                             : target.sram.accumulatorBuffer;
  }
  static StringRef bufferName(int64_t id) {
    return id == 0 ? "weight" : id == 1 ? "activation" : "accumulator";
  }

  LogicalResult checkRange(Operation *op, int64_t id, int64_t addr,
                           int64_t bytes, bool aligned, StringRef what) {
    const SramBufferDesc &b = buffer(id);
    if (aligned && addr % int64_t(b.alignmentBytes))
      return op->emitOpError() << what << " address " << addr << " in the "
                               << bufferName(id) << " buffer is not "
                               << b.alignmentBytes << "-byte aligned";
    if (addr < 0 || bytes < 0 || uint64_t(addr + bytes) > b.bytes)
      return op->emitOpError()
             << what << " [" << addr << ", " << addr + bytes << ") exceeds the "
             << bufferName(id) << " buffer (" << b.bytes << " bytes) of target '"
             << target.name << "'";
    return success();
  }

  int64_t ex(uint8_t r) const { return regs[unsigned(isa::Engine::Execute)][r]; }

  LogicalResult check(Operation *op, const isa::Instruction &in) {
    unsigned d = target.macArray.digitBits;
    switch (in.opcode) {
    case isa::Opcode::Load: {
      if (failed(checkRange(op, in.get(Field::Load_buffer),
                            in.get(Field::Load_sram_addr),
                            int64_t(isa::loadTileBytes(in)), true,
                            "load destination")))
        return failure();
      break;
    }
    case isa::Opcode::Store:
      if (failed(checkRange(op, in.get(Field::Store_buffer),
                            in.get(Field::Store_sram_addr),
                            int64_t(isa::storeSourceBytes(in)), false,
                            "store source")))
        return failure();
      break;
    case isa::Opcode::MatMul: {
      int64_t ad = in.get(Field::MatMul_a_digit), wd = in.get(Field::MatMul_w_digit);
      // Pow2 synthesis terms add an exact power-of-two shift on top.
      if (in.get(Field::MatMul_shift) < int64_t(d) * (ad + wd))
        return op->emitOpError("shift ") << in.get(Field::MatMul_shift)
               << " must be at least digit_bits * (a_digit + w_digit) = "
               << d * (ad + wd);
      if (int64_t(d) * ad >= 16 || int64_t(d) * wd >= 16)
        return op->emitOpError("digit index beyond a 16-bit operand at ")
               << d << "-bit digits";
      if ((in.get(Field::MatMul_a_signed) || in.get(Field::MatMul_w_signed)) &&
          !target.macArray.signedDigits)
        return op->emitOpError("signed digits on target '")
               << target.name << "', whose multipliers are unsigned";
      // The registers inside the ranges the simulator accepts.
      bool dw = in.get(Field::MatMul_depthwise);
      auto outside = [&](const isa::RegisterRange &r) {
        return ex(r.reg) < r.lo || ex(r.reg) > r.hi;
      };
      for (const isa::RegisterRange &r : isa::kMatMulRegisterRanges)
        if (outside(r))
          return op->emitOpError("register ")
                 << r.name << " = " << ex(r.reg) << " must be in [" << r.lo
                 << ", " << r.hi << "] before a matmul";
      if (!dw && outside(isa::kMatMulGroupRange))
        return op->emitOpError("register MM_IN_CG = ")
               << ex(isa::reg::MM_IN_CG) << " must be in [1, "
               << isa::kMatMulGroupRange.hi << "] before a dense matmul";
      // The operand extents, as the simulator checks them (Footprint.h).
      isa::MatMulFootprint fp = isa::matmulFootprint(
          in, regs[unsigned(isa::Engine::Execute)], d);
      if (failed(checkRange(op, 1, in.get(Field::MatMul_act_addr),
                            int64_t(fp.actBytes), true, "matmul input tile")) ||
          failed(checkRange(op, 0, in.get(Field::MatMul_wgt_addr),
                            int64_t(fp.wgtBytes), true, "matmul weight tile")) ||
          failed(checkRange(op, 2, in.get(Field::MatMul_acc_addr),
                            int64_t(fp.accBytes), false,
                            "matmul accumulator tile")))
        return failure();
      if (in.get(Field::MatMul_acc_addr) % 4)
        return op->emitOpError("acc_addr must be 4-byte aligned");
      break;
    }
    case isa::Opcode::Vec: {
      int64_t px = in.get(Field::Vec_out_h) * in.get(Field::Vec_out_w);
      int64_t n = px * in.get(Field::Vec_channels);
      bool dAcc = in.get(Field::Vec_d_acc);
      if (failed(checkRange(op, dAcc ? 2 : 1, in.get(Field::Vec_dst_addr),
                            n * (dAcc ? 4 : 1), false, "vec destination")))
        return failure();
      auto vop = isa::VecOp(in.get(Field::Vec_op));
      bool pool = vop == isa::VecOp::MaxPool || vop == isa::VecOp::AvgPool;
      if (!pool)
        if (failed(checkRange(op, in.get(Field::Vec_a_acc) ? 2 : 1,
                              in.get(Field::Vec_src_a),
                              n * (in.get(Field::Vec_a_acc) ? 4 : 1), false,
                              "vec source a")))
          return failure();
      if (vop == isa::VecOp::Requantize &&
          failed(checkRange(op, 0, in.get(Field::Vec_src_b),
                            in.get(Field::Vec_channels) * isa::kRequantRecordBytes, false,
                            "requantize records")))
        return failure();
      break;
    }
    case isa::Opcode::Config: {
      auto e = unsigned(in.get(Field::Config_engine));
      regs[e][uint8_t(in.get(Field::Config_reg))] = in.get(Field::Config_value);
      break;
    }
    default:
      break;
    }
    // Token queues: 0 L->E, 1 E->L, 2 E->S, 3 S->E.
    switch (in.engine()) {
    case isa::Engine::Load:
      balance[0] += in.pushNext();
      balance[1] -= in.popNext();
      break;
    case isa::Engine::Execute:
      balance[0] -= in.popPrev();
      balance[1] += in.pushPrev();
      balance[2] += in.pushNext();
      balance[3] -= in.popNext();
      break;
    default:
      balance[2] -= in.popPrev();
      balance[3] += in.pushPrev();
      break;
    }
    return success();
  }
};
} // namespace

LogicalResult ProgramOp::verifyRegions() {
  TargetAttr attr = getTarget();
  uint64_t hash = 0;
  if (attr.getHash().getAsInteger(0, hash))
    return emitOpError("target hash '") << attr.getHash() << "' is not a number";
  auto positive = [](int64_t v) { return v > 0; };
  if (attr.getDigitBits() < 1 || attr.getDigitBits() > 8 ||
      !positive(attr.getWeightBytes()) || !positive(attr.getWeightAlign()) ||
      !positive(attr.getActivationBytes()) ||
      !positive(attr.getActivationAlign()) ||
      !positive(attr.getAccumulatorBytes()) ||
      !positive(attr.getAccumulatorAlign()))
    return emitOpError("target '")
           << attr.getName()
           << "': digit_bits must be in [1, 8] and every buffer size and "
              "alignment positive";
  TargetDescription described = describedTarget(attr);
  const TargetDescription *target = &described;
  int64_t dram = getDramBytes();
  ProgramChecker checker(*target);
  SmallVector<std::pair<int64_t, int64_t>> segments;
  Operation *last = nullptr;
  WalkResult r = getBody().walk([&](Operation *op) -> WalkResult {
    if (auto data = dyn_cast<DataOp>(op)) {
      // I64Attr getters are unsigned; the fields are signed i64 values.
      int64_t size = cast<ShapedType>(data.getBytes().getType()).getNumElements();
      int64_t offset = int64_t(data.getOffset());
      if (offset < 0 || offset + size > dram)
        return data.emitOpError("segment ends beyond dram_bytes ") << dram;
      segments.push_back({offset, offset + size});
      return WalkResult::advance();
    }
    if (auto io = dyn_cast<IOOp>(op)) {
      int64_t addr = int64_t(io.getDramAddr()), bytes = int64_t(io.getSize());
      if (addr < 0 || bytes < 0 || addr + bytes > dram)
        return io.emitOpError("tensor lies outside dram_bytes ") << dram;
      return WalkResult::advance();
    }
    if (auto host = dyn_cast<HostSegmentOp>(op)) {
      Block &body = host.getBody().front();
      auto yield = cast<HostYieldOp>(body.getTerminator());
      for (bool input : {true, false}) {
        ArrayRef<int64_t> addrs =
            input ? host.getInputAddrs() : host.getOutputAddrs();
        for (auto [k, addr] : llvm::enumerate(addrs)) {
          auto type = cast<RankedTensorType>(
              input ? body.getArgument(k).getType()
                    : yield.getResults()[k].getType());
          Type elem = type.getElementType();
          unsigned bits =
              llvm::isa<quant::QuantizedType>(elem)
                  ? cast<quant::QuantizedType>(elem).getStorageTypeIntegralWidth()
              : elem.isIntOrFloat() ? elem.getIntOrFloatBitWidth()
                                    : 8;
          int64_t elemBytes = bits == 32 ? 4 : 1;
          if (addr + type.getNumElements() * elemBytes > dram)
            return host.emitOpError(input ? "input " : "output ")
                   << k << " lies beyond dram_bytes " << dram;
        }
      }
    }
    if (!getOpcode(op))
      return WalkResult::advance();
    FailureOr<isa::Instruction> inst = toInstruction(op);
    if (failed(inst) || failed(checker.check(op, *inst)))
      return WalkResult::interrupt();
    if (inst->opcode == isa::Opcode::Load || inst->opcode == isa::Opcode::Store) {
      bool load = inst->opcode == isa::Opcode::Load;
      int64_t addr = inst->get(load ? Field::Load_dram_addr : Field::Store_dram_addr);
      // An on-chip copy addresses the activation buffer, not DRAM.
      bool onChip = inst->get(load ? Field::Load_on_chip : Field::Store_on_chip);
      int64_t limit = onChip ? int64_t(checker.target.sram.activationBuffer.bytes)
                             : dram;
      if (addr >= limit)
        return op->emitOpError(onChip ? "on-chip source/destination address "
                                      : "DRAM address ")
               << addr << " lies beyond "
               << (onChip ? "the activation buffer's " : "dram_bytes ") << limit;
    }
    if (last && llvm::isa<FinishOp>(last))
      return op->emitOpError("follows npu.finish");
    last = op;
    return WalkResult::advance();
  });
  if (r.wasInterrupted())
    return failure();
  llvm::sort(segments);
  for (size_t i = 1; i < segments.size(); ++i)
    if (segments[i].first < segments[i - 1].second)
      return emitOpError("constant segments overlap at DRAM offset ")
             << segments[i].first;
  static const char *queues[] = {"load->execute", "execute->load",
                                 "execute->store", "store->execute"};
  for (unsigned q = 0; q < 4; ++q)
    if (checker.balance[q] != 0)
      return emitOpError("token queue ")
             << queues[q] << " is unbalanced: " << std::abs(checker.balance[q])
             << (checker.balance[q] > 0 ? " more pushes than pops"
                                        : " more pops than pushes");
  if (last && !llvm::isa<FinishOp>(last))
    return emitOpError("must end with npu.finish");
  return success();
}
