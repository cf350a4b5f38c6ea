//===- Execute.cpp - Bit-exact semantics of the Mote NPU instructions -----===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The functional half of the simulator: each resolved LOAD, STORE, MATMUL
// and VEC does exactly what its comment in include/mote/ISA/ISA.def says.
// Every access was bounds-checked when the program was scheduled, so these
// loops index memory directly. Integer rescaling goes through
// mote/Numerics. MATMUL is the hot loop: weights are unpacked and
// activation digits extracted once per instruction, and the inner products
// run over contiguous uint32 arrays (two's-complement wrap, which is the
// int32 accumulator semantics) that the compiler vectorises.
//
//===----------------------------------------------------------------------===//

#include "Machine.h"
#include "VecElement.h"
#include "VecKernels.h"
#include "mote/Sim/Simulator.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/Twine.h"

#include <algorithm>
#include <climits>
#include <cstring>

using namespace mote;
using namespace mote::sim;
using llvm::Error;

static inline uint32_t load32(const uint8_t *p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
static inline void store32(uint8_t *p, uint32_t v) { std::memcpy(p, &v, 4); }

//===----------------------------------------------------------------------===//
// LOAD / STORE
//===----------------------------------------------------------------------===//

static void execLoad(Machine &m, const Op &op) {
  uint8_t *tile = m.sram[op.buffer].data() + op.sramAddr;
  uint64_t eb = op.elemBytes;
  uint64_t tileW = uint64_t(op.padLeft) + op.cols + op.padRight;
  // The padding only: the transfer below writes every other byte.
  uint64_t rowBytes = tileW * eb;
  std::memset(tile, op.padValue, op.padTop * rowBytes);
  std::memset(tile + (uint64_t(op.padTop) + op.rows) * rowBytes, op.padValue,
              op.padBottom * rowBytes);
  if (op.padLeft || op.padRight)
    for (uint64_t r = 0; r < op.rows; ++r) {
      uint8_t *row = tile + (op.padTop + r) * rowBytes;
      std::memset(row, op.padValue, op.padLeft * eb);
      std::memset(row + (uint64_t(op.padLeft) + op.cols) * eb, op.padValue,
                  op.padRight * eb);
    }
  // An empty transfer touches no DRAM (the scheduler did not count it
  // towards the allocated size, which may then be zero).
  if (op.rows == 0 || op.cols == 0 || eb == 0)
    return;
  // The scheduler refused an on-chip source overlapping the tile.
  const uint8_t *dram = op.onChip ? m.sram[1].data() : m.dram.data();
  for (uint64_t r = 0; r < op.rows; ++r) {
    uint8_t *dst = tile + ((op.padTop + r) * tileW + op.padLeft) * eb;
    int64_t rowBase = int64_t(op.dramAddr) + int64_t(r) * op.rowStride;
    if (op.pixStride == int64_t(eb)) {
      std::memcpy(dst, dram + rowBase, op.cols * eb);
      continue;
    }
    for (uint64_t c = 0; c < op.cols; ++c)
      std::memcpy(dst + c * eb, dram + rowBase + int64_t(c) * op.pixStride,
                  eb);
  }
}

static void execStore(Machine &m, const Op &op) {
  const uint8_t *src = m.sram[op.buffer].data() + op.sramAddr;
  uint64_t eb = op.elemBytes;
  if (op.rows == 0 || op.cols == 0 || eb == 0)
    return; // as in execLoad: an empty transfer touches no DRAM
  uint8_t *dram = op.onChip ? m.sram[1].data() : m.dram.data();
  for (uint64_t r = 0; r < op.rows; ++r) {
    int64_t rowBase = int64_t(op.dramAddr) + int64_t(r) * op.rowStride;
    const uint8_t *row = src + r * op.cols * eb;
    if (op.pixStride == int64_t(eb)) {
      std::memmove(dram + rowBase, row, op.cols * eb);
      continue;
    }
    for (uint64_t c = 0; c < op.cols; ++c)
      std::memmove(dram + rowBase + int64_t(c) * op.pixStride, row + c * eb,
                   eb);
  }
}

//===----------------------------------------------------------------------===//
// MATMUL
//===----------------------------------------------------------------------===//

/// Unpacks `outC` rows of K d-bit weights (LSB-first, rows byte-aligned).
/// With `transpose` the result is [k][o] (depthwise), else [o][k].
static void unpackWeights(Machine &m, const Op &op, bool transpose) {
  unsigned d = m.digitBits;
  uint32_t mask = d >= 32 ? ~0u : (1u << d) - 1;
  uint64_t rowBytes = (uint64_t(op.K) * d + 7) / 8;
  const uint8_t *base = m.sram[0].data() + op.wgtAddr;
  m.weights.resize(size_t(op.outC) * op.K);
  for (uint64_t o = 0; o < op.outC; ++o) {
    const uint8_t *row = base + o * rowBytes;
    for (uint64_t k = 0; k < op.K; ++k) {
      uint64_t bit = k * d, byte = bit / 8;
      // Gather the (at most 4) bytes holding this digit, within the row.
      uint64_t window = 0;
      for (uint64_t b = 0; b < 4 && byte + b < rowBytes; ++b)
        window |= uint64_t(row[byte + b]) << (8 * b);
      uint32_t v = uint32_t(window >> (bit % 8)) & mask;
      if (op.wSigned && d < 32 && ((v >> (d - 1)) & 1))
        v |= ~mask;
      if (transpose)
        m.weights[k * op.outC + o] = v;
      else
        m.weights[o * op.K + k] = v;
    }
  }
}

static void execMatMul(Machine &m, const Op &op) {
  if (op.outH == 0 || op.outW == 0 || op.outC == 0)
    return;
  unsigned d = m.digitBits;
  // The digit each possible activation byte enters the array as.
  uint32_t digitOf[256];
  unsigned digitShift = d * op.aDigit;
  uint64_t mask = (uint64_t(1) << d) - 1;
  for (int b = 0; b < 256; ++b) {
    int64_t q = op.inSigned ? int64_t(int8_t(uint8_t(b))) : int64_t(b);
    int64_t v = q - op.inZp;
    int64_t digit = digitShift >= 64 ? (v < 0 ? -1 : 0) : (v >> digitShift);
    if (!op.aSigned)
      digit = int64_t(uint64_t(digit) & mask);
    digitOf[b] = uint32_t(uint64_t(digit));
  }

  // Activation digits of the tile region the pass reads: [iy][ix][c].
  uint32_t cn = op.depthwise ? op.outC : op.cg;
  uint64_t inRows = uint64_t(op.outH - 1) * op.strideH +
                    uint64_t(op.kh - 1) * op.dilH + 1;
  uint64_t inCols = uint64_t(op.outW - 1) * op.strideW +
                    uint64_t(op.kw - 1) * op.dilW + 1;
  m.actDigits.resize(inRows * inCols * cn);
  const uint8_t *act = m.sram[1].data() + op.actAddr;
  uint32_t *ad = m.actDigits.data();
  for (uint64_t iy = 0; iy < inRows; ++iy)
    for (uint64_t ix = 0; ix < inCols; ++ix) {
      const uint8_t *p = act + (iy * op.inW + ix) * op.inC + op.c0;
      uint32_t *q = ad + (iy * inCols + ix) * cn;
      for (uint32_t c = 0; c < cn; ++c)
        q[c] = digitOf[p[c]];
    }

  unpackWeights(m, op, /*transpose=*/op.depthwise);
  const uint32_t *w = m.weights.data();
  uint8_t *acc = m.sram[2].data() + op.accAddr;
  uint32_t K = op.K;
  auto writeBack = [&](uint8_t *p, uint32_t s) {
    uint32_t shifted = op.shift >= 32 ? 0u : (s << op.shift);
    uint32_t old = op.accumulate ? load32(p) : 0u;
    store32(p, old + shifted);
  };

  if (op.depthwise) {
    m.sums.resize(op.outC);
    uint32_t *sums = m.sums.data();
    for (uint64_t oy = 0; oy < op.outH; ++oy)
      for (uint64_t ox = 0; ox < op.outW; ++ox) {
        std::fill(sums, sums + op.outC, 0u);
        uint32_t k = 0;
        for (uint64_t ky = 0; ky < op.kh; ++ky)
          for (uint64_t kx = 0; kx < op.kw; ++kx, ++k) {
            uint64_t iy = oy * op.strideH + ky * op.dilH;
            uint64_t ix = ox * op.strideW + kx * op.dilW;
            const uint32_t *a = ad + (iy * inCols + ix) * cn;
            const uint32_t *wk = w + uint64_t(k) * op.outC;
            for (uint32_t o = 0; o < op.outC; ++o)
              sums[o] += a[o] * wk[o];
          }
        uint8_t *out = acc + (oy * op.outW + ox) * op.outC * 4;
        for (uint32_t o = 0; o < op.outC; ++o)
          writeBack(out + o * 4, sums[o]);
      }
    return;
  }

  m.patch.resize(K);
  uint32_t *patch = m.patch.data();
  for (uint64_t oy = 0; oy < op.outH; ++oy)
    for (uint64_t ox = 0; ox < op.outW; ++ox) {
      // Gather the receptive field once; it is reused by every channel.
      uint32_t *dst = patch;
      for (uint64_t ky = 0; ky < op.kh; ++ky)
        for (uint64_t kx = 0; kx < op.kw; ++kx) {
          uint64_t iy = oy * op.strideH + ky * op.dilH;
          uint64_t ix = ox * op.strideW + kx * op.dilW;
          const uint32_t *a = ad + (iy * inCols + ix) * cn;
          std::copy(a, a + cn, dst);
          dst += cn;
        }
      uint8_t *out = acc + (oy * op.outW + ox) * op.outC * 4;
      for (uint32_t o = 0; o < op.outC; ++o) {
        const uint32_t *wo = w + uint64_t(o) * K;
        uint32_t s = 0;
        for (uint32_t k = 0; k < K; ++k)
          s += patch[k] * wo[k];
        writeBack(out + o * 4, s);
      }
    }
}

//===----------------------------------------------------------------------===//
// VEC
//===----------------------------------------------------------------------===//

namespace {
/// Typed access to a VEC operand: int32 in the accumulator buffer, or
/// (u)int8 bytes in the activation buffer.
struct Operand {
  const uint8_t *base;
  bool acc, isSigned;
  int64_t get(uint64_t i) const {
    if (acc)
      return int32_t(load32(base + 4 * i));
    return isSigned ? int64_t(int8_t(base[i])) : int64_t(base[i]);
  }
};
} // namespace

static Operand operandA(Machine &m, const Op &op) {
  return {m.sram[op.aAcc ? 2 : 1].data() + op.srcA, op.aAcc, op.vaSigned};
}
static Operand operandB(Machine &m, const Op &op) {
  return {m.sram[op.bAcc ? 2 : 1].data() + op.srcB, op.bAcc, op.vbSigned};
}

static void writeResults(Machine &m, const Op &op) {
  uint64_t n = m.values.size();
  if (op.dAcc) {
    uint8_t *dst = m.sram[2].data() + op.dst;
    for (uint64_t i = 0; i < n; ++i)
      store32(dst + 4 * i,
              uint32_t(int32_t(numerics::saturate(m.values[i], INT32_MIN,
                                                  INT32_MAX))));
    return;
  }
  uint8_t *dst = m.sram[1].data() + op.dst;
  for (uint64_t i = 0; i < n; ++i)
    dst[i] = storeByte(op, m.values[i]);
}

/// Reads one requantization record (ISA.def MOTE_ISA_RECORD) at byte
/// `at` of `records` (ISA.def VEC requantize / combine), refusing a
/// multiplier or shift Numerics cannot apply.
static Error readRecord(const Op &op, const uint8_t *records, uint64_t at,
                        const llvm::Twine &what, int64_t &bias,
                        numerics::ScaleMultiplier &scale) {
  int32_t recBias, mul, shift;
  isa::readRequantRecord(records + at, recBias, mul, shift);
  if (mul < 0 || shift < numerics::kMinShift || shift > numerics::kMaxShift)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "instruction " + llvm::Twine(op.index) + ": vec " + what +
            " in the weight buffer at " + llvm::Twine(op.srcB + at) +
            " has multiplier " + llvm::Twine(mul) + " and shift " +
            llvm::Twine(shift) + " (need multiplier >= 0, shift in [1, 62])");
  bias = recBias;
  scale = {mul, shift};
  return Error::success();
}

