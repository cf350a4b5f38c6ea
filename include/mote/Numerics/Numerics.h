//===- Numerics.h - The one definition of Mote's integer arithmetic -*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Every integer computation that gives a quantized network its meaning is
// defined here, once, and called from the compiler (constant quantization,
// requantization parameters, LUT tables), the reference interpreter and the
// simulator. DESIGN.md §4 and docs/Numerics.md describe the rules; this file
// is the normative implementation. It depends on nothing but the C++
// standard library so that the simulator can use it without MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_NUMERICS_NUMERICS_H
#define MOTE_NUMERICS_NUMERICS_H

#include <cmath>
#include <cstdint>
#include <optional>

namespace mote::numerics {

/// A real multiplier m ≈ multiplier · 2^−shift, the form in which the chip
/// and the interpreter apply a scale ratio (TOSA `apply_scale_32`).
struct ScaleMultiplier {
  int32_t multiplier = 0; ///< In [2^30, 2^31) unless the ratio is tiny.
  int32_t shift = 0;      ///< In [1, 62].
};

/// Largest and smallest shift the requantizer supports.
constexpr int32_t kMinShift = 1;
constexpr int32_t kMaxShift = 62;

/// Round half to even, the rounding of ONNX QuantizeLinear and of every
/// float → int conversion in Mote. Independent of the FP rounding mode.
inline double roundHalfEven(double x) {
  double r = std::round(x); // half away from zero
  if (std::fabs(x - std::trunc(x)) == 0.5)
    r = 2.0 * std::round(x / 2.0);
  return r;
}

/// Saturates `v` into [lo, hi].
inline int64_t saturate(int64_t v, int64_t lo, int64_t hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

/// Float → quantized storage: sat(rne(x / scale) + zp). NaN maps to zp.
inline int64_t quantize(double x, double scale, int64_t zeroPoint, int64_t qmin,
                        int64_t qmax) {
  double q = x / scale;
  if (std::isnan(q))
    return saturate(zeroPoint, qmin, qmax);
  // Clamp before converting so that huge values cannot overflow int64.
  if (q > 4.0e18)
    return qmax;
  if (q < -4.0e18)
    return qmin;
  return saturate(static_cast<int64_t>(roundHalfEven(q)) + zeroPoint, qmin,
                  qmax);
}

/// Quantized storage → real value: scale · (q − zp).
inline double dequantize(int64_t q, double scale, int64_t zeroPoint) {
  return scale * static_cast<double>(q - zeroPoint);
}

/// Decomposes a positive real ratio into multiplier · 2^−shift with the
/// multiplier in [2^30, 2^31). Ratios below 2^−32 (which round every int32
/// accumulator to 0 or ±1) keep shift 62 and a smaller multiplier. Returns
/// std::nullopt for ratios that are not finite and positive or are ≥ 2^30,
/// which no 32-bit multiplier with shift ≥ 1 can express.
inline std::optional<ScaleMultiplier> computeScaleMultiplier(double ratio) {
  if (!(ratio > 0.0) || !std::isfinite(ratio))
    return std::nullopt;
  int exponent = 0;
  double fraction = std::frexp(ratio, &exponent); // ratio = f · 2^e, f ∈ [.5,1)
  int64_t multiplier = static_cast<int64_t>(std::llround(fraction * 2147483648.0));
  if (multiplier == (int64_t(1) << 31)) {
    multiplier >>= 1;
    ++exponent;
  }
  int64_t shift = 31 - exponent;
  if (shift < kMinShift)
    return std::nullopt;
  if (shift > kMaxShift) {
    // Tiny ratio: keep the largest shift and scale the multiplier down.
    int64_t excess = shift - kMaxShift;
    multiplier = excess >= 63 ? 0
                              : (multiplier + (int64_t(1) << (excess - 1))) >>
                                    excess;
    shift = kMaxShift;
  }
  return ScaleMultiplier{static_cast<int32_t>(multiplier),
                         static_cast<int32_t>(shift)};
}

/// The real value a ScaleMultiplier stands for.
inline double scaleMultiplierValue(ScaleMultiplier m) {
  return std::ldexp(static_cast<double>(m.multiplier), -m.shift);
}

/// TOSA apply_scale_32 with single rounding (round half up, i.e. towards
/// +∞ on ties): (v · M + 2^(S−1)) >> S with an arithmetic shift. The
/// product is formed in 128 bits, so any int64 `v` is exact; the result is
/// saturated to int64 (callers saturate to their storage range anyway).
/// When |v| <= 2^31 (bytes, int32 accumulators plus a bias) the same
/// integer is formed in 64 bits: |v·M| <= 2^62 (|M| <= 2^31) and adding
/// 2^(S−1) <= 2^61 stays below 2^63; the arithmetic shift is the same
/// floor division.
inline int64_t applyScale(int64_t v, ScaleMultiplier m) {
  if (v >= -(int64_t(1) << 31) && v <= (int64_t(1) << 31))
    return (v * int64_t(m.multiplier) + (int64_t(1) << (m.shift - 1))) >>
           m.shift;
  __int128 product = static_cast<__int128>(v) * m.multiplier;
  __int128 sum = product + (static_cast<__int128>(1) << (m.shift - 1));
  // >> on a negative __int128 is an arithmetic shift in GCC and Clang.
  __int128 r = sum >> m.shift;
  if (r > INT64_MAX)
    return INT64_MAX;
  if (r < INT64_MIN)
    return INT64_MIN;
  return static_cast<int64_t>(r);
}

/// Full requantization of DESIGN §4: clamp(applyScale(acc − inZp) + outZp).
inline int64_t requantize(int64_t acc, int64_t inZeroPoint, ScaleMultiplier m,
                          int64_t outZeroPoint, int64_t qmin, int64_t qmax) {
  return saturate(applyScale(acc - inZeroPoint, m) + outZeroPoint, qmin, qmax);
}

/// Quantized elementwise add, sub, maximum and minimum (and any op that
/// combines two tensors of different scales) rescale both inputs to a shared
/// intermediate scale s_mid = max(s_a, s_b) · 2^−kAddHeadroomBits, combine
/// them exactly in int64, and requantize once to the result:
///   a' = applyScale(qa − za, lhs), b' = applyScale(qb − zb, rhs)
///   out = sat(applyScale(a' ∘ b', out) + zo)
/// The 20 bits of headroom make the first two roundings negligible (as in
/// TFLite's left_shift = 20) while every step stays a plain apply_scale that
/// the NPU's vector unit implements.
constexpr int kAddHeadroomBits = 20;

struct AddRescale {
  ScaleMultiplier lhs, rhs, out;
};

inline std::optional<AddRescale> computeAddRescale(double lhsScale,
                                                   double rhsScale,
                                                   double outScale) {
  double mid = std::ldexp(lhsScale > rhsScale ? lhsScale : rhsScale,
                          -kAddHeadroomBits);
  auto lhs = computeScaleMultiplier(lhsScale / mid);
  auto rhs = computeScaleMultiplier(rhsScale / mid);
  auto out = computeScaleMultiplier(mid / outScale);
  if (!lhs || !rhs || !out)
    return std::nullopt;
  return AddRescale{*lhs, *rhs, *out};
}

/// One term of a learned/residual synthesis layer (DESIGN §5,
/// docs/Synthesis.md): its int32 partial sum P_i is finished with the
/// term's bias b_i[c] and per-channel multiplier M_i[c] (shift S_i[c]).
struct SynthesisTerm {
  int64_t bias = 0;
  ScaleMultiplier scale;
};

/// The combination of K synthesis terms' partial sums into one output
/// value (output channel c; `terms[i]` is term i's record for c):
///   A_i = sat32(P_i + b_i)                   (the term's product + bias)
///   T_i = sat32(applyScale(A_i, M_i))        (the term at the sum's scale)
///   S   = sat32(...sat32(T_0 + T_1)... + T_{K−1})
///   y   = sat(applyScale(S, out) + zp, qmin, qmax)
/// This is what the quantizer's IR (per-term `mote.requant` to one i32
/// sum, `mote.add`s, one final `mote.requant`) means in the interpreter,
/// and what the NPU's VEC `combine` computes. The quantizer picks the sum's
/// scale s_y·2^−n so that every M_i·2^−S_i is an integer multiplier m_i
/// (applyScale is then exact, m_i·A_i) and the bounds keep every sum
/// inside int32: the result is then the single rounding
///   y = sat(round(Σ_i m_i·(P_i + b_i), n) + zp)
/// (round half up), with no per-term rounding.
inline int64_t combineTerms(const int64_t *partial, const SynthesisTerm *terms,
                            unsigned K, ScaleMultiplier out, int64_t zp,
                            int64_t qmin, int64_t qmax) {
  int64_t sum = 0;
  for (unsigned i = 0; i < K; ++i) {
    int64_t a = saturate(partial[i] + terms[i].bias, INT32_MIN, INT32_MAX);
    int64_t t = saturate(applyScale(a, terms[i].scale), INT32_MIN, INT32_MAX);
    sum = i == 0 ? t : saturate(sum + t, INT32_MIN, INT32_MAX);
  }
  return saturate(applyScale(sum, out) + zp, qmin, qmax);
}

/// Quantized linear resize (mote.resize, mode "linear", on a quantized
/// tensor; the result keeps the input's type). A dimension is *weighted*
/// when one of its taps (ResizeOp::getTaps) reads two different elements
/// with a weight strictly between 0 and 1; every other dimension selects
/// one element (w1 = 0: i0, w1 = 1: i1). A weighted dimension's tap
/// weights become fixed point, W1 = round(w1 · 2^F) and W0 = 2^F − W1 with
/// F = kResizeWeightBits (exact for power-of-two scales, within 2^−11
/// otherwise), and with D weighted dimensions the output is one rounding
/// of an exact integer sum over the 2^D taps t:
///   y = sat(roundHalfUp(Σ_t (Π_d W_d,t) · (q_t − zp), F·D) + zp)
/// which is what the NPU's vector unit computes with VEC Add (docs/NPU.md,
/// *Interpolation*): a weighted two-term sum per dimension, exact in
/// int32, and one apply_scale at the end.
constexpr int kResizeWeightBits = 10;

inline int64_t resizeWeight(double w1) {
  return static_cast<int64_t>(std::llround(w1 * (1 << kResizeWeightBits)));
}

/// The final rounding of a quantized linear resize: sum / 2^(F·D), half up.
inline int64_t resizeRound(int64_t sum, int weightedDims) {
  if (weightedDims == 0)
    return sum;
  return applyScale(sum, ScaleMultiplier{1, kResizeWeightBits * weightedDims});
}

/// The storage range of a b-bit integer, optionally narrow (symmetric, as
/// for weights: [−(2^(b−1)−1), 2^(b−1)−1]).
inline int64_t storageMin(unsigned bits, bool isSigned, bool narrow = false) {
  if (!isSigned)
    return 0;
  return -(int64_t(1) << (bits - 1)) + (narrow ? 1 : 0);
}
inline int64_t storageMax(unsigned bits, bool isSigned) {
  return isSigned ? (int64_t(1) << (bits - 1)) - 1 : (int64_t(1) << bits) - 1;
}

} // namespace mote::numerics

#endif // MOTE_NUMERICS_NUMERICS_H
