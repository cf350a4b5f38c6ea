//===- Schedule.cpp - Validation, timing and events of a program ----------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Runs a program's control through the timing model of docs/Simulator.md
// without touching data: instructions are dispatched in program order into
// per-engine queues, each engine starts its next instruction when it is
// dispatched, the engine is free and the tokens it pops exist, and pushes
// its tokens when it completes. Configuration registers are tracked per
// engine in that engine's order, every access is resolved and checked, and
// the instructions are recorded in the order they start: an order that
// respects every token, so executing it reproduces the hardware's data flow.
// Nothing here depends on input data, so it runs once per program.
//
//===----------------------------------------------------------------------===//

#include "SimulatorImpl.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <climits>
#include <cmath>

using namespace mote;
using namespace mote::sim;
using isa::Engine;
using isa::Field;
using llvm::Error;
using llvm::Twine;

namespace {

constexpr unsigned kLoad = 0, kExec = 1, kStore = 2;
/// Token queues: load->execute, execute->load, execute->store,
/// store->execute.
enum Queue : unsigned { LoadToExec, ExecToLoad, ExecToStore, StoreToExec };
constexpr unsigned kNumQueues = 4;
const char *const kQueueNames[kNumQueues] = {
    "load->execute", "execute->load", "execute->store", "store->execute"};
const char *const kEngineNames[3] = {"load", "execute", "store"};

/// The queue an engine pops from / pushes to in a direction; -1 if the
/// engine has no neighbour there.
int popQueue(unsigned engine, bool prev) {
  if (engine == kExec)
    return prev ? int(LoadToExec) : int(StoreToExec);
  if (engine == kLoad)
    return prev ? -1 : int(ExecToLoad);
  return prev ? int(ExecToStore) : -1;
}
int pushQueue(unsigned engine, bool prev) {
  if (engine == kExec)
    return prev ? int(ExecToLoad) : int(ExecToStore);
  if (engine == kLoad)
    return prev ? -1 : int(LoadToExec);
  return prev ? int(StoreToExec) : -1;
}

uint64_t ceilDiv(uint64_t a, uint64_t b) { return b ? (a + b - 1) / b : 0; }

VectorOp targetVectorOp(isa::VecOp op) {
  switch (op) {
  case isa::VecOp::Requantize:
  case isa::VecOp::Rescale:
  case isa::VecOp::Mul: // a multiply and a requantize: priced as the latter
    return VectorOp::Requantize;
  case isa::VecOp::Add:
  case isa::VecOp::Sub:
    return VectorOp::Add;
  case isa::VecOp::Max:
  case isa::VecOp::Min:
    return VectorOp::MinMax;
  case isa::VecOp::MaxPool:
  case isa::VecOp::AvgPool:
    return VectorOp::Pool;
  case isa::VecOp::Lut:
    return VectorOp::Lut;
  case isa::VecOp::Clamp:
    return VectorOp::Clamp;
  }
  return VectorOp::Clamp;
}

struct TokenQueue {
  std::vector<uint64_t> pushTime, popTime;
  std::vector<uint32_t> pushedBy;
};

class Scheduler {
public:
  explicit Scheduler(SimulatorImpl &impl)
      : impl(impl), program(impl.program), target(impl.target) {}
  Error run();

private:
  Error fail(uint64_t i, const Twine &message) const;
  std::string describe(uint64_t i) const;
  Error checkSram(uint64_t i, unsigned buffer, uint64_t addr,
                  unsigned __int128 bytes, llvm::StringRef field,
                  llvm::StringRef what, bool checkAlign = true) const;
  /// Checks a DMA's DRAM footprint against the program's DRAM size and
  /// raises impl.dramTouched to cover it.
  Error checkDram(uint64_t i, int64_t addr, uint64_t rows, uint64_t cols,
                  uint64_t elemBytes, int64_t rowStride, int64_t pixStride,
                  llvm::StringRef strideRegs);
  Error checkRange(uint64_t i, int64_t value, int64_t lo, int64_t hi,
                   llvm::StringRef reg) const;
  Error checkMultiplier(uint64_t i, uint8_t mulReg, uint8_t shiftReg,
                        llvm::StringRef mulName, llvm::StringRef shiftName,
                        numerics::ScaleMultiplier &out) const;
  /// Resolves instruction i against the current registers: fills `op`
  /// (returns whether it moves data), its latency and events.
  Error resolve(uint64_t i, Op &op, bool &hasOp, uint64_t &latency,
                Events &events);
  Error resolveLoad(uint64_t i, Op &op, uint64_t &latency, Events &ev);
  Error resolveStore(uint64_t i, Op &op, uint64_t &latency, Events &ev);
  Error resolveMatMul(uint64_t i, Op &op, uint64_t &latency, Events &ev);
  Error resolveVec(uint64_t i, Op &op, uint64_t &latency, Events &ev);
  Error deadlock(uint64_t dispatched) const;
  /// Runs instructions [begin, end) through the timeline from reset
  /// registers, empty queues and idle engines, appending to `ops`.
  Error runPhase(uint64_t begin, uint64_t end, std::vector<Op> &ops);
  Error checkTokenDepth(unsigned q, uint64_t k) const;
  void buildStats();

  int64_t reg(unsigned engine, uint8_t r) const { return regs[engine][r]; }
  int64_t field(uint64_t i, Field f) const { return insts[i].get(f); }

  SimulatorImpl &impl;
  const isa::Program &program;
  const TargetDescription &target;
  std::vector<isa::Instruction> insts;
  std::vector<unsigned> engineOf;
  std::vector<int> layerOf;
  std::vector<uint64_t> startOf, endOf, dispatchOf;
  std::vector<Events> eventsOf;
  std::array<std::array<int64_t, isa::kNumRegisters>, 3> regs{};
  std::array<TokenQueue, kNumQueues> queues;
  std::array<std::vector<uint64_t>, 3> engineList;
  std::array<uint64_t, 3> next{};
  /// The open MATMUL chain (ISA.def): its first instruction and the last
  /// one, which set `chain`; the next execute instruction must continue it.
  bool chainOpen = false;
  uint64_t chainFirst = 0, chainLast = 0;
  Op chainHead;
};

} // namespace

