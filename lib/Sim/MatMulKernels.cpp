//===- MatMulKernels.cpp - Host SIMD dot products for MATMUL --------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Output channels lie across the vector lanes and K runs by pairs: for each
// pair (k, k+1) the two patch values of a pixel are broadcast as one 32-bit
// word and multiplied with the packed (k, k+1) weights of 16 channels by
// pmaddwd (or vpdpwssd), which forms a·w + a'·w' in 32 bits. Every step
// wraps modulo 2^32 and integer addition modulo 2^32 is associative, so the
// result is the scalar loop's bit for bit, whatever the order. A block of
// pixels shares each weight vector (register blocking); no horizontal
// reductions are needed.
//
// The vector versions are compiled for their instruction set with
// __attribute__((target)) and chosen once from __builtin_cpu_supports, so
// the library itself needs no -march and runs on any x86-64 (or any other
// host through the scalar loop).
//
//===----------------------------------------------------------------------===//

#include "MatMulKernels.h"

#include <atomic>
#include <cstring>
#include <initializer_list>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define MOTE_SIM_X86_KERNELS 1
#include <immintrin.h>
#endif

using namespace mote::sim;

static void dotScalar(const int16_t *patch, size_t pixels, size_t kPairs,
                      const int16_t *w, size_t oPad, uint32_t *sums) {
  size_t kStride = 2 * kPairs;
  for (size_t p = 0; p < pixels; ++p) {
    uint32_t *out = sums + p * oPad;
    for (size_t o = 0; o < oPad; ++o)
      out[o] = 0;
    const int16_t *a = patch + p * kStride;
    for (size_t kp = 0; kp < kPairs; ++kp) {
      // Products of two int16 fit int32; the sums wrap as uint32.
      uint32_t a0 = uint32_t(int32_t(a[2 * kp]));
      uint32_t a1 = uint32_t(int32_t(a[2 * kp + 1]));
      const int16_t *wk = w + kp * oPad * 2;
      for (size_t o = 0; o < oPad; ++o)
        out[o] += a0 * uint32_t(int32_t(wk[2 * o])) +
                  a1 * uint32_t(int32_t(wk[2 * o + 1]));
    }
  }
}

#ifdef MOTE_SIM_X86_KERNELS

