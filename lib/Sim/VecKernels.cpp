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
  uint32_t channels = r.channels;
  // Per-channel operands, padded to whole vectors.
  uint32_t chunks = (channels + 7) / 8;
  int64_t buf[4][64];
  std::vector<int64_t> big;
  int64_t *bias = buf[0], *mul = buf[1], *rnd = buf[2], *sh = buf[3];
  if (chunks * 8 > 64) {
    big.assign(4 * chunks * 8, 0);
    bias = big.data();
    mul = bias + chunks * 8;
    rnd = mul + chunks * 8;
    sh = rnd + chunks * 8;
  }
  for (uint32_t c = 0; c < chunks * 8; ++c) {
    bool in = c < channels;
    bias[c] = in ? r.bias[c] : 0;
    mul[c] = in ? r.scales[c].multiplier : 0;
    sh[c] = in ? r.scales[c].shift : 1;
    rnd[c] = int64_t(1) << (sh[c] - 1);
  }
  int64_t slo = r.outSigned ? -128 : 0, shi = r.outSigned ? 127 : 255;
  // v must fit int32 (one below applyScale's 64-bit bound 2^31) for vpmuldq,
  // which multiplies the low 32 bits of each lane as signed values.
  const __m512i lim = _mm512_set1_epi64((int64_t(1) << 31) - 1);
  const __m512i nlim = _mm512_set1_epi64(-(int64_t(1) << 31));
  const __m512i zp = _mm512_set1_epi64(r.zpOut);
  const __m512i lo = _mm512_set1_epi64(r.clampLo), hi = _mm512_set1_epi64(r.clampHi);
  const __m512i slo8 = _mm512_set1_epi64(slo), shi8 = _mm512_set1_epi64(shi);
  __mmask8 bad = 0;
  uint32_t tail = channels % 8;
  __mmask8 tailMask = tail ? __mmask8((1u << tail) - 1) : __mmask8(0xFF);
  for (uint64_t p = 0; p < r.pixels; ++p) {
    const uint8_t *src = r.acc + 4 * p * channels;
    uint8_t *dst = r.dst + p * channels;
    for (uint32_t k = 0; k < chunks; ++k) {
      __mmask8 m = k + 1 == chunks ? tailMask : __mmask8(0xFF);
      __m256i a32 = _mm256_maskz_loadu_epi32(m, src + 32 * k);
      __m512i v = _mm512_add_epi64(_mm512_cvtepi32_epi64(a32),
                                   _mm512_loadu_si512(bias + 8 * k));
      bad |= _mm512_mask_cmpgt_epi64_mask(m, v, lim) |
             _mm512_mask_cmplt_epi64_mask(m, v, nlim);
      v = _mm512_mul_epi32(v, _mm512_loadu_si512(mul + 8 * k));
      v = _mm512_add_epi64(v, _mm512_loadu_si512(rnd + 8 * k));
      v = _mm512_srav_epi64(v, _mm512_loadu_si512(sh + 8 * k));
      v = _mm512_add_epi64(v, zp);
      // numerics::saturate exactly, also for lo > hi (then lo below lo,
      // else hi): min(v, hi) unless v < lo.
      v = _mm512_mask_blend_epi64(_mm512_cmplt_epi64_mask(v, lo),
                                  _mm512_min_epi64(v, hi), lo);
      v = _mm512_min_epi64(_mm512_max_epi64(v, slo8), shi8);
      // Narrow in registers; a masked store only for the last chunk (the
      // memory form of vpmovqb is slow).
      __m128i bytes = _mm512_cvtepi64_epi8(v);
      if (m == 0xFF)
        _mm_storel_epi64(reinterpret_cast<__m128i *>(dst + 8 * k), bytes);
      else
        _mm_mask_storeu_epi8(dst + 8 * k, __mmask16(m), bytes);
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
