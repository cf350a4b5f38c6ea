//===- FastMatMul.cpp - MATMUL digit passes at full width -----------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The chip multiplies one activation digit by one weight digit per pass;
// the compiler emits, for each tile, one MATMUL per (activation digit,
// weight digit plane) pair, shifted and accumulated into the same int32
// tile. The host does not need to repeat that: if passes p read the same
// activation window and add into the same accumulators, the first one
// setting or adding and the others adding, and nothing between them
// changes what they read or touches their accumulators (only DMA transfers
// for other tiles may execute in between; buildPlan checks their byte
// ranges), their combined effect is
//
//   acc ← base + Σ_p 2^(s_p) · Σ_k a_p[k]·w_p[k]        (mod 2^32)
//
// with base = acc or 0 from the first pass. Arithmetic modulo 2^32 is a
// ring, so when the shifts factor as s(j, i) = sA(j) + sW(i) + f over a full
// grid of activation digits j × weight planes i (each pair exactly once),
// this equals
//
//   base + 2^f · Σ_k (Σ_j 2^sA(j)·a_j[k]) · (Σ_i 2^sW(i)·w_i[k])  (mod 2^32)
//
// for any values of the digits: one pass over full-width operands, bit for
// bit what the passes compute one at a time. The operands fit int16 in
// practice (an 8-bit value minus its zero point, 8-bit weights) and go
// through the SIMD kernel (MatMulKernels.h); otherwise they are reduced
// modulo 2^32 and use 32-bit multiplications, which is exact too. A MATMUL
// that is not part of such a grid is a step of its own (a 1 × 1 grid).
//
// Only the data path changes: every MATMUL is still scheduled, timed and
// counted by Schedule.cpp exactly as the chip executes it. The steps are
// formed by buildPlan (BuildPlan.cpp); this file executes them.
//
//===----------------------------------------------------------------------===//

#include "MatMulKernels.h"
#include "Plan.h"

#include "mote/ISA/Program.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/xxhash.h"

#include <algorithm>
#include <climits>
#include <cstring>
#include <optional>

using namespace mote;
using namespace mote::sim;

/// Converts `len` activation bytes to the int16 values of step `s`
/// (actFits16): byte − zero point, wrapped, or by table; the first two are
/// loops the compiler vectorises.
static void convertActs(const Step &s, const Op &op, const uint8_t *p,
                        int16_t *q, uint64_t len) {
  int32_t zp = int32_t(op.inZp);
  if (s.actAffine) {
    if (op.inSigned)
      for (uint64_t c = 0; c < len; ++c)
        q[c] = int16_t(int16_t(int8_t(p[c])) - int16_t(zp));
    else
      for (uint64_t c = 0; c < len; ++c)
        q[c] = int16_t(int16_t(p[c]) - int16_t(zp));
    return;
  }
  if (s.actWrapBits) {
    unsigned bits = s.actWrapBits;
    bool sgn = s.actWrapSigned;
    if (op.inSigned)
      for (uint64_t c = 0; c < len; ++c)
        q[c] = wrapToBits(int32_t(int8_t(p[c])) - zp, bits, sgn);
    else
      for (uint64_t c = 0; c < len; ++c)
        q[c] = wrapToBits(int32_t(p[c]) - zp, bits, sgn);
    return;
  }
  const int16_t *table = s.act16.data();
  for (uint64_t c = 0; c < len; ++c)
    q[c] = table[p[c]];
}

//===----------------------------------------------------------------------===//
// Execution
//===----------------------------------------------------------------------===//

/// sums[o] += a[o]·w[o] modulo 2^32: the depthwise inner loop. Cloned for
/// AVX2 / AVX-512 (vpmulld) and chosen at load time; the baseline x86-64
/// build has no 32-bit vector multiply.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
static void mulAdd32(uint32_t *sums, const uint32_t *a, const uint32_t *w,
                     uint64_t n) {
  for (uint64_t o = 0; o < n; ++o)
    sums[o] += a[o] * w[o];
}