std::string Scheduler::describe(uint64_t i) const {
  std::string s = "instruction " + std::to_string(i);
  if (i < insts.size()) {
    if (const isa::OpcodeInfo *info = isa::lookupOpcode(insts[i].opcode))
      s += " (" + info->mnemonic.str();
    else
      s += " (?";
    if (i < layerOf.size() && layerOf[i] >= 0)
      s += ", layer '" + program.layers[layerOf[i]].name + "'";
    s += ")";
  }
  return s;
}

Error Scheduler::fail(uint64_t i, const Twine &message) const {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 impl.what + ": " + describe(i) + ": " +
                                     message);
}

Error Scheduler::checkSram(uint64_t i, unsigned buffer, uint64_t addr,
                           unsigned __int128 bytes, llvm::StringRef field,
                           llvm::StringRef what, bool checkAlign) const {
  const SramBufferDesc &desc = target.buffer(SramBuffer(buffer));
  llvm::StringRef name = sramBufferName(SramBuffer(buffer));
  if (checkAlign && desc.alignmentBytes > 1 && addr % desc.alignmentBytes)
    return fail(i, "field " + field + " = " + Twine(addr) +
                       " is not aligned to the " + name + "'s " +
                       Twine(desc.alignmentBytes) + " bytes");
  if (bytes == 0)
    return Error::success();
  unsigned __int128 end = (unsigned __int128)addr + bytes;
  if (end > desc.bytes) {
    std::string endText = bytes > (unsigned __int128)UINT64_MAX
                              ? std::string("beyond 2^64")
                              : std::to_string(uint64_t(end));
    return fail(i, what + " bytes [" + Twine(addr) + ", " + endText +
                       ") of the " + name + ", which has " +
                       Twine(desc.bytes) + " bytes (field " + field + ")");
  }
  return Error::success();
}

Error Scheduler::checkDram(uint64_t i, int64_t addr, uint64_t rows,
                           uint64_t cols, uint64_t elemBytes,
                           int64_t rowStride, int64_t pixStride,
                           llvm::StringRef strideRegs) {
  if (rows == 0 || cols == 0 || elemBytes == 0)
    return Error::success();
  __int128 rowSpan = (__int128)(rows - 1) * rowStride;
  __int128 colSpan = (__int128)(cols - 1) * pixStride;
  __int128 lo = (__int128)addr + std::min<__int128>(0, rowSpan) +
                std::min<__int128>(0, colSpan);
  __int128 hi = (__int128)addr + std::max<__int128>(0, rowSpan) +
                std::max<__int128>(0, colSpan) + elemBytes;
  if (lo < 0 || hi > (__int128)program.dramBytes) {
    auto text = [](__int128 v) {
      if (v > (__int128)INT64_MAX || v < (__int128)INT64_MIN)
        return std::string(v < 0 ? "-huge" : "huge");
      return std::to_string(int64_t(v));
    };
    return fail(i, "accesses DRAM bytes [" + text(lo) + ", " + text(hi) +
                       ") outside the program's " +
                       Twine(program.dramBytes) +
                       " DRAM bytes (field dram_addr, rows, cols, elem_bytes "
                       "and registers " +
                       strideRegs + ")");
  }
  impl.dramTouched = std::max(impl.dramTouched, uint64_t(hi));
  return Error::success();
}

Error Scheduler::checkRange(uint64_t i, int64_t value, int64_t lo, int64_t hi,
                            llvm::StringRef regName) const {
  if (value < lo || value > hi)
    return fail(i, "register " + regName + " = " + Twine(value) +
                       " is outside [" + Twine(lo) + ", " + Twine(hi) + "]");
  return Error::success();
}

Error Scheduler::checkMultiplier(uint64_t i, uint8_t mulReg, uint8_t shiftReg,
                                 llvm::StringRef mulName,
                                 llvm::StringRef shiftName,
                                 numerics::ScaleMultiplier &out) const {
  if (Error e = checkRange(i, reg(kExec, mulReg), 0, INT32_MAX, mulName))
    return e;
  if (Error e = checkRange(i, reg(kExec, shiftReg), numerics::kMinShift,
                           numerics::kMaxShift, shiftName))
    return e;
  out = {int32_t(reg(kExec, mulReg)), int32_t(reg(kExec, shiftReg))};
  return Error::success();
}

//===----------------------------------------------------------------------===//
// Resolution of each instruction class
//===----------------------------------------------------------------------===//

Error Scheduler::resolveLoad(uint64_t i, Op &op, uint64_t &latency,
                             Events &ev) {
  op.kind = OpKind::Load;
  int64_t buffer = field(i, Field::Load_buffer);
  if (buffer < 0 || buffer > 2)
    return fail(i, "field buffer = " + Twine(buffer) + " names no SRAM buffer");
  op.buffer = unsigned(buffer);
  op.sramAddr = field(i, Field::Load_sram_addr);
  op.dramAddr = field(i, Field::Load_dram_addr);
  op.rows = field(i, Field::Load_rows);
  op.cols = field(i, Field::Load_cols);
  op.elemBytes = field(i, Field::Load_elem_bytes);
  op.padTop = field(i, Field::Load_pad_top);
  op.padBottom = field(i, Field::Load_pad_bottom);
  op.padLeft = field(i, Field::Load_pad_left);
  op.padRight = field(i, Field::Load_pad_right);
  op.rowStride = reg(kLoad, isa::reg::LD_ROW_STRIDE);
  op.pixStride = reg(kLoad, isa::reg::LD_PIX_STRIDE);
  int64_t pad = reg(kLoad, isa::reg::LD_PAD_VALUE);
  if (Error e = checkRange(i, pad, -128, 255, "LD_PAD_VALUE"))
    return e;
  op.padValue = uint8_t(pad);
  uint64_t tileBytes = (uint64_t(op.padTop) + op.rows + op.padBottom) *
                       (uint64_t(op.padLeft) + op.cols + op.padRight) *
                       op.elemBytes;
  if (Error e = checkSram(i, op.buffer, op.sramAddr, tileBytes, "sram_addr",
                          "writes"))
    return e;
  if (Error e = checkDram(i, int64_t(op.dramAddr), op.rows, op.cols,
                          op.elemBytes, op.rowStride, op.pixStride,
                          "LD_ROW_STRIDE, LD_PIX_STRIDE"))
    return e;
  uint64_t dramBytes = uint64_t(op.rows) * op.cols * op.elemBytes;
  ev.dramReadBytes += dramBytes;
  ev.sramWriteBytes[op.buffer] += tileBytes;
  latency = target.dram.latencyCycles +
            uint64_t(std::ceil(double(dramBytes) /
                               target.dram.bandwidthBytesPerCycle));
  return Error::success();
}