static inline int32_t pairAt(const int16_t *p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

/// P pixels × 16 channels (one zmm accumulator each) over all K pairs.
template <int P, bool VNNI>
__attribute__((target("avx512f,avx512bw,avx512vnni"), always_inline)) inline void
blockAvx512(const int16_t *patch, size_t kStride, size_t kPairs,
            const int16_t *w, size_t oPad, uint32_t *sums) {
  __m512i acc[P];
  for (int i = 0; i < P; ++i)
    acc[i] = _mm512_setzero_si512();
  for (size_t kp = 0; kp < kPairs; ++kp) {
    __m512i wv = _mm512_loadu_si512(w + kp * oPad * 2);
    for (int i = 0; i < P; ++i) {
      __m512i av = _mm512_set1_epi32(pairAt(patch + i * kStride + 2 * kp));
      if constexpr (VNNI)
        acc[i] = _mm512_dpwssd_epi32(acc[i], av, wv);
      else
        acc[i] = _mm512_add_epi32(acc[i], _mm512_madd_epi16(av, wv));
    }
  }
  for (int i = 0; i < P; ++i)
    _mm512_storeu_si512(sums + i * oPad, acc[i]);
}

template <bool VNNI>
__attribute__((target("avx512f,avx512bw,avx512vnni"))) static void
dotAvx512(const int16_t *patch, size_t pixels, size_t kPairs,
          const int16_t *w, size_t oPad, uint32_t *sums) {
  size_t kStride = 2 * kPairs;
  for (size_t ob = 0; ob < oPad; ob += 16) {
    const int16_t *wb = w + ob * 2;
    size_t p = 0;
    for (; p + 8 <= pixels; p += 8)
      blockAvx512<8, VNNI>(patch + p * kStride, kStride, kPairs, wb, oPad,
                           sums + p * oPad + ob);
    if (p + 4 <= pixels) {
      blockAvx512<4, VNNI>(patch + p * kStride, kStride, kPairs, wb, oPad,
                           sums + p * oPad + ob);
      p += 4;
    }
    if (p + 2 <= pixels) {
      blockAvx512<2, VNNI>(patch + p * kStride, kStride, kPairs, wb, oPad,
                           sums + p * oPad + ob);
      p += 2;
    }
    if (p < pixels)
      blockAvx512<1, VNNI>(patch + p * kStride, kStride, kPairs, wb, oPad,
                           sums + p * oPad + ob);
  }
}

// The BW-only variant must not contain VNNI instructions: a separate
// target string keeps the compiler from using them.
template <int P>
__attribute__((target("avx512f,avx512bw"), always_inline)) inline void
blockAvx512BW(const int16_t *patch, size_t kStride, size_t kPairs,
              const int16_t *w, size_t oPad, uint32_t *sums) {
  __m512i acc[P];
  for (int i = 0; i < P; ++i)
    acc[i] = _mm512_setzero_si512();
  for (size_t kp = 0; kp < kPairs; ++kp) {
    __m512i wv = _mm512_loadu_si512(w + kp * oPad * 2);
    for (int i = 0; i < P; ++i) {
      __m512i av = _mm512_set1_epi32(pairAt(patch + i * kStride + 2 * kp));
      acc[i] = _mm512_add_epi32(acc[i], _mm512_madd_epi16(av, wv));
    }
  }
  for (int i = 0; i < P; ++i)
    _mm512_storeu_si512(sums + i * oPad, acc[i]);
}

__attribute__((target("avx512f,avx512bw"))) static void
dotAvx512BW(const int16_t *patch, size_t pixels, size_t kPairs,
            const int16_t *w, size_t oPad, uint32_t *sums) {
  size_t kStride = 2 * kPairs;
  for (size_t ob = 0; ob < oPad; ob += 16) {
    const int16_t *wb = w + ob * 2;
    size_t p = 0;
    for (; p + 8 <= pixels; p += 8)
      blockAvx512BW<8>(patch + p * kStride, kStride, kPairs, wb, oPad,
                       sums + p * oPad + ob);
    if (p + 4 <= pixels) {
      blockAvx512BW<4>(patch + p * kStride, kStride, kPairs, wb, oPad,
                       sums + p * oPad + ob);
      p += 4;
    }
    if (p + 2 <= pixels) {
      blockAvx512BW<2>(patch + p * kStride, kStride, kPairs, wb, oPad,
                       sums + p * oPad + ob);
      p += 2;
    }
    if (p < pixels)
      blockAvx512BW<1>(patch + p * kStride, kStride, kPairs, wb, oPad,
                       sums + p * oPad + ob);
  }
}

/// P pixels × 16 channels (two ymm accumulators each).
template <int P>
__attribute__((target("avx2"), always_inline)) inline void
blockAvx2(const int16_t *patch, size_t kStride, size_t kPairs,
          const int16_t *w, size_t oPad, uint32_t *sums) {
  __m256i lo[P], hi[P];
  for (int i = 0; i < P; ++i)
    lo[i] = hi[i] = _mm256_setzero_si256();
  for (size_t kp = 0; kp < kPairs; ++kp) {
    const int16_t *wk = w + kp * oPad * 2;
    __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(wk));
    __m256i w1 =
        _mm256_loadu_si256(reinterpret_cast<const __m256i *>(wk + 16));
    for (int i = 0; i < P; ++i) {
      __m256i av = _mm256_set1_epi32(pairAt(patch + i * kStride + 2 * kp));
      lo[i] = _mm256_add_epi32(lo[i], _mm256_madd_epi16(av, w0));
      hi[i] = _mm256_add_epi32(hi[i], _mm256_madd_epi16(av, w1));
    }
  }
  for (int i = 0; i < P; ++i) {
    _mm256_storeu_si256(reinterpret_cast<__m256i *>(sums + i * oPad), lo[i]);
    _mm256_storeu_si256(reinterpret_cast<__m256i *>(sums + i * oPad + 8),
                        hi[i]);
  }
}