/// The int32 accumulators at `out` become (accumulate ? their value : 0) +
/// (s[o] << f) for o < n, modulo 2^32 (`s` is overwritten): how a step's
/// sums enter the accumulator tile.
static void addShifted(uint8_t *out, uint32_t *s, uint64_t n, unsigned f,
                       bool accumulate) {
  if (accumulate) {
    for (uint64_t o = 0; o < n; ++o) {
      uint32_t old;
      std::memcpy(&old, out + o * 4, 4);
      s[o] = old + (s[o] << f);
    }
  } else {
    for (uint64_t o = 0; o < n; ++o)
      s[o] <<= f;
  }
  std::memcpy(out, s, n * 4);
}

/// Depthwise int16 operands are laid out with their channels padded to a
/// multiple of this (zero weights), so that the inner loop is whole vectors.
constexpr uint64_t kDepthwiseLanes = 16;

static uint64_t depthwiseStride(uint64_t channels) {
  return (channels + kDepthwiseLanes - 1) / kDepthwiseLanes * kDepthwiseLanes;
}

/// sums[x·n + o] += a[x·aStep + o] · w[o] modulo 2^32 for x < count,
/// o < n (a multiple of kDepthwiseLanes): one kernel tap along a row of
/// depthwise outputs. Both operands fit int16, so every product is an exact
/// int32; the sums wrap.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
static void tapRow16(uint32_t *__restrict sums, const int16_t *__restrict a,
                     uint64_t aStep, const int16_t *__restrict w,
                     uint64_t count, uint64_t n) {
  for (uint64_t x = 0; x < count; ++x)
    for (uint64_t o = 0; o < n; ++o)
      sums[x * n + o] += uint32_t(int32_t(a[x * aStep + o]) * int32_t(w[o]));
}

/// A depthwise step with int16 operands. `w` holds the weights [k][o] with
/// depthwiseStride(outC) per k; the window's activations [iy][ix][c] are
/// converted with the same stride into m.act16; each output row is summed
/// in m.sums and added (shifted by f) into the accumulators.
static void depthwise16(Machine &m, const Op &op, const Step &step,
                        const int16_t *w, const uint8_t *act, uint64_t inRows,
                        uint64_t inCols, uint8_t *acc, unsigned f) {
  uint64_t outC = op.outC, outW = op.outW, n = depthwiseStride(outC);
  m.act16.resize(inRows * inCols * n);
  int16_t *ad = m.act16.data();
  for (uint64_t iy = 0; iy < inRows; ++iy)
    for (uint64_t ix = 0; ix < inCols; ++ix) {
      const uint8_t *p = act + (iy * op.inW + ix) * op.inC + op.c0;
      int16_t *q = ad + (iy * inCols + ix) * n;
      convertActs(step, op, p, q, outC);
      std::fill(q + outC, q + n, int16_t(0));
    }
  m.sums.resize(outW * n);
  uint32_t *sums = m.sums.data();
  for (uint64_t oy = 0; oy < op.outH; ++oy) {
    std::fill(sums, sums + outW * n, 0u);
    uint64_t k = 0;
    for (uint64_t ky = 0; ky < op.kh; ++ky) {
      uint64_t iy = oy * op.strideH + ky * op.dilH;
      for (uint64_t kx = 0; kx < op.kw; ++kx, ++k)
        tapRow16(sums, ad + (iy * inCols + kx * op.dilW) * n,
                 uint64_t(op.strideW) * n, w + k * n, outW, n);
    }
    for (uint64_t ox = 0; ox < outW; ++ox) {
      addShifted(acc + (oy * outW + ox) * outC * 4, sums + ox * n, outC, f,
                 op.accumulate);
    }
  }
}