Error Scheduler::resolveStore(uint64_t i, Op &op, uint64_t &latency,
                              Events &ev) {
  op.kind = OpKind::Store;
  int64_t buffer = field(i, Field::Store_buffer);
  if (buffer != 1 && buffer != 2)
    return fail(i, "field buffer = " + Twine(buffer) +
                       ": a STORE reads the activation (1) or accumulator "
                       "(2) buffer");
  op.buffer = unsigned(buffer);
  op.sramAddr = field(i, Field::Store_sram_addr);
  op.dramAddr = field(i, Field::Store_dram_addr);
  op.rows = field(i, Field::Store_rows);
  op.cols = field(i, Field::Store_cols);
  op.elemBytes = field(i, Field::Store_elem_bytes);
  op.rowStride = reg(kStore, isa::reg::ST_ROW_STRIDE);
  op.pixStride = reg(kStore, isa::reg::ST_PIX_STRIDE);
  uint64_t bytes = uint64_t(op.rows) * op.cols * op.elemBytes;
  if (Error e =
          checkSram(i, op.buffer, op.sramAddr, bytes, "sram_addr", "reads"))
    return e;
  if (Error e = checkDram(i, int64_t(op.dramAddr), op.rows, op.cols,
                          op.elemBytes, op.rowStride, op.pixStride,
                          "ST_ROW_STRIDE, ST_PIX_STRIDE"))
    return e;
  ev.sramReadBytes[op.buffer] += bytes;
  ev.dramWriteBytes += bytes;
  latency = target.dram.latencyCycles +
            uint64_t(std::ceil(double(bytes) /
                               target.dram.bandwidthBytesPerCycle));
  return Error::success();
}

