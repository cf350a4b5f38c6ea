//===- BitwidthLoweringUtils.cpp - Digit-plane arithmetic -----------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The IR-free helpers of --mote-bitwidth-lowering (see the header).
//
//===----------------------------------------------------------------------===//

#include "mote/Quant/BitwidthLowering.h"

#include <algorithm>
#include <cmath>

using namespace mote;
using namespace mote::quant;

std::optional<DigitPlan> mote::quant::planDigits(Interval range,
                                                 unsigned bits) {
  if (bits < 1 || bits > 16 || range.lo > range.hi)
    return std::nullopt;
  DigitPlan plan;
  plan.bits = bits;
  plan.topSigned = range.lo < 0;
  for (unsigned count = 1; count * bits <= 62; ++count) {
    unsigned shift = bits * (count - 1);
    int64_t top0 = range.lo >> shift, top1 = range.hi >> shift;
    bool fits = plan.topSigned
                    ? top0 >= numerics::storageMin(bits, true) &&
                          top1 <= numerics::storageMax(bits, true)
                    : top1 <= numerics::storageMax(bits, false);
    if (fits) {
      plan.count = count;
      return plan;
    }
  }
  return std::nullopt;
}

int64_t mote::quant::digitOf(int64_t v, unsigned index, const DigitPlan &plan) {
  int64_t shifted = v >> (plan.bits * index); // arithmetic: floor
  if (digitIsSigned(index, plan))
    return shifted;
  return shifted & ((int64_t(1) << plan.bits) - 1);
}

Interval mote::quant::digitRange(Interval range, unsigned index,
                                 const DigitPlan &plan) {
  if (index + 1 == plan.count) {
    // The top digit is monotonic in v: the range maps end to end.
    unsigned shift = plan.bits * index;
    return {std::min<int64_t>(range.lo >> shift, 0),
            std::max<int64_t>(range.hi >> shift, 0)};
  }
  return {0, (int64_t(1) << plan.bits) - 1};
}

Interval mote::quant::dotRange(const int64_t *w, int64_t n, Interval x) {
  int64_t lo = std::min<int64_t>(x.lo, 0), hi = std::max<int64_t>(x.hi, 0);
  Interval r;
  for (int64_t k = 0; k < n; ++k) {
    int64_t a = w[k] * lo, b = w[k] * hi;
    r.lo += std::min(a, b);
    r.hi += std::max(a, b);
  }
  return r;
}

unsigned mote::quant::signedBitsFor(Interval range) {
  for (unsigned bits = 2; bits < 64; ++bits)
    if (range.lo >= numerics::storageMin(bits, true) &&
        range.hi <= numerics::storageMax(bits, true))
      return bits;
  return 64;
}

numerics::ScaleMultiplier
mote::quant::narrowMultiplier(numerics::ScaleMultiplier m, unsigned bits) {
  if (bits >= 31 || bits < 2)
    return m;
  int drop = 31 - static_cast<int>(bits);
  int64_t mult = (int64_t(m.multiplier) + (int64_t(1) << (drop - 1))) >> drop;
  int64_t shift = int64_t(m.shift) - drop;
  if (mult >= (int64_t(1) << bits)) { // rounded up to 2^bits
    mult >>= 1;
    --shift;
  }
  // Keep the shift legal; a tiny ratio loses its low bits instead.
  while (shift < numerics::kMinShift && mult > 1) {
    mult >>= 1;
    ++shift;
  }
  if (shift < numerics::kMinShift)
    shift = numerics::kMinShift;
  return {static_cast<int32_t>(mult), static_cast<int32_t>(shift)};
}

int64_t mote::quant::multiplierErrorBound(numerics::ScaleMultiplier a,
                                          numerics::ScaleMultiplier b,
                                          int64_t maxAbs) {
  double diff = std::fabs(numerics::scaleMultiplierValue(a) -
                          numerics::scaleMultiplierValue(b));
  if (diff == 0.0)
    return 0;
  return static_cast<int64_t>(std::ceil(static_cast<double>(maxAbs) * diff));
}