/// The value of weight digit k of a packed row, as the chip reads it
/// (d-bit field, LSB first, sign-extended when signed), exact for d <= 32.
static int64_t weightDigit(const uint8_t *row, uint64_t rowBytes, uint64_t k,
                           unsigned d, bool wSigned) {
  uint32_t mask = d >= 32 ? ~0u : (1u << d) - 1;
  uint64_t bit = k * d, byte = bit / 8;
  uint32_t v;
  if (8 % d == 0) {
    v = (uint32_t(row[byte]) >> (bit % 8)) & mask; // never straddles bytes
  } else {
    // Gather the (at most 4) bytes holding this digit, within the row.
    uint64_t window = 0;
    for (uint64_t b = 0; b < 4 && byte + b < rowBytes; ++b)
      window |= uint64_t(row[byte + b]) << (8 * b);
    v = uint32_t(window >> (bit % 8)) & mask;
  }
  if (wSigned && d < 32 && ((v >> (d - 1)) & 1))
    return int64_t(v) - (int64_t(1) << d);
  if (wSigned && d == 32)
    return int64_t(int32_t(v));
  return int64_t(v);
}

/// Fills `e` (signature and raw bytes already set) from its planes.
static void buildWeights(Machine &m, const Op &op, const Step &step,
                         MatMulCache::Entry &e) {
  unsigned d = m.digitBits;
  uint64_t outC = op.outC, K = op.K;
  uint64_t rowBytes = (K * d + 7) / 8, planeBytes = rowBytes * outC;
  // Each weight's full value Σ_i digit_i·2^shift_i, exactly in 128 bits;
  // kept as its low 64 bits (the 32-bit path needs it modulo 2^32 only),
  // in the machine's scratch so that no large buffer is allocated (and
  // page-faulted) per tile.
  std::vector<int64_t> &full = m.weightValues;
  full.resize(outC * K);
  bool fits = true;
  // With whole digits per byte and every |digit·2^shift| < 2^48, int64
  // sums are exact: digits are unpacked a byte at a time.
  bool narrow = 8 % d == 0 && step.planes.size() < 64 &&
                llvm::all_of(step.planes, [&](const WeightPlane &pl) {
                  return pl.shift + d <= 48;
                });
  if (narrow) {
    unsigned perByte = 8 / d;
    int64_t mask = (int64_t(1) << d) - 1, signBit = int64_t(1) << (d - 1);
    std::fill(full.begin(), full.end(), 0);
    for (size_t i = 0; i < step.planes.size(); ++i) {
      const WeightPlane &pl = step.planes[i];
      int64_t flip = pl.wSigned ? signBit : 0;
      for (uint64_t o = 0; o < outC; ++o) {
        const uint8_t *row = e.raw.data() + i * planeBytes + o * rowBytes;
        int64_t *acc = full.data() + o * K;
        for (uint64_t k = 0; k < K; ++k) {
          int64_t v = (row[k / perByte] >> ((k % perByte) * d)) & mask;
          acc[k] += ((v ^ flip) - flip) * (int64_t(1) << pl.shift);
        }
      }
    }
    for (int64_t v : full)
      fits &= v >= INT16_MIN && v <= INT16_MAX;
  } else {
    for (uint64_t o = 0; o < outC; ++o)
      for (uint64_t k = 0; k < K; ++k) {
        __int128 v = 0;
        for (size_t i = 0; i < step.planes.size(); ++i) {
          const WeightPlane &pl = step.planes[i];
          const uint8_t *row = e.raw.data() + i * planeBytes + o * rowBytes;
          v += __int128(weightDigit(row, rowBytes, k, d, pl.wSigned)) *
               (__int128(1) << pl.shift);
        }
        fits &= fitsInt16(v);
        full[o * K + k] = int64_t(uint64_t(v));
      }
  }
  e.packed.clear();
  e.depthwise16.clear();
  e.wide.clear();
  if (fits && op.depthwise) {
    uint64_t n = depthwiseStride(outC);
    e.depthwise16.assign(n * K, 0);
    for (uint64_t o = 0; o < outC; ++o)
      for (uint64_t k = 0; k < K; ++k)
        e.depthwise16[k * n + o] = int16_t(full[o * K + k]);
    return;
  }
  if (fits) {
    uint64_t kPairs = (K + 1) / 2;
    uint64_t oPad = (outC + kKernelLanes - 1) / kKernelLanes * kKernelLanes;
    e.packed.assign(kPairs * oPad * 2, 0);
    for (uint64_t o = 0; o < outC; ++o)
      for (uint64_t k = 0; k < K; ++k)
        e.packed[((k / 2) * oPad + o) * 2 + k % 2] = int16_t(full[o * K + k]);
    return;
  }
  e.wide.resize(outC * K);
  for (uint64_t o = 0; o < outC; ++o)
    for (uint64_t k = 0; k < K; ++k)
      e.wide[op.depthwise ? k * outC + o : o * K + k] =
          uint32_t(full[o * K + k]);
}