Error Scheduler::resolveMatMul(uint64_t i, Op &op, uint64_t &latency,
                               Events &ev) {
  op.kind = OpKind::MatMul;
  op.actAddr = field(i, Field::MatMul_act_addr);
  op.wgtAddr = field(i, Field::MatMul_wgt_addr);
  op.accAddr = field(i, Field::MatMul_acc_addr);
  op.outH = field(i, Field::MatMul_out_h);
  op.outW = field(i, Field::MatMul_out_w);
  op.outC = field(i, Field::MatMul_out_c);
  op.aDigit = field(i, Field::MatMul_a_digit);
  op.aSigned = field(i, Field::MatMul_a_signed);
  op.wSigned = field(i, Field::MatMul_w_signed);
  op.shift = field(i, Field::MatMul_shift);
  op.accumulate = field(i, Field::MatMul_accumulate);
  op.depthwise = field(i, Field::MatMul_depthwise);
  op.chain = field(i, Field::MatMul_chain);
  // A continuing member of a chain runs interleaved with the passes before
  // it, on the same tile: same addresses and geometry (the registers cannot
  // have changed: no other execute instruction came between), accumulating,
  // and waiting for no token.
  bool continuing = chainOpen;
  if (continuing) {
    const Op &h = chainHead;
    if (op.actAddr != h.actAddr || op.accAddr != h.accAddr ||
        op.outH != h.outH || op.outW != h.outW || op.outC != h.outC ||
        op.depthwise != h.depthwise)
      return fail(i, "continues the MATMUL chain of " + describe(chainFirst) +
                         " but differs from it in act_addr, acc_addr, out_h, "
                         "out_w, out_c or depthwise (a chain runs one tile)");
    if (!op.accumulate)
      return fail(i, "continues the MATMUL chain of " + describe(chainFirst) +
                         " without accumulate (it would discard the sums "
                         "the array holds)");
    if (insts[i].popPrev() || insts[i].popNext())
      return fail(i, "continues the MATMUL chain of " + describe(chainFirst) +
                         " but waits for a token (a chain runs without a "
                         "break)");
  } else {
    chainFirst = i;
    chainHead = op;
  }
  if (op.chain && (insts[i].pushPrev() || insts[i].pushNext()))
    return fail(i, "sets chain but pushes a token: its sums are not in the "
                   "accumulator buffer until the chain's last MATMUL");
  chainOpen = op.chain;
  chainLast = i;

  struct RegCheck {
    uint8_t r;
    const char *name;
    int64_t lo, hi;
    uint32_t *dst;
  } checks[] = {
      {isa::reg::MM_IN_W, "MM_IN_W", 1, 1 << 20, &op.inW},
      {isa::reg::MM_IN_C, "MM_IN_C", 1, 1 << 20, &op.inC},
      {isa::reg::MM_IN_C0, "MM_IN_C0", 0, 1 << 20, &op.c0},
      {isa::reg::MM_KH, "MM_KH", 1, 4096, &op.kh},
      {isa::reg::MM_KW, "MM_KW", 1, 4096, &op.kw},
      {isa::reg::MM_STRIDE_H, "MM_STRIDE_H", 1, 4096, &op.strideH},
      {isa::reg::MM_STRIDE_W, "MM_STRIDE_W", 1, 4096, &op.strideW},
      {isa::reg::MM_DIL_H, "MM_DIL_H", 1, 4096, &op.dilH},
      {isa::reg::MM_DIL_W, "MM_DIL_W", 1, 4096, &op.dilW},
  };
  // Alignment is checked even for an empty pass.
  if (Error e = checkSram(i, 1, op.actAddr, 0, "act_addr", "reads"))
    return e;
  if (Error e = checkSram(i, 0, op.wgtAddr, 0, "wgt_addr", "reads"))
    return e;
  if (op.accAddr % 4)
    return fail(i, "field acc_addr = " + Twine(op.accAddr) +
                       " is not 4-byte aligned");
  if (Error e = checkSram(i, 2, op.accAddr, 0, "acc_addr", "writes"))
    return e;
  uint64_t outputs = uint64_t(op.outH) * op.outW * op.outC;
  if (outputs == 0) {
    latency = 1;
    return Error::success();
  }
  for (const RegCheck &c : checks) {
    if (Error e = checkRange(i, reg(kExec, c.r), c.lo, c.hi, c.name))
      return e;
    *c.dst = uint32_t(reg(kExec, c.r));
  }
  if (!op.depthwise) {
    if (Error e = checkRange(i, reg(kExec, isa::reg::MM_IN_CG), 1, 1 << 20,
                             "MM_IN_CG"))
      return e;
    op.cg = uint32_t(reg(kExec, isa::reg::MM_IN_CG));
  }
  if (Error e = checkRange(i, reg(kExec, isa::reg::MM_IN_ZP), INT32_MIN,
                           INT32_MAX, "MM_IN_ZP"))
    return e;
  op.inZp = reg(kExec, isa::reg::MM_IN_ZP);
  op.inSigned = reg(kExec, isa::reg::MM_IN_SIGNED) != 0;

  uint64_t cn = op.depthwise ? op.outC : op.cg;
  if (uint64_t(op.c0) + cn > op.inC)
    return fail(i, Twine("reads input channels [") + Twine(op.c0) + ", " +
                       Twine(op.c0 + cn) + ") but a pixel has MM_IN_C = " +
                       Twine(op.inC) + " channels (field out_c" +
                       (op.depthwise ? "" : ", register MM_IN_CG") + ")");
  uint64_t inRows = uint64_t(op.outH - 1) * op.strideH +
                    uint64_t(op.kh - 1) * op.dilH + 1;
  uint64_t inCols = uint64_t(op.outW - 1) * op.strideW +
                    uint64_t(op.kw - 1) * op.dilW + 1;
  if (inCols > op.inW)
    return fail(i, "reads input column " + Twine(inCols - 1) +
                       " but the tile is MM_IN_W = " + Twine(op.inW) +
                       " pixels wide (field out_w)");
  unsigned __int128 actBytes =
      ((unsigned __int128)(inRows - 1) * op.inW + (inCols - 1)) * op.inC +
      op.c0 + cn;
  if (Error e = checkSram(i, 1, op.actAddr, actBytes, "act_addr / out_h",
                          "reads"))
    return e;
  uint64_t K = uint64_t(op.kh) * op.kw * (op.depthwise ? 1 : op.cg);
  if (K > (uint64_t(1) << 24))
    return fail(i, "reduction length K = " + Twine(K) + " is too large");
  op.K = uint32_t(K);
  unsigned d = target.macArray.digitBits;
  uint64_t rowBytes = ceilDiv(K * d, 8);
  if (Error e = checkSram(i, 0, op.wgtAddr,
                          (unsigned __int128)op.outC * rowBytes, "wgt_addr",
                          "reads"))
    return e;
  if (Error e = checkSram(i, 2, op.accAddr, (unsigned __int128)outputs * 4,
                          "acc_addr", op.accumulate ? "reads and writes"
                                                    : "writes"))
    return e;

  unsigned rows = target.macArray.rows, cols = target.macArray.cols;
  ev.digitMacs += outputs * K;
  ev.digitMacsBySign[op.aSigned][op.wSigned] += outputs * K;
  ev.accumulatorUpdates += outputs;
  uint64_t pixels = uint64_t(op.outH) * op.outW;
  // A chain reads each activation byte once (its first pass), and touches
  // the accumulator buffer only at its ends.
  if (!continuing)
    ev.sramReadBytes[1] +=
        pixels * K * (op.depthwise ? op.outC : ceilDiv(op.outC, cols));
  ev.sramReadBytes[0] += op.outC * rowBytes;
  if (op.accumulate && !continuing)
    ev.sramReadBytes[2] += outputs * 4;
  if (!op.chain)
    ev.sramWriteBytes[2] += outputs * 4;
  latency = pixels * ceilDiv(op.outC, cols) * ceilDiv(K, rows) + rows + cols;
  return Error::success();
}

