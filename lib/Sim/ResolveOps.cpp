//===- ResolveOps.cpp - Each instruction class against the registers ------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Scheduler::resolve*: decodes one LOAD, STORE, MATMUL or VEC against the
// current configuration registers into a resolved Op, checks every access,
// and counts its latency and energy events (docs/Simulator.md). MATMUL
// chains (ISA.def `chain`) are checked here as they start.
//
//===----------------------------------------------------------------------===//

#include "Scheduler.h"

#include "mote/ISA/Footprint.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <climits>
#include <cmath>

using namespace mote;
using namespace mote::sim;
using namespace mote::sim::schedule_detail;

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
  uint64_t tileBytes = isa::loadTileBytes(insts[i]);
  if (Error e = checkSram(i, op.buffer, op.sramAddr, tileBytes, "sram_addr",
                          "writes"))
    return e;
  op.onChip = field(i, Field::Load_on_chip);
  std::pair<uint64_t, uint64_t> src{0, 0};
  if (Error e = checkDram(i, int64_t(op.dramAddr), op.rows, op.cols,
                          op.elemBytes, op.rowStride, op.pixStride,
                          "LD_ROW_STRIDE, LD_PIX_STRIDE", op.onChip, &src))
    return e;
  uint64_t srcBytes = uint64_t(op.rows) * op.cols * op.elemBytes;
  ev.sramWriteBytes[op.buffer] += tileBytes;
  if (op.buffer == 2)
    accWritten(op.sramAddr, op.sramAddr + tileBytes);
  if (op.onChip) {
    if (op.buffer == 1 && srcBytes && src.first < op.sramAddr + tileBytes &&
        op.sramAddr < src.second)
      return fail(i, "copies activation_buffer bytes [" + Twine(src.first) +
                         ", " + Twine(src.second) +
                         ") onto its own destination tile [" +
                         Twine(op.sramAddr) + ", " +
                         Twine(op.sramAddr + tileBytes) + ")");
    ev.sramReadBytes[1] += srcBytes;
    latency = onChipCopyCycles(srcBytes);
    return Error::success();
  }
  ev.dramReadBytes += srcBytes;
  latency = target.dram.latencyCycles +
            uint64_t(std::ceil(double(srcBytes) /
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
  uint64_t bytes = isa::storeSourceBytes(insts[i]);
  if (Error e =
          checkSram(i, op.buffer, op.sramAddr, bytes, "sram_addr", "reads"))
    return e;
  if (op.buffer == 2)
    if (Error e = accRead(i, op.sramAddr, op.sramAddr + bytes, "stores"))
      return e;
  op.onChip = field(i, Field::Store_on_chip);
  std::pair<uint64_t, uint64_t> dst{0, 0};
  if (Error e = checkDram(i, int64_t(op.dramAddr), op.rows, op.cols,
                          op.elemBytes, op.rowStride, op.pixStride,
                          "ST_ROW_STRIDE, ST_PIX_STRIDE", op.onChip, &dst))
    return e;
  ev.sramReadBytes[op.buffer] += bytes;
  if (op.onChip) {
    if (op.buffer == 1 && bytes && dst.first < op.sramAddr + bytes &&
        op.sramAddr < dst.second)
      return fail(i, "writes activation_buffer bytes [" + Twine(dst.first) +
                         ", " + Twine(dst.second) +
                         ") over its own source [" + Twine(op.sramAddr) +
                         ", " + Twine(op.sramAddr + bytes) + ")");
    ev.sramWriteBytes[1] += bytes;
    latency = onChipCopyCycles(bytes);
    return Error::success();
  }
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
  // Drains into the next VEC requantize (ISA.def): the sums are staged at
  // acc_addr as for an undrained pass; only the events and checks differ.
  bool drain = field(i, Field::MatMul_drain);
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
  if (drain) {
    if (op.chain)
      return fail(i, "sets both chain and drain: only a chain's last MATMUL "
                     "drains its sums");
    if (insts[i].pushPrev() || insts[i].pushNext())
      return fail(i, "sets drain but pushes a token: its sums are complete "
                     "only when the VEC requantize after it has taken them");
    drainOpen = true;
    drainFrom = i;
    drainHead = op;
  }

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
  for (const isa::RegisterRange &c : isa::kMatMulRegisterRanges)
    if (Error e = checkRange(i, reg(kExec, c.reg), c.lo, c.hi, c.name))
      return e;
  auto exReg = [&](uint8_t r) { return uint32_t(reg(kExec, r)); };
  op.inW = exReg(isa::reg::MM_IN_W), op.inC = exReg(isa::reg::MM_IN_C);
  op.c0 = exReg(isa::reg::MM_IN_C0);
  op.kh = exReg(isa::reg::MM_KH), op.kw = exReg(isa::reg::MM_KW);
  op.strideH = exReg(isa::reg::MM_STRIDE_H);
  op.strideW = exReg(isa::reg::MM_STRIDE_W);
  op.dilH = exReg(isa::reg::MM_DIL_H), op.dilW = exReg(isa::reg::MM_DIL_W);
  if (!op.depthwise) {
    const isa::RegisterRange &g = isa::kMatMulGroupRange;
    if (Error e = checkRange(i, reg(kExec, g.reg), g.lo, g.hi, g.name))
      return e;
    op.cg = exReg(g.reg);
  }
  if (Error e = checkRange(i, reg(kExec, isa::reg::MM_IN_ZP), INT32_MIN,
                           INT32_MAX, "MM_IN_ZP"))
    return e;
  op.inZp = reg(kExec, isa::reg::MM_IN_ZP);
  op.inSigned = reg(kExec, isa::reg::MM_IN_SIGNED) != 0;

  isa::MatMulFootprint fp = isa::matmulFootprint(
      insts[i], regs[kExec], target.macArray.digitBits);
  uint64_t cn = fp.channels;
  if (uint64_t(op.c0) + cn > op.inC)
    return fail(i, Twine("reads input channels [") + Twine(op.c0) + ", " +
                       Twine(op.c0 + cn) + ") but a pixel has MM_IN_C = " +
                       Twine(op.inC) + " channels (field out_c" +
                       (op.depthwise ? "" : ", register MM_IN_CG") + ")");
  uint64_t inCols = fp.inCols;
  if (inCols > op.inW)
    return fail(i, "reads input column " + Twine(inCols - 1) +
                       " but the tile is MM_IN_W = " + Twine(op.inW) +
                       " pixels wide (field out_w)");
  if (Error e = checkSram(i, 1, op.actAddr, fp.actBytes, "act_addr / out_h",
                          "reads"))
    return e;
  uint64_t K = fp.K;
  if (K > (uint64_t(1) << 24))
    return fail(i, "reduction length K = " + Twine(K) + " is too large");
  op.K = uint32_t(K);
  uint64_t rowBytes = fp.rowBytes;
  if (Error e = checkSram(i, 0, op.wgtAddr, fp.wgtBytes, "wgt_addr", "reads"))
    return e;
  if (Error e = checkSram(i, 2, op.accAddr, fp.accBytes,
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
  uint64_t accEnd = op.accAddr + outputs * 4;
  if (op.accumulate && !continuing) {
    if (Error e = accRead(i, op.accAddr, accEnd, "accumulates onto"))
      return e;
    ev.sramReadBytes[2] += outputs * 4;
  }
  // A drained tile's sums go to the vector unit, not the buffer.
  if (!op.chain && !drain) {
    ev.sramWriteBytes[2] += outputs * 4;
    accWritten(op.accAddr, accEnd);
  }
  if (drain)
    undefinedAcc.push_back({op.accAddr, accEnd, i});
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
  bool aDrain = field(i, Field::Vec_a_drain);
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
  if (v == VecOp::Combine) {
    // K partial-sum tiles of int32 and a result multiplier.
    if (!op.aAcc)
      return fail(i, "field a_acc: a combine reads int32 partial sums from "
                     "the accumulator buffer");
    if (Error e = checkRange(i, reg(kExec, isa::reg::VEC_TERMS), 1, 8,
                             "VEC_TERMS"))
      return e;
    op.terms = uint32_t(reg(kExec, isa::reg::VEC_TERMS));
    if (Error e = checkMultiplier(i, isa::reg::VEC_MUL_OUT,
                                  isa::reg::VEC_SHIFT_OUT, "VEC_MUL_OUT",
                                  "VEC_SHIFT_OUT", op.mulOut))
      return e;
  }
  if (v == VecOp::Lut && op.aAcc)
    return fail(i, "field a_acc: a LUT indexes with activation bytes, not "
                   "int32 accumulators");
  if (drainOpen) {
    const Op &m = drainHead;
    if (!aDrain || v != VecOp::Requantize || !op.aAcc ||
        op.srcA != m.accAddr || op.outH != m.outH || op.outW != m.outW ||
        op.channels != m.outC)
      return fail(i, "follows " + describe(drainFrom) +
                         ", which drains its sums, but is not the VEC "
                         "requantize that takes them (op requantize, "
                         "a_acc and a_drain set, src_a = its acc_addr, the "
                         "same out_h, out_w and channels = out_c)");
    drainOpen = false;
  } else if (aDrain) {
    return fail(i, "sets a_drain but the execute instruction before it is "
                   "not a MATMUL that drains its sums (field drain)");
  }

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
  if (v == VecOp::Combine) {
    // K tiles, each starting on the accumulator buffer's alignment.
    uint64_t align = std::max<uint64_t>(1, target.sram.accumulatorBuffer.alignmentBytes);
    op.termStride = ceilDiv(n * 4, align) * align;
    aReads = n * op.terms;
    aExtent = ((unsigned __int128)op.termStride * (op.terms - 1) + n * 4) / 4;
  }
  if (Error e = checkSram(i, aBuf, op.srcA, aExtent * aElem, "src_a", "reads"))
    return e;
  if (op.aAcc && !aDrain)
    if (Error e = accRead(i, op.srcA, op.srcA + uint64_t(aExtent) * 4,
                          "reads (src_a)"))
      return e;
  if (usesB && op.bAcc)
    if (Error e = accRead(i, op.srcB, op.srcB + n * 4, "reads (src_b)"))
      return e;
  if (op.dAcc)
    accWritten(op.dst, op.dst + n * 4);
  if (usesB)
    if (Error e = checkSram(i, bBuf, op.srcB, (unsigned __int128)n * bElem,
                            "src_b", "reads"))
      return e;
  if (v == VecOp::Requantize)
    if (Error e = checkSram(i, 0, op.srcB,
                            (unsigned __int128)op.channels * isa::kRequantRecordBytes, "src_b",
                            "reads requantization records from"))
      return e;
  if (v == VecOp::Combine)
    if (Error e = checkSram(i, 0, op.srcB,
                            (unsigned __int128)op.channels * isa::kRequantRecordBytes * op.terms,
                            "src_b", "reads synthesis term records from"))
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
  if (v == VecOp::Combine) {
    // Each output: K term rescales and the final requantize (priced as
    // requantizes), K − 1 int32 adds; K partial sums and K records read.
    elements = n * (op.terms + 1);
    ev.vectorOps[unsigned(VectorOp::Add)] += n * (op.terms - 1);
    ev.sramReadBytes[0] +=
        uint64_t(op.channels) * isa::kRequantRecordBytes * op.terms;
  }
  ev.vectorOps[unsigned(kind)] += elements;
  if (!aDrain)
    ev.sramReadBytes[aBuf] += aReads * aElem;
  if (usesB)
    ev.sramReadBytes[bBuf] += n * bElem;
  if (v == VecOp::Requantize)
    ev.sramReadBytes[0] += uint64_t(op.channels) * isa::kRequantRecordBytes;
  if (v == VecOp::Lut) {
    ev.lutLookups += n;
    ev.sramReadBytes[0] += n;
  }
  ev.sramWriteBytes[dBuf] += n * dElem;
  latency = std::max<uint64_t>(
      1, ceilDiv(elements, target.vectorUnit.lanes) *
             target.vectorOpCycles(kind));
  if (v == VecOp::Combine)
    latency += ceilDiv(n * (op.terms - 1), target.vectorUnit.lanes) *
               target.vectorOpCycles(VectorOp::Add);
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
  if (drainOpen && engineOf[i] == kExec && inst.opcode != isa::Opcode::Vec)
    return fail(i, "comes between " + describe(drainFrom) +
                       " (drain set) and the VEC requantize that must take "
                       "its sums");
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
