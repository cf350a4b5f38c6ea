//===- BitwidthLowering.h - Digit-plane arithmetic of bit-width lowering -*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The integer facts --mote-bitwidth-lowering builds on, kept free of IR so
// that unit tests can check them exhaustively: how a zero-point-shifted
// value range splits into d-bit digits (top digit signed, lower digits
// unsigned), the exact value of each digit, interval bounds of sums of
// products, accumulator widths, and the rounding of a requantization
// multiplier to a narrower multiplier. docs/BitwidthLowering.md explains
// the lowering itself.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_QUANT_BITWIDTHLOWERING_H
#define MOTE_QUANT_BITWIDTHLOWERING_H

#include "mote/Numerics/Numerics.h"

#include <cstdint>
#include <optional>

namespace mote::quant {

/// A closed integer interval [lo, hi].
struct Interval {
  int64_t lo = 0, hi = 0;
};

/// How a value range splits into `count` digits of `bits` bits: digits
/// below the top are unsigned fields; the top digit is signed
/// (floor(v / 2^(bits·(count−1)))) iff the range has negative values.
struct DigitPlan {
  unsigned bits = 4;
  unsigned count = 1;
  bool topSigned = false;
};

/// The fewest digits of `bits` bits that represent every v in `range`
/// exactly; std::nullopt if more than 62 bits would be needed.
std::optional<DigitPlan> planDigits(Interval range, unsigned bits);

/// Digit `index` of `v` under `plan` (the mote.digit semantics):
/// `(v >> s) & (2^bits − 1)` for an unsigned digit, `v >> s` for the
/// signed top digit, s = bits · index. Σ_i 2^(bits·i)·digit_i == v.
int64_t digitOf(int64_t v, unsigned index, const DigitPlan &plan);

/// True if digit `index` is stored signed under `plan`.
inline bool digitIsSigned(unsigned index, const DigitPlan &plan) {
  return plan.topSigned && index + 1 == plan.count;
}

/// The range digit `index` takes over all v in `range` (always contains 0).
Interval digitRange(Interval range, unsigned index, const DigitPlan &plan);

/// Range of Σ_k w_k·x_k with every x_k in `x` (and 0 allowed, as padding).
/// Saturates nothing: the caller keeps magnitudes below 2^62.
Interval dotRange(const int64_t *w, int64_t n, Interval x);

/// Smallest signed width holding every value of `range` (≥ 2).
unsigned signedBitsFor(Interval range);

/// A requantization multiplier rounded to `bits` bits (2..32) with the
/// shift adjusted: multiplier' = round(M / 2^(31−bits)), shift' = S −
/// (31 − bits). Equal to the input for bits ≥ 31.
numerics::ScaleMultiplier narrowMultiplier(numerics::ScaleMultiplier m,
                                           unsigned bits);

/// Upper bound, in output LSBs, of |apply(v, a) − apply(v, b)| over
/// |v| ≤ maxAbs: ceil(maxAbs · |a − b|) (0 when the multipliers are equal).
int64_t multiplierErrorBound(numerics::ScaleMultiplier a,
                             numerics::ScaleMultiplier b, int64_t maxAbs);

} // namespace mote::quant

#endif // MOTE_QUANT_BITWIDTHLOWERING_H