Error Scheduler::resolveVec(uint64_t i, Op &op, uint64_t &latency,
                            Events &ev) {
  using isa::VecOp;
  op.kind = OpKind::Vec;
  int64_t opValue = field(i, Field::Vec_op);
  if (!isa::lookupVecOp(uint8_t(opValue)) || opValue < 0 || opValue > 15)
    return fail(i, "field op = " + Twine(opValue) + " is not a VEC op");
  op.vop = VecOp(opValue);
  op.srcA = field(i, Field::Vec_src_a);
  op.srcB = field(i, Field::Vec_src_b);
  op.dst = field(i, Field::Vec_dst_addr);
  op.outH = field(i, Field::Vec_out_h);
  op.outW = field(i, Field::Vec_out_w);
  op.channels = field(i, Field::Vec_channels);
  op.aAcc = field(i, Field::Vec_a_acc);
  op.bAcc = field(i, Field::Vec_b_acc);
  op.dAcc = field(i, Field::Vec_d_acc);
  op.vaSigned = reg(kExec, isa::reg::VEC_A_SIGNED) != 0;
  op.vbSigned = reg(kExec, isa::reg::VEC_B_SIGNED) != 0;
  op.outSigned = reg(kExec, isa::reg::VEC_OUT_SIGNED) != 0;

  VecOp v = op.vop;
  // Rescaled like an add: both operands then the result have a multiplier.
  bool addLike = v == VecOp::Add || v == VecOp::Sub || v == VecOp::Max ||
                 v == VecOp::Min;
  bool usesB = addLike || v == VecOp::Mul;
  bool isPool = v == VecOp::MaxPool || v == VecOp::AvgPool;
  bool clamps = v != VecOp::MaxPool && v != VecOp::Lut;
  bool usesA = addLike || v == VecOp::AvgPool || v == VecOp::Rescale;

  struct ZpCheck {
    uint8_t r;
    const char *name;
    int64_t *dst;
  } zps[] = {{isa::reg::VEC_ZP_A, "VEC_ZP_A", &op.zpA},
             {isa::reg::VEC_ZP_B, "VEC_ZP_B", &op.zpB},
             {isa::reg::VEC_ZP_OUT, "VEC_ZP_OUT", &op.zpOut}};
  for (const ZpCheck &z : zps) {
    if (Error e =
            checkRange(i, reg(kExec, z.r), INT32_MIN, INT32_MAX, z.name))
      return e;
    *z.dst = reg(kExec, z.r);
  }
  if (usesA)
    if (Error e = checkMultiplier(i, isa::reg::VEC_MUL_A,
                                  isa::reg::VEC_SHIFT_A, "VEC_MUL_A",
                                  "VEC_SHIFT_A", op.mulA))
      return e;
  if (addLike)
    if (Error e = checkMultiplier(i, isa::reg::VEC_MUL_B,
                                  isa::reg::VEC_SHIFT_B, "VEC_MUL_B",
                                  "VEC_SHIFT_B", op.mulB))
      return e;
  if (usesB) {
    if (Error e = checkMultiplier(i, isa::reg::VEC_MUL_OUT,
                                  isa::reg::VEC_SHIFT_OUT, "VEC_MUL_OUT",
                                  "VEC_SHIFT_OUT", op.mulOut))
      return e;
  }
  op.clampLo = reg(kExec, isa::reg::VEC_CLAMP_LO);
  op.clampHi = reg(kExec, isa::reg::VEC_CLAMP_HI);
  if (clamps && op.clampLo > op.clampHi)
    return fail(i, "register VEC_CLAMP_LO = " + Twine(op.clampLo) +
                       " exceeds VEC_CLAMP_HI = " + Twine(op.clampHi));
  if (v == VecOp::Lut && op.aAcc)
    return fail(i, "field a_acc: a LUT indexes with activation bytes, not "
                   "int32 accumulators");

  uint64_t n = uint64_t(op.outH) * op.outW * op.channels;
  uint64_t aElem = op.aAcc ? 4 : 1, bElem = op.bAcc ? 4 : 1,
           dElem = op.dAcc ? 4 : 1;
  unsigned aBuf = op.aAcc ? 2 : 1, bBuf = op.bAcc ? 2 : 1,
           dBuf = op.dAcc ? 2 : 1;
  uint64_t aReads = n, window = 1;
  unsigned __int128 aExtent = n;
  if (isPool) {
    struct RegCheck {
      uint8_t r;
      const char *name;
      uint32_t *dst;
    } checks[] = {{isa::reg::VEC_IN_W, "VEC_IN_W", &op.poolInW},
                  {isa::reg::VEC_POOL_KH, "VEC_POOL_KH", &op.poolKH},
                  {isa::reg::VEC_POOL_KW, "VEC_POOL_KW", &op.poolKW},
                  {isa::reg::VEC_POOL_SH, "VEC_POOL_SH", &op.poolSH},
                  {isa::reg::VEC_POOL_SW, "VEC_POOL_SW", &op.poolSW}};
    for (const auto &c : checks) {
      if (Error e = checkRange(i, reg(kExec, c.r), 1, 1 << 20, c.name))
        return e;
      *c.dst = uint32_t(reg(kExec, c.r));
    }
    window = uint64_t(op.poolKH) * op.poolKW;
    aReads = n * window;
    if (n) {
      uint64_t inCols = uint64_t(op.outW - 1) * op.poolSW + op.poolKW;
      uint64_t inRows = uint64_t(op.outH - 1) * op.poolSH + op.poolKH;
      if (inCols > op.poolInW)
        return fail(i, "pooling reads input column " + Twine(inCols - 1) +
                           " but the tile is VEC_IN_W = " +
                           Twine(op.poolInW) + " pixels wide (field out_w)");
      aExtent = ((unsigned __int128)(inRows - 1) * op.poolInW + inCols) *
                op.channels;
    }
  }
  if (Error e = checkSram(i, aBuf, op.srcA, aExtent * aElem, "src_a", "reads"))
    return e;
  if (usesB)
    if (Error e = checkSram(i, bBuf, op.srcB, (unsigned __int128)n * bElem,
                            "src_b", "reads"))
      return e;
  if (v == VecOp::Requantize)
    if (Error e = checkSram(i, 0, op.srcB,
                            (unsigned __int128)op.channels * 12, "src_b",
                            "reads requantization records from"))
      return e;
  if (v == VecOp::Lut)
    if (Error e = checkSram(i, 0, op.srcB, 256, "src_b",
                            "reads the lookup table from"))
      return e;
  if (Error e = checkSram(i, dBuf, op.dst, (unsigned __int128)n * dElem,
                          "dst_addr", "writes"))
    return e;

  VectorOp kind = targetVectorOp(v);
  uint64_t elements = isPool ? aReads : n;
  ev.vectorOps[unsigned(kind)] += elements;
  ev.sramReadBytes[aBuf] += aReads * aElem;
  if (usesB)
    ev.sramReadBytes[bBuf] += n * bElem;
  if (v == VecOp::Requantize)
    ev.sramReadBytes[0] += uint64_t(op.channels) * 12;
  if (v == VecOp::Lut) {
    ev.lutLookups += n;
    ev.sramReadBytes[0] += n;
  }
  ev.sramWriteBytes[dBuf] += n * dElem;
  latency = std::max<uint64_t>(
      1, ceilDiv(elements, target.vectorUnit.lanes) *
             target.vectorOpCycles(kind));
  return Error::success();
}

