//===- VecKernels.cpp - Host SIMD kernels for VEC requantize --------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The AVX-512 requantizer computes numerics::applyScale's 64-bit path in
// eight lanes: (acc + bias)·M + 2^(S−1), shifted right arithmetically by S.
// That expression is numerics::applyScale exactly when |acc + bias| <=
// 2^31 (Numerics.h); the kernel needs acc + bias in int32 (the product
// is one vpmuldq, M < 2^31), checks that in every lane and, if
// any element of the tile exceeds it, redoes the tile with the scalar
// loop, which falls back to 128-bit arithmetic there. The destination is
// in the activation buffer and the source in the accumulator buffer, so a
// redo reads unchanged inputs.
//
//===----------------------------------------------------------------------===//

#include "VecKernels.h"
#include "VecElement.h"

#include <cstring>
#include <numeric>
#include <vector>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define MOTE_SIM_X86_KERNELS 1
#include <immintrin.h>
#endif

using namespace mote;
using namespace mote::sim;

static void requantizeScalar(const RequantizeArgs &r) {
  int64_t slo = r.outSigned ? -128 : 0, shi = r.outSigned ? 127 : 255;
  for (uint64_t p = 0, i = 0; p < r.pixels; ++p)
    for (uint32_t c = 0; c < r.channels; ++c, ++i) {
      int32_t a;
      std::memcpy(&a, r.acc + 4 * i, 4);
      int64_t v = numerics::applyScale(int64_t(a) + r.bias[c], r.scales[c]);
      v = numerics::saturate(satAdd(v, r.zpOut), r.clampLo, r.clampHi);
      r.dst[i] = uint8_t(numerics::saturate(v, slo, shi));
    }
}

#ifdef MOTE_SIM_X86_KERNELS

#define MOTE_AVX512 "avx512f,avx512bw,avx512dq,avx512vl"

// GCC 12's own intrinsics start from _mm512_undefined_epi32() (a
// self-initialised variable) and then warn about it when inlined.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

/// False (and possibly some bytes written) if an element needs the scalar
/// loop's 128-bit fallback.
__attribute__((target(MOTE_AVX512))) static bool
requantizeAvx512(const RequantizeArgs &r) {
  uint64_t channels = r.channels;
  // The elements run flat, pixel after pixel: `group` pixels make a whole
  // number of vectors (group · channels ≡ 0 mod 8), so the per-channel
  // operands are laid out over one group and every vector is full but
  // those of the last, partial group.
  uint64_t group = 8 / std::gcd<uint64_t>(channels, 8);
  uint64_t period = group * channels;
  thread_local std::vector<int64_t> operands;
  operands.resize(4 * period);
  int64_t *bias = operands.data(), *mul = bias + period, *rnd = mul + period,
          *sh = rnd + period;
  for (uint64_t i = 0; i < period; ++i) {
    uint64_t c = i % channels;
    bias[i] = r.bias[c];
    mul[i] = r.scales[c].multiplier;
    sh[i] = r.scales[c].shift;
    rnd[i] = int64_t(1) << (sh[i] - 1);
  }
  int64_t slo = r.outSigned ? -128 : 0, shi = r.outSigned ? 127 : 255;
  // v must fit int32 (one below applyScale's 64-bit bound 2^31) for vpmuldq,
  // which multiplies the low 32 bits of each lane as signed values.
  const __m512i lim = _mm512_set1_epi64((int64_t(1) << 31) - 1);
  const __m512i nlim = _mm512_set1_epi64(-(int64_t(1) << 31));
  const __m512i zp = _mm512_set1_epi64(r.zpOut);
  const __m512i lo = _mm512_set1_epi64(r.clampLo),
                hi = _mm512_set1_epi64(r.clampHi);
  const __m512i slo8 = _mm512_set1_epi64(slo), shi8 = _mm512_set1_epi64(shi);
  __mmask8 bad = 0;
  uint64_t total = r.pixels * channels;
  for (uint64_t g0 = 0; g0 < total; g0 += period) {
    const uint8_t *src = r.acc + 4 * g0;
    uint8_t *dst = r.dst + g0;
    uint64_t n = std::min(period, total - g0);
    for (uint64_t k = 0; k < n; k += 8) {
      __mmask8 m = n - k >= 8 ? __mmask8(0xFF) : __mmask8((1u << (n - k)) - 1);
      __m256i a32 = _mm256_maskz_loadu_epi32(m, src + 4 * k);
      __m512i v = _mm512_add_epi64(_mm512_cvtepi32_epi64(a32),
                                   _mm512_loadu_si512(bias + k));
      bad |= _mm512_mask_cmpgt_epi64_mask(m, v, lim) |
             _mm512_mask_cmplt_epi64_mask(m, v, nlim);
      v = _mm512_mul_epi32(v, _mm512_loadu_si512(mul + k));
      v = _mm512_add_epi64(v, _mm512_loadu_si512(rnd + k));
      v = _mm512_srav_epi64(v, _mm512_loadu_si512(sh + k));
      v = _mm512_add_epi64(v, zp);
      // numerics::saturate exactly, also for lo > hi (then lo below lo,
      // else hi): min(v, hi) unless v < lo.
      v = _mm512_mask_blend_epi64(_mm512_cmplt_epi64_mask(v, lo),
                                  _mm512_min_epi64(v, hi), lo);
      v = _mm512_min_epi64(_mm512_max_epi64(v, slo8), shi8);
      // Narrow in registers; a masked store only for a partial vector (the
      // memory form of vpmovqb is slow).
      __m128i bytes = _mm512_cvtepi64_epi8(v);
      if (m == 0xFF)
        _mm_storel_epi64(reinterpret_cast<__m128i *>(dst + k), bytes);
      else
        _mm_mask_storeu_epi8(dst + k, __mmask16(m), bytes);
    }
  }
  return bad == 0;
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

static bool avx512Supported() {
  static const bool ok = __builtin_cpu_supports("avx512f") &&
                         __builtin_cpu_supports("avx512bw") &&
                         __builtin_cpu_supports("avx512dq") &&
                         __builtin_cpu_supports("avx512vl");
  return ok;
}

#endif // MOTE_SIM_X86_KERNELS

void mote::sim::requantizeBytesWith(KernelISA isa, const RequantizeArgs &r) {
#ifdef MOTE_SIM_X86_KERNELS
  bool avx512 = isa == KernelISA::AVX512BW || isa == KernelISA::AVX512VNNI;
  // |v| < 2^61 after scaling, so v + zp cannot wrap with |zp| <= 2^61.
  bool zpFits = r.zpOut >= -(int64_t(1) << 61) && r.zpOut <= (int64_t(1) << 61);
  if (avx512 && zpFits && avx512Supported() && requantizeAvx512(r))
    return;
#else
  (void)isa;
#endif
  requantizeScalar(r);
}

void mote::sim::requantizeBytes(const RequantizeArgs &r) {
  requantizeBytesWith(activeKernelISA(), r);
}