/// The prepared weights of `step` for the weight bytes now in SRAM: the
/// step's last entry or one with the same bytes (found by hash), each
/// checked byte for byte, or a new one.
static MatMulCache::Entry &preparedWeights(Machine &m, MatMulCache &cache,
                                           const Op &op, const Step &step,
                                           unsigned index,
                                           bool weightsInvariant) {
  unsigned d = m.digitBits;
  uint64_t rowBytes = (uint64_t(op.K) * d + 7) / 8;
  uint64_t planeBytes = rowBytes * op.outC;
  llvm::SmallVector<uint64_t, 16> sig = {d, op.K, op.outC, op.depthwise};
  for (const WeightPlane &pl : step.planes) {
    sig.push_back(pl.wSigned);
    sig.push_back(pl.shift);
  }
  const uint8_t *wbuf = m.sram[0].data();
  auto matches = [&](const MatMulCache::Entry &e) {
    if (!llvm::equal(e.signature, sig))
      return false;
    for (size_t i = 0; i < step.planes.size(); ++i)
      if (std::memcmp(e.raw.data() + i * planeBytes,
                      wbuf + step.planes[i].wgtAddr, planeBytes))
        return false;
    return true;
  };
  if (cache.last.size() <= index)
    cache.last.resize(index + 1, nullptr);
  MatMulCache::Entry *&last = cache.last[index];
  // An invariant buffer holds what it held when `last` was checked.
  if (last && (weightsInvariant || matches(*last)))
    return *last;
  uint64_t h = llvm::xxh3_64bits(llvm::ArrayRef<uint8_t>(
      reinterpret_cast<const uint8_t *>(sig.data()), sig.size() * 8));
  for (const WeightPlane &pl : step.planes)
    h = h * 0x9E3779B97F4A7C15ull ^
        llvm::xxh3_64bits(
            llvm::ArrayRef<uint8_t>(wbuf + pl.wgtAddr, planeBytes));
  std::unique_ptr<MatMulCache::Entry> &slot = cache.byHash[h];
  if (slot && matches(*slot)) {
    last = slot.get();
    return *slot;
  }
  // New weights (or a hash collision, which rebuilds the slot: every use
  // of an entry checks its bytes first).
  if (!slot)
    slot = std::make_unique<MatMulCache::Entry>();
  MatMulCache::Entry &e = *slot;
  e.signature.assign(sig.begin(), sig.end());
  e.raw.resize(planeBytes * step.planes.size());
  for (size_t i = 0; i < step.planes.size(); ++i)
    std::memcpy(e.raw.data() + i * planeBytes, wbuf + step.planes[i].wgtAddr,
                planeBytes);
  buildWeights(m, op, step, e);
  last = &e;
  return e;
}