Error Scheduler::resolve(uint64_t i, Op &op, bool &hasOp, uint64_t &latency,
                         Events &ev) {
  const isa::Instruction &inst = insts[i];
  op.index = uint32_t(i);
  hasOp = false;
  latency = 1;
  if (chainOpen && engineOf[i] == kExec && inst.opcode != isa::Opcode::MatMul)
    return fail(i, "comes between the MATMUL chain's " + describe(chainLast) +
                       " (chain set) and the MATMUL that must continue it");
  switch (inst.opcode) {
  case isa::Opcode::Load:
    hasOp = true;
    return resolveLoad(i, op, latency, ev);
  case isa::Opcode::Store:
    hasOp = true;
    return resolveStore(i, op, latency, ev);
  case isa::Opcode::MatMul:
    hasOp = true;
    return resolveMatMul(i, op, latency, ev);
  case isa::Opcode::Vec:
    hasOp = true;
    return resolveVec(i, op, latency, ev);
  case isa::Opcode::Config: {
    int64_t engine = inst.get(Field::Config_engine);
    int64_t r = inst.get(Field::Config_reg);
    if (engine < 0 || engine > 2 || r < 0 || r >= int64_t(isa::kNumRegisters) ||
        !isa::lookupRegister(Engine(engine), uint8_t(r)))
      return fail(i, "field reg = " + Twine(r) + " names no register of the " +
                         (engine >= 0 && engine <= 2 ? kEngineNames[engine]
                                                     : "?") +
                         " engine");
    regs[engine][r] = inst.get(Field::Config_value);
    return Error::success();
  }
  case isa::Opcode::Host: {
    uint64_t seg = uint64_t(inst.get(Field::Host_segment));
    if (seg >= program.hostSegments.size())
      return fail(i, "field segment = " + Twine(seg) + " names no host "
                     "segment (the program has " +
                     Twine(program.hostSegments.size()) + ")");
    hasOp = true;
    op.kind = OpKind::Host;
    op.segment = uint32_t(seg);
    return Error::success();
  }
  case isa::Opcode::Sync:
  case isa::Opcode::Finish:
    return Error::success();
  case isa::Opcode::Illegal:
    break;
  }
  return fail(i, "illegal opcode");
}

//===----------------------------------------------------------------------===//
// Timeline
//===----------------------------------------------------------------------===//

Error Scheduler::checkTokenDepth(unsigned q, uint64_t k) const {
  // Pushing token k finds more than `depth` tokens pending unless token
  // k - depth was popped no later than token k's push. Checked once both
  // times are known; tokens never popped are checked at the end.
  uint64_t depth = target.queues.token;
  const TokenQueue &tq = queues[q];
  if (k < depth || k >= tq.pushTime.size() || k - depth >= tq.popTime.size())
    return Error::success();
  uint64_t old = k - depth;
  if (tq.popTime[old] <= tq.pushTime[k])
    return Error::success();
  return fail(tq.pushedBy[k],
              "token queue " + Twine(kQueueNames[q]) + " overflows its depth " +
                  Twine(depth) + " (queues.token): the push at cycle " +
                  Twine(tq.pushTime[k]) + " finds " + Twine(depth) +
                  " tokens pending, the oldest pushed by " +
                  describe(tq.pushedBy[old]) + " and popped only at cycle " +
                  Twine(tq.popTime[old]));
}

Error Scheduler::deadlock(uint64_t dispatched) const {
  uint64_t now = 0;
  for (uint64_t i = 0; i < insts.size(); ++i)
    if (endOf[i] != UINT64_MAX)
      now = std::max(now, endOf[i]);
  std::string msg;
  llvm::raw_string_ostream os(msg);
  uint64_t left = 0;
  for (unsigned e = 0; e < 3; ++e)
    left += engineList[e].size() - next[e];
  os << impl.what << ": deadlock at cycle " << now << " with " << left
     << " instruction(s) left:";
  for (unsigned e = 0; e < 3; ++e) {
    os << "\n  " << kEngineNames[e] << " engine: ";
    if (next[e] >= engineList[e].size()) {
      os << "finished";
      continue;
    }
    uint64_t i = engineList[e][next[e]];
    os << describe(i);
    if (i >= dispatched) {
      unsigned de = engineOf[dispatched];
      unsigned depth = de == kLoad      ? target.queues.load
                       : de == kExec    ? target.queues.execute
                                        : target.queues.store;
      os << " is not dispatched: the dispatcher waits at "
         << describe(dispatched) << " for room in the "
         << kEngineNames[de] << " instruction queue (depth " << depth << ")";
      continue;
    }
    const isa::Instruction &inst = insts[i];
    bool first = true;
    for (bool prev : {true, false}) {
      if (!(prev ? inst.popPrev() : inst.popNext()))
        continue;
      int q = popQueue(e, prev);
      if (q < 0 || queues[q].popTime.size() < queues[q].pushTime.size())
        continue;
      os << (first ? " waits for a token on " : " and on ")
         << kQueueNames[q] << " (" << (prev ? "pop_prev" : "pop_next")
         << "; " << queues[q].pushTime.size() << " pushed, "
         << queues[q].popTime.size() << " popped)";
      first = false;
    }
  }
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

Error Scheduler::run() {
  uint64_t n = program.instructions.size();
  if (n == 0)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   impl.what + ": the program is empty");
  // Layers first, so that messages name them.
  layerOf.assign(n, -1);
  for (size_t l = 0; l < program.layers.size(); ++l) {
    const isa::LayerInfo &layer = program.layers[l];
    if (layer.firstInstruction > n ||
        layer.numInstructions > n - layer.firstInstruction)
      return llvm::createStringError(
          llvm::inconvertibleErrorCode(),
          impl.what + ": layer '" + layer.name + "' covers instructions [" +
              Twine(layer.firstInstruction) + ", " +
              Twine(layer.firstInstruction + layer.numInstructions) +
              ") beyond the program's " + Twine(n));
    for (uint64_t i = 0; i < layer.numInstructions; ++i)
      layerOf[layer.firstInstruction + i] = int(l);
  }
  insts.resize(n);
  engineOf.resize(n);
  for (uint64_t i = 0; i < n; ++i) {
    auto inst = isa::decode(program.instructions[i]);
    if (!inst)
      return fail(i, llvm::toString(inst.takeError()));
    insts[i] = *inst;
    Engine engine = inst->engine();
    if (unsigned(engine) > 2)
      return fail(i, "field engine names no engine");
    unsigned e = unsigned(engine);
    engineOf[i] = e;
    if ((inst->popPrev() && popQueue(e, true) < 0) ||
        (inst->popNext() && popQueue(e, false) < 0) ||
        (inst->pushPrev() && pushQueue(e, true) < 0) ||
        (inst->pushNext() && pushQueue(e, false) < 0))
      return fail(i, Twine("a token flag names a neighbour the ") +
                         kEngineNames[e] + " engine does not have");
    bool finish = inst->opcode == isa::Opcode::Finish;
    if (finish != (i + 1 == n))
      return fail(i, finish ? "FINISH before the end of the program"
                            : "the program does not end with FINISH");
  }
  if (target.queues.load == 0 || target.queues.execute == 0 ||
      target.queues.store == 0 || target.queues.token == 0 ||
      !(target.dram.bandwidthBytesPerCycle > 0) ||
      target.vectorUnit.lanes == 0 || target.macArray.digitBits == 0 ||
      target.macArray.digitBits > 16)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        impl.what + ": target '" + target.name +
            "' has a zero queue depth, DRAM bandwidth, vector width or "
            "digit width");

  // The program-load preamble runs once before the first inference; each
  // inference then runs the rest from reset registers (docs/Simulator.md).
  uint64_t pre = program.preambleInstructions;
  if (pre >= n)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        impl.what + ": the program-load preamble covers " + Twine(pre) +
            " of the program's " + Twine(n) + " instructions (FINISH ends the "
            "per-inference part)");
  startOf.assign(n, UINT64_MAX);
  endOf.assign(n, UINT64_MAX);
  dispatchOf.assign(n, 0);
  eventsOf.assign(n, Events());
  impl.ops.reserve(n - pre);
  if (pre)
    if (Error e = runPhase(0, pre, impl.preambleOps))
      return e;
  if (Error e = runPhase(pre, n, impl.ops))
    return e;
  buildStats();
  return Error::success();
}