__attribute__((target("avx2"))) static void
dotAvx2(const int16_t *patch, size_t pixels, size_t kPairs, const int16_t *w,
        size_t oPad, uint32_t *sums) {
  size_t kStride = 2 * kPairs;
  for (size_t ob = 0; ob < oPad; ob += 16) {
    const int16_t *wb = w + ob * 2;
    size_t p = 0;
    for (; p + 4 <= pixels; p += 4)
      blockAvx2<4>(patch + p * kStride, kStride, kPairs, wb, oPad,
                   sums + p * oPad + ob);
    if (p + 2 <= pixels) {
      blockAvx2<2>(patch + p * kStride, kStride, kPairs, wb, oPad,
                   sums + p * oPad + ob);
      p += 2;
    }
    if (p < pixels)
      blockAvx2<1>(patch + p * kStride, kStride, kPairs, wb, oPad,
                   sums + p * oPad + ob);
  }
}

static bool supported(KernelISA isa) {
  switch (isa) {
  case KernelISA::Scalar:
    return true;
  case KernelISA::AVX2:
    return __builtin_cpu_supports("avx2");
  case KernelISA::AVX512BW:
    return __builtin_cpu_supports("avx512f") &&
           __builtin_cpu_supports("avx512bw");
  case KernelISA::AVX512VNNI:
    return __builtin_cpu_supports("avx512f") &&
           __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vnni");
  }
  return false;
}

#else

static bool supported(KernelISA isa) { return isa == KernelISA::Scalar; }

#endif // MOTE_SIM_X86_KERNELS

KernelISA mote::sim::bestKernelISA() {
  static const KernelISA best = [] {
    for (KernelISA isa : {KernelISA::AVX512VNNI, KernelISA::AVX512BW,
                          KernelISA::AVX2})
      if (supported(isa))
        return isa;
    return KernelISA::Scalar;
  }();
  return best;
}

static std::atomic<int> overrideISA{-1};

KernelISA mote::sim::activeKernelISA() {
  int o = overrideISA.load(std::memory_order_relaxed);
  return o < 0 ? bestKernelISA() : KernelISA(o);
}

bool mote::sim::setKernelISA(KernelISA isa) {
  if (!supported(isa))
    return false;
  overrideISA.store(int(isa), std::memory_order_relaxed);
  return true;
}

const char *mote::sim::kernelISAName(KernelISA isa) {
  switch (isa) {
  case KernelISA::Scalar:
    return "scalar";
  case KernelISA::AVX2:
    return "avx2";
  case KernelISA::AVX512BW:
    return "avx512bw";
  case KernelISA::AVX512VNNI:
    return "avx512vnni";
  }
  return "?";
}

void mote::sim::dotInt16With(KernelISA isa, const int16_t *patch,
                             size_t pixels, size_t kPairs, const int16_t *w,
                             size_t oPad, uint32_t *sums) {
  if (!supported(isa))
    isa = KernelISA::Scalar;
  switch (isa) {
#ifdef MOTE_SIM_X86_KERNELS
  case KernelISA::AVX512VNNI:
    return dotAvx512<true>(patch, pixels, kPairs, w, oPad, sums);
  case KernelISA::AVX512BW:
    return dotAvx512BW(patch, pixels, kPairs, w, oPad, sums);
  case KernelISA::AVX2:
    return dotAvx2(patch, pixels, kPairs, w, oPad, sums);
#endif
  default:
    return dotScalar(patch, pixels, kPairs, w, oPad, sums);
  }
}

void mote::sim::dotInt16(const int16_t *patch, size_t pixels, size_t kPairs,
                         const int16_t *w, size_t oPad, uint32_t *sums) {
  dotInt16With(activeKernelISA(), patch, pixels, kPairs, w, oPad, sums);
}