void sim::execMatMulStep(Machine &m, MatMulCache &weights,
                         llvm::ArrayRef<Op> ops, const Step &step,
                         unsigned matMulIndex, bool weightsInvariant) {
  const Op &op = ops[step.first];
  if (op.outH == 0 || op.outW == 0 || op.outC == 0)
    return;
  uint8_t *acc = m.sram[2].data() + op.accAddr;
  uint64_t pixels = uint64_t(op.outH) * op.outW;
  uint64_t outC = op.outC;
  if (step.finalShift >= 32) {
    // Every pass adds a value shifted out of the 32 bits.
    if (!op.accumulate)
      std::memset(acc, 0, pixels * outC * 4);
    return;
  }
  unsigned f = step.finalShift;
  auto writeBack = [&](uint8_t *p, uint32_t s) {
    uint32_t old = 0;
    if (op.accumulate)
      std::memcpy(&old, p, 4);
    uint32_t v = old + (s << f);
    std::memcpy(p, &v, 4);
  };

  MatMulCache::Entry &cache =
      preparedWeights(m, weights, op, step, matMulIndex, weightsInvariant);

  uint32_t cn = op.depthwise ? op.outC : op.cg;
  uint64_t inRows = uint64_t(op.outH - 1) * op.strideH +
                    uint64_t(op.kh - 1) * op.dilH + 1;
  uint64_t inCols = uint64_t(op.outW - 1) * op.strideW +
                    uint64_t(op.kw - 1) * op.dilW + 1;
  const uint8_t *act = m.sram[1].data() + op.actAddr;
  uint64_t K = op.K;

  if (step.actFits16 && !cache.depthwise16.empty()) {
    depthwise16(m, op, step, cache.depthwise16.data(), act, inRows, inCols,
                acc, f);
    return;
  }
  if (step.actFits16 && !cache.packed.empty()) {
    m.act16.resize(inRows * inCols * cn);
    int16_t *ad = m.act16.data();
    // Whole rows at once when the pass reads every channel.
    bool rows = op.c0 == 0 && cn == op.inC;
    uint64_t runs = rows ? 1 : inCols, len = rows ? inCols * cn : cn;
    for (uint64_t iy = 0; iy < inRows; ++iy)
      for (uint64_t r = 0; r < runs; ++r) {
        const uint8_t *p = act + (iy * op.inW + r) * op.inC + op.c0;
        int16_t *q = ad + (iy * inCols + r) * cn;
        convertActs(step, op, p, q, len);
      }
    uint64_t kPairs = (K + 1) / 2, kStride = 2 * kPairs;
    uint64_t oPad = cache.packed.size() / (2 * kPairs);
    // Pixels per kernel call: the patches and sums of a chunk stay in L1/L2.
    constexpr uint64_t kChunk = 32;
    m.patch16.resize(kChunk * kStride);
    m.sums.resize(kChunk * oPad);
    // A 1×1, stride-1 window with even K reads each pixel's K values as
    // they lie in the converted window (outW == inCols): no gathering.
    bool direct = op.kh == 1 && op.kw == 1 && op.strideH == 1 &&
                  op.strideW == 1 && K % 2 == 0 && cn == K;
    for (uint64_t p0 = 0; p0 < pixels; p0 += kChunk) {
      uint64_t np = std::min(kChunk, pixels - p0);
      const int16_t *patches = direct ? ad + p0 * K : m.patch16.data();
      for (uint64_t p = 0; p < np && !direct; ++p) {
        uint64_t oy = (p0 + p) / op.outW, ox = (p0 + p) % op.outW;
        int16_t *dst = m.patch16.data() + p * kStride;
        for (uint64_t ky = 0; ky < op.kh; ++ky) {
          uint64_t iy = oy * op.strideH + ky * op.dilH;
          if (op.dilW == 1) {
            // The kw pixels of a kernel row are contiguous.
            const int16_t *a = ad + (iy * inCols + ox * op.strideW) * cn;
            std::memcpy(dst, a, uint64_t(op.kw) * cn * sizeof(int16_t));
            dst += uint64_t(op.kw) * cn;
            continue;
          }
          for (uint64_t kx = 0; kx < op.kw; ++kx) {
            uint64_t ix = ox * op.strideW + kx * op.dilW;
            const int16_t *a = ad + (iy * inCols + ix) * cn;
            std::memcpy(dst, a, cn * sizeof(int16_t));
            dst += cn;
          }
        }
        if (K % 2)
          *dst = 0;
      }
      dotInt16(patches, np, kPairs, cache.packed.data(), oPad,
               m.sums.data());
      for (uint64_t p = 0; p < np; ++p) {
        addShifted(acc + (p0 + p) * outC * 4, m.sums.data() + p * oPad, outC,
                   f, op.accumulate);
      }
    }
    return;
  }

  // 32-bit path: operands modulo 2^32 (exact for the wrapped sums).
  const uint32_t *table = step.actWide.data();
  if (cache.wide.empty() && !cache.depthwise16.empty()) {
    // The weights fit int16 but the activations do not: widen them
    // (conversion to uint32 is the value modulo 2^32).
    uint64_t n = depthwiseStride(outC);
    cache.wide.resize(outC * K);
    for (uint64_t k = 0; k < K; ++k)
      for (uint64_t o = 0; o < outC; ++o)
        cache.wide[k * outC + o] = uint32_t(cache.depthwise16[k * n + o]);
  }
  if (cache.wide.empty()) {
    // The weights fit int16 but the activations do not: widen them.
    cache.wide.assign(outC * K, 0);
    uint64_t oPad = cache.packed.size() / (2 * ((K + 1) / 2));
    for (uint64_t o = 0; o < outC; ++o)
      for (uint64_t k = 0; k < K; ++k)
        cache.wide[o * K + k] = uint32_t(
            int32_t(cache.packed[((k / 2) * oPad + o) * 2 + k % 2]));
  }
  m.actDigits.resize(inRows * inCols * cn);
  uint32_t *ad = m.actDigits.data();
  for (uint64_t iy = 0; iy < inRows; ++iy)
    for (uint64_t ix = 0; ix < inCols; ++ix) {
      const uint8_t *p = act + (iy * op.inW + ix) * op.inC + op.c0;
      uint32_t *q = ad + (iy * inCols + ix) * cn;
      for (uint32_t c = 0; c < cn; ++c)
        q[c] = table[p[c]];
    }
  const uint32_t *w = cache.wide.data();
  if (op.depthwise) {
    m.sums.resize(outC);
    uint32_t *sums = m.sums.data();
    for (uint64_t oy = 0; oy < op.outH; ++oy)
      for (uint64_t ox = 0; ox < op.outW; ++ox) {
        std::fill(sums, sums + outC, 0u);
        uint64_t k = 0;
        for (uint64_t ky = 0; ky < op.kh; ++ky)
          for (uint64_t kx = 0; kx < op.kw; ++kx, ++k) {
            uint64_t iy = oy * op.strideH + ky * op.dilH;
            uint64_t ix = ox * op.strideW + kx * op.dilW;
            const uint32_t *a = ad + (iy * inCols + ix) * cn;
            mulAdd32(sums, a, w + k * outC, outC);
          }
        uint8_t *out = acc + (oy * op.outW + ox) * outC * 4;
        for (uint64_t o = 0; o < outC; ++o)
          writeBack(out + o * 4, sums[o]);
      }
    return;
  }
  m.patch.resize(K);
  uint32_t *patch = m.patch.data();
  for (uint64_t oy = 0; oy < op.outH; ++oy)
    for (uint64_t ox = 0; ox < op.outW; ++ox) {
      uint32_t *dst = patch;
      for (uint64_t ky = 0; ky < op.kh; ++ky)
        for (uint64_t kx = 0; kx < op.kw; ++kx) {
          uint64_t iy = oy * op.strideH + ky * op.dilH;
          uint64_t ix = ox * op.strideW + kx * op.dilW;
          const uint32_t *a = ad + (iy * inCols + ix) * cn;
          std::copy(a, a + cn, dst);
          dst += cn;
        }
      uint8_t *out = acc + (oy * op.outW + ox) * outC * 4;
      for (uint64_t o = 0; o < outC; ++o) {
        const uint32_t *wo = w + o * K;
        uint32_t s = 0;
        for (uint64_t k = 0; k < K; ++k)
          s += patch[k] * wo[k];
        writeBack(out + o * 4, s);
      }
    }
}