Error Scheduler::runPhase(uint64_t begin, uint64_t end, std::vector<Op> &ops) {
  // Reset values: 0, except strides, dilations and pooling strides (1).
  for (auto &engineRegs : regs)
    engineRegs.fill(0);
  for (const isa::RegisterInfo &r : isa::registers()) {
    llvm::StringRef name = r.name;
    if (name.contains("STRIDE") || name.contains("_DIL_") ||
        name == "VEC_POOL_SH" || name == "VEC_POOL_SW")
      regs[unsigned(r.engine)][r.index] = 1;
  }

  for (unsigned e = 0; e < 3; ++e) {
    engineList[e].clear();
    next[e] = 0;
  }
  for (uint64_t i = begin; i < end; ++i)
    engineList[engineOf[i]].push_back(i);
  for (TokenQueue &q : queues)
    q = TokenQueue();
  chainOpen = false;
  std::vector<uint64_t> posInEngine(end);
  for (unsigned e = 0; e < 3; ++e)
    for (uint64_t p = 0; p < engineList[e].size(); ++p)
      posInEngine[engineList[e][p]] = p;
  const unsigned depthOf[3] = {target.queues.load, target.queues.execute,
                               target.queues.store};
  std::array<uint64_t, 3> freeAt{};
  uint64_t dispatched = begin, lastDispatch = 0;
  uint64_t n = end;

  for (uint64_t done = begin; done < n; ++done) {
    // Dispatch in program order while the target queue has room; an
    // instruction leaves its queue when it starts.
    while (dispatched < n) {
      unsigned e = engineOf[dispatched];
      uint64_t p = posInEngine[dispatched];
      uint64_t t = dispatched > begin ? lastDispatch + 1 : 0;
      if (p >= depthOf[e]) {
        uint64_t j = engineList[e][p - depthOf[e]];
        if (startOf[j] == UINT64_MAX)
          break;
        t = std::max(t, startOf[j]);
      }
      dispatchOf[dispatched] = lastDispatch = t;
      ++dispatched;
    }
    // The engine whose next instruction can start earliest goes next.
    int best = -1;
    uint64_t bestStart = 0;
    for (unsigned e = 0; e < 3; ++e) {
      if (next[e] >= engineList[e].size())
        continue;
      uint64_t i = engineList[e][next[e]];
      if (i >= dispatched)
        continue;
      uint64_t t = std::max(freeAt[e], dispatchOf[i]);
      bool ready = true;
      for (bool prev : {true, false}) {
        if (!(prev ? insts[i].popPrev() : insts[i].popNext()))
          continue;
        const TokenQueue &q = queues[popQueue(e, prev)];
        if (q.popTime.size() >= q.pushTime.size()) {
          ready = false;
          break;
        }
        t = std::max(t, q.pushTime[q.popTime.size()]);
      }
      if (!ready)
        continue;
      if (best < 0 || t < bestStart ||
          (t == bestStart && i < engineList[best][next[best]])) {
        best = int(e);
        bestStart = t;
      }
    }
    if (best < 0)
      return deadlock(dispatched);
    unsigned e = unsigned(best);
    uint64_t i = engineList[e][next[e]++];
    Op op;
    bool hasOp = false;
    uint64_t latency = 1;
    if (Error err = resolve(i, op, hasOp, latency, eventsOf[i]))
      return err;
    eventsOf[i].instructions = 1;
    startOf[i] = bestStart;
    endOf[i] = bestStart + latency;
    freeAt[e] = endOf[i];
    for (bool prev : {true, false}) {
      if (!(prev ? insts[i].popPrev() : insts[i].popNext()))
        continue;
      unsigned q = unsigned(popQueue(e, prev));
      queues[q].popTime.push_back(bestStart);
      // The push `depth` tokens later may now be checkable.
      if (Error err = checkTokenDepth(
              q, queues[q].popTime.size() - 1 + target.queues.token))
        return err;
    }
    for (bool prev : {true, false}) {
      if (!(prev ? insts[i].pushPrev() : insts[i].pushNext()))
        continue;
      unsigned q = unsigned(pushQueue(e, prev));
      queues[q].pushTime.push_back(endOf[i]);
      queues[q].pushedBy.push_back(uint32_t(i));
      if (Error err = checkTokenDepth(q, queues[q].pushTime.size() - 1))
        return err;
    }
    if (hasOp)
      ops.push_back(op);
  }
  if (chainOpen)
    return fail(chainLast, "sets chain but no MATMUL continues it");
  // Pushes whose `depth`-earlier token was never popped overflowed.
  for (unsigned q = 0; q < kNumQueues; ++q) {
    const TokenQueue &tq = queues[q];
    uint64_t depth = target.queues.token;
    if (tq.pushTime.size() > tq.popTime.size() + depth) {
      uint64_t k = tq.popTime.size() + depth;
      return fail(tq.pushedBy[k],
                  "token queue " + Twine(kQueueNames[q]) +
                      " overflows its depth " + Twine(depth) +
                      " (queues.token): " + Twine(depth) +
                      " tokens are pending and never popped, the oldest "
                      "pushed by " +
                      describe(tq.pushedBy[tq.popTime.size()]));
    }
  }
  return Error::success();
}