static Error execVec(Machine &m, const Op &op) {
  uint64_t pixels = uint64_t(op.outH) * op.outW;
  uint64_t n = pixels * op.channels;
  m.values.resize(n);
  int64_t *y = m.values.data();
  Operand a = operandA(m, op);
  auto clampOut = [&](int64_t v) {
    return numerics::saturate(satAdd(v, op.zpOut), op.clampLo, op.clampHi);
  };
  switch (op.vop) {
  case isa::VecOp::Requantize: {
    const uint8_t *records = m.sram[0].data() + op.srcB;
    llvm::SmallVector<numerics::ScaleMultiplier, 64> scales(op.channels);
    llvm::SmallVector<int64_t, 64> bias(op.channels);
    for (uint32_t c = 0; c < op.channels; ++c)
      if (Error e = readRecord(op, records, isa::kRequantRecordBytes * uint64_t(c),
                               "requantize: the record of channel " +
                                   llvm::Twine(c),
                               bias[c], scales[c]))
        return e;
    if (a.acc && !op.dAcc) {
      // The common case, int32 accumulators to bytes: straight into the
      // destination, with writeResults' saturation, no int64 staging.
      RequantizeArgs args;
      args.acc = a.base;
      args.dst = m.sram[1].data() + op.dst;
      args.pixels = pixels;
      args.channels = op.channels;
      args.bias = bias.data();
      args.scales = scales.data();
      args.zpOut = op.zpOut;
      args.clampLo = op.clampLo;
      args.clampHi = op.clampHi;
      args.outSigned = op.outSigned;
      requantizeBytes(args);
      return Error::success();
    }
    if (a.acc) {
      // int32 accumulators in: no per-element dispatch.
      for (uint64_t p = 0, i = 0; p < pixels; ++p)
        for (uint32_t c = 0; c < op.channels; ++c, ++i)
          y[i] = clampOut(numerics::applyScale(
              int64_t(int32_t(load32(a.base + 4 * i))) + bias[c], scales[c]));
      break;
    }
    for (uint64_t p = 0, i = 0; p < pixels; ++p)
      for (uint32_t c = 0; c < op.channels; ++c, ++i)
        y[i] = clampOut(numerics::applyScale(a.get(i) + bias[c], scales[c]));
    break;
  }
  case isa::VecOp::Combine: {
    // Learned/residual synthesis terms: Numerics combineTerms per element.
    const uint8_t *records = m.sram[0].data() + op.srcB;
    uint32_t K = op.terms, channels = op.channels;
    std::vector<numerics::SynthesisTerm> rec(uint64_t(K) * channels);
    for (uint32_t t = 0; t < K; ++t)
      for (uint32_t c = 0; c < channels; ++c) {
        // Channel-major, so one output's K records are adjacent.
        numerics::SynthesisTerm &term = rec[uint64_t(c) * K + t];
        if (Error e = readRecord(op, records,
                                 (uint64_t(t) * channels + c) * isa::kRequantRecordBytes,
                                 "combine: the record of term " +
                                     llvm::Twine(t) + " channel " +
                                     llvm::Twine(c),
                                 term.bias, term.scale))
          return e;
      }
    uint64_t stride = op.termStride;
    int64_t partial[8];
    for (uint64_t p = 0, i = 0; p < pixels; ++p)
      for (uint32_t c = 0; c < channels; ++c, ++i) {
        for (uint32_t t = 0; t < K; ++t)
          partial[t] = int32_t(load32(a.base + t * stride + 4 * i));
        y[i] = numerics::combineTerms(partial, &rec[uint64_t(c) * K], K,
                                      op.mulOut, op.zpOut, op.clampLo,
                                      op.clampHi);
      }
    break;
  }
  case isa::VecOp::Add:
  case isa::VecOp::Sub:
  case isa::VecOp::Max:
  case isa::VecOp::Min:
  case isa::VecOp::Mul: {
    Operand b = operandB(m, op);
    for (uint64_t i = 0; i < n; ++i)
      y[i] = vecElement(op, a.get(i), b.get(i));
    break;
  }
  case isa::VecOp::MaxPool:
  case isa::VecOp::AvgPool: {
    bool isMax = op.vop == isa::VecOp::MaxPool;
    for (uint64_t oy = 0; oy < op.outH; ++oy)
      for (uint64_t ox = 0; ox < op.outW; ++ox)
        for (uint32_t c = 0; c < op.channels; ++c) {
          int64_t acc = isMax ? INT64_MIN : 0;
          for (uint64_t ky = 0; ky < op.poolKH; ++ky)
            for (uint64_t kx = 0; kx < op.poolKW; ++kx) {
              uint64_t iy = oy * op.poolSH + ky, ix = ox * op.poolSW + kx;
              int64_t v = a.get((iy * op.poolInW + ix) * op.channels + c);
              acc = isMax ? std::max(acc, v) : acc + (v - op.zpA);
            }
          uint64_t i = (oy * op.outW + ox) * op.channels + c;
          // Max pooling keeps its type (no rescale, no zero-point shift) but
          // clamps: a following ReLU/Clip is fused into the clamp registers.
          y[i] = isMax ? numerics::saturate(acc, op.clampLo, op.clampHi)
                       : clampOut(numerics::applyScale(acc, op.mulA));
        }
    break;
  }
  case isa::VecOp::Lut: {
    const uint8_t *table = m.sram[0].data() + op.srcB;
    int64_t qmin = op.vaSigned ? -128 : 0;
    for (uint64_t i = 0; i < n; ++i) {
      uint8_t t = table[a.get(i) - qmin];
      y[i] = op.outSigned ? int64_t(int8_t(t)) : int64_t(t);
    }
    break;
  }
  case isa::VecOp::Clamp:
  case isa::VecOp::Rescale:
    for (uint64_t i = 0; i < n; ++i)
      y[i] = vecElement(op, a.get(i), 0);
    break;
  }
  writeResults(m, op);
  return Error::success();
}

Error sim::execute(Machine &m, const Op &op) {
  switch (op.kind) {
  case OpKind::Load:
    execLoad(m, op);
    return Error::success();
  case OpKind::Store:
    execStore(m, op);
    return Error::success();
  case OpKind::MatMul:
    execMatMul(m, op);
    return Error::success();
  case OpKind::Vec:
    return execVec(m, op);
  case OpKind::Host:
    // Simulator::create refuses a program with host segments and no runner.
    if (Error e = m.host->run(op.segment, m.dram))
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "instruction " + llvm::Twine(op.index) +
                                         " (host segment " +
                                         llvm::Twine(op.segment) + "): " +
                                         llvm::toString(std::move(e)));
    return Error::success();
  }
  return Error::success();
}