//===----------------------------------------------------------------------===//
// Stats
//===----------------------------------------------------------------------===//

void Scheduler::buildStats() {
  Stats &s = impl.stats;
  s.targetName = target.name;
  s.targetHash = target.hash();
  s.clockMHz = target.clockMHz;
  s.macRows = target.macArray.rows;
  s.macCols = target.macArray.cols;
  s.digitBits = target.macArray.digitBits;
  uint64_t n = insts.size();
  // Host segments, in the order their HOST instructions appear.
  for (uint64_t i = 0; i < n; ++i) {
    if (insts[i].opcode != isa::Opcode::Host)
      continue;
    const isa::HostSegment &seg =
        program.hostSegments[size_t(insts[i].get(Field::Host_segment))];
    HostSegmentStats hs;
    hs.index = unsigned(insts[i].get(Field::Host_segment));
    hs.instruction = i;
    hs.cycle = startOf[i];
    for (uint64_t j = i; j-- > 0;)
      if (layerOf[j] >= 0) {
        hs.afterLayer = layerOf[j];
        break;
      }
    hs.ops = seg.ops;
    for (const isa::HostOp &op : seg.ops)
      hs.macs += op.macs;
    for (const isa::HostTensorDesc &t : seg.inputs)
      hs.readBytes += t.bytes;
    for (const isa::HostTensorDesc &t : seg.outputs)
      hs.writeBytes += t.bytes;
    s.host.macs += hs.macs;
    s.host.boundaryBytes += hs.readBytes + hs.writeBytes;
    s.host.boundaryPJ += double(hs.readBytes) * target.dramEnergyPerBytePJ() +
                         double(hs.writeBytes) *
                             target.dramEnergyPerBytePJ(/*write=*/true);
    s.host.segments.push_back(std::move(hs));
  }

  // The preamble (program load, once) and one inference (the rest).
  uint64_t pre = program.preambleInstructions;
  auto sum = [&](SegmentStats &seg, llvm::StringRef name, uint64_t begin,
                 uint64_t end) {
    seg.name = name.str();
    seg.firstInstruction = begin;
    seg.numInstructions = end - begin;
    seg.startCycle = UINT64_MAX;
    for (uint64_t i = begin; i < end; ++i) {
      seg.events.add(eventsOf[i]);
      seg.startCycle = std::min(seg.startCycle, startOf[i]);
      seg.endCycle = std::max(seg.endCycle, endOf[i]);
      seg.busyCycles[engineOf[i]] += endOf[i] - startOf[i];
    }
    if (seg.startCycle == UINT64_MAX)
      seg.startCycle = 0;
    seg.cycles = seg.endCycle;
    seg.energy = computeEnergy(seg.events, seg.cycles, target);
  };
  s.hasProgramLoad = pre > 0;
  if (pre)
    sum(s.programLoad, "program_load", 0, pre);
  SegmentStats &total = s.total;
  sum(total, "total", pre, n);
  for (const isa::LayerInfo &info : program.layers) {
    total.macs += info.macs;
    total.rooflineCycles += info.rooflineCycles;
  }
  total.energy = computeEnergy(total.events, total.cycles, target);

  uint64_t frontier = 0;
  for (size_t l = 0; l < program.layers.size(); ++l) {
    const isa::LayerInfo &info = program.layers[l];
    SegmentStats seg;
    seg.name = info.name;
    seg.kind = info.kind;
    seg.firstInstruction = info.firstInstruction;
    seg.numInstructions = info.numInstructions;
    seg.macs = info.macs;
    seg.rooflineCycles = info.rooflineCycles;
    seg.startCycle = info.numInstructions ? UINT64_MAX : 0;
    for (uint64_t i = info.firstInstruction;
         i < info.firstInstruction + info.numInstructions; ++i) {
      if (layerOf[i] != int(l))
        continue;
      seg.events.add(eventsOf[i]);
      seg.startCycle = std::min(seg.startCycle, startOf[i]);
      seg.endCycle = std::max(seg.endCycle, endOf[i]);
      seg.busyCycles[engineOf[i]] += endOf[i] - startOf[i];
    }
    if (seg.startCycle == UINT64_MAX)
      seg.startCycle = 0;
    seg.cycles = seg.endCycle > frontier ? seg.endCycle - frontier : 0;
    frontier = std::max(frontier, seg.endCycle);
    seg.energy = computeEnergy(seg.events, seg.cycles, target);
    s.layers.push_back(std::move(seg));
  }

  // Trace slices: runs of one layer on one engine.
  for (unsigned e = 0; e < 3; ++e) {
    size_t open = SIZE_MAX;
    for (uint64_t i : engineList[e]) { // the last phase: one inference
      if (open != SIZE_MAX && s.slices[open].layer == layerOf[i]) {
        s.slices[open].lastInstruction = i;
        s.slices[open].endCycle = endOf[i];
        ++s.slices[open].count;
        continue;
      }
      TraceSlice slice;
      slice.engine = Engine(e);
      slice.layer = layerOf[i];
      slice.firstInstruction = slice.lastInstruction = i;
      slice.count = 1;
      slice.startCycle = startOf[i];
      slice.endCycle = endOf[i];
      open = s.slices.size();
      s.slices.push_back(slice);
    }
  }
}

Error sim::schedule(SimulatorImpl &impl) { return Scheduler(impl).run(); }
