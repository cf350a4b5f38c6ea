//===- NumericsTest.cpp - Tests of the one numerics definition -------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Checks the integer arithmetic of DESIGN §4 against exact references:
// rational rounding computed in 128-bit integers, ONNX QuantizeLinear
// examples, and the ties that the ONNX test data never hits.
//
//===----------------------------------------------------------------------===//

#include "mote/Numerics/Numerics.h"

#include <gtest/gtest.h>
#include <random>

using namespace mote::numerics;

TEST(Numerics, RoundHalfEvenTies) {
  EXPECT_EQ(roundHalfEven(0.5), 0.0);
  EXPECT_EQ(roundHalfEven(1.5), 2.0);
  EXPECT_EQ(roundHalfEven(2.5), 2.0);
  EXPECT_EQ(roundHalfEven(-0.5), 0.0);
  EXPECT_EQ(roundHalfEven(-1.5), -2.0);
  EXPECT_EQ(roundHalfEven(-2.5), -2.0);
  EXPECT_EQ(roundHalfEven(2.4999), 2.0);
  EXPECT_EQ(roundHalfEven(-2.5001), -3.0);
}

TEST(Numerics, QuantizeMatchesOnnxQuantizeLinear) {
  // ONNX QuantizeLinear example: x / 2 + 128, saturated to uint8.
  const double xs[] = {0, 2, 3, 1000, -254, -1000};
  const int64_t expected[] = {128, 129, 130, 255, 1, 0};
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(quantize(xs[i], 2.0, 128, 0, 255), expected[i]) << xs[i];
  // int8 ties: 3/2 = 1.5 -> 2, 5/2 = 2.5 -> 2, -5/2 -> -2.
  EXPECT_EQ(quantize(3, 2.0, 0, -128, 127), 2);
  EXPECT_EQ(quantize(5, 2.0, 0, -128, 127), 2);
  EXPECT_EQ(quantize(-5, 2.0, 0, -128, 127), -2);
  EXPECT_EQ(quantize(-5, 2.0, -3, -128, 127), -5);
  EXPECT_EQ(quantize(1e300, 1e-300, 0, -128, 127), 127);
  EXPECT_EQ(quantize(std::nan(""), 1.0, 7, -128, 127), 7);
}

TEST(Numerics, ScaleMultiplierRange) {
  for (double ratio : {1e-9, 1e-5, 0.0039, 0.25, 0.5, 0.7, 1.0, 3.0, 1e4}) {
    auto m = computeScaleMultiplier(ratio);
    ASSERT_TRUE(m) << ratio;
    EXPECT_GE(m->multiplier, 1 << 30);
    EXPECT_GE(m->shift, kMinShift);
    EXPECT_LE(m->shift, kMaxShift);
    EXPECT_NEAR(scaleMultiplierValue(*m) / ratio, 1.0, 1e-9);
  }
  EXPECT_FALSE(computeScaleMultiplier(0.0));
  EXPECT_FALSE(computeScaleMultiplier(-1.0));
  EXPECT_FALSE(computeScaleMultiplier(std::numeric_limits<double>::infinity()));
  EXPECT_FALSE(computeScaleMultiplier(std::ldexp(1.0, 31)));
  // Tiny ratios keep the maximal shift.
  auto tiny = computeScaleMultiplier(std::ldexp(1.0, -40));
  ASSERT_TRUE(tiny);
  EXPECT_EQ(tiny->shift, kMaxShift);
  EXPECT_EQ(tiny->multiplier, 1 << 22);
}

/// Exact floor((v·M + 2^(S−1)) / 2^S) in 128-bit arithmetic.
static int64_t referenceApplyScale(int64_t v, ScaleMultiplier m) {
  __int128 num = static_cast<__int128>(v) * m.multiplier +
                 (static_cast<__int128>(1) << (m.shift - 1));
  __int128 den = static_cast<__int128>(1) << m.shift;
  __int128 q = num / den;
  if (num % den != 0 && num < 0)
    --q;
  return static_cast<int64_t>(q);
}

TEST(Numerics, ApplyScaleIsSingleRoundingHalfUp) {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int64_t> acc(-(int64_t(1) << 32),
                                             int64_t(1) << 32);
  std::uniform_real_distribution<double> logRatio(-20, 4);
  for (int i = 0; i < 100000; ++i) {
    auto m = computeScaleMultiplier(std::exp2(logRatio(rng)));
    ASSERT_TRUE(m);
    int64_t v = acc(rng);
    ASSERT_EQ(applyScale(v, *m), referenceApplyScale(v, *m)) << v;
  }
  // Ties round towards +inf: 3 * 0.5 = 1.5 -> 2, -3 * 0.5 = -1.5 -> -1.
  ScaleMultiplier half{1 << 30, 31};
  EXPECT_EQ(applyScale(3, half), 2);
  EXPECT_EQ(applyScale(-3, half), -1);
  EXPECT_EQ(applyScale(5, half), 3);
  EXPECT_EQ(applyScale(-5, half), -2);
}

TEST(Numerics, RequantizeSaturates) {
  ScaleMultiplier one{1 << 30, 30};
  EXPECT_EQ(requantize(1000, 0, one, 0, -128, 127), 127);
  EXPECT_EQ(requantize(-1000, 0, one, 0, -128, 127), -128);
  EXPECT_EQ(requantize(10, 3, one, 100, 0, 255), 107);
}

TEST(Numerics, StorageRanges) {
  EXPECT_EQ(storageMin(8, true), -128);
  EXPECT_EQ(storageMin(8, true, /*narrow=*/true), -127);
  EXPECT_EQ(storageMax(8, true), 127);
  EXPECT_EQ(storageMax(8, false), 255);
  EXPECT_EQ(storageMin(4, true, true), -7);
  EXPECT_EQ(storageMax(4, false), 15);
}

TEST(Numerics, AddRescaleIsNearlyExact) {
  // 0.5·(10 − 2) + 0.25·(−6 − 0) = 2.5, at output scale 0.1 → 25 + zo 3.
  auto r = computeAddRescale(0.5, 0.25, 0.1);
  ASSERT_TRUE(r);
  int64_t a = applyScale(10 - 2, r->lhs), b = applyScale(-6, r->rhs);
  EXPECT_EQ(saturate(applyScale(a + b, r->out) + 3, -128, 127), 28);
  EXPECT_FALSE(computeAddRescale(1.0, 1.0, 1e-20));
}

TEST(Numerics, ApplyScaleWideAccumulators) {
  // 128-bit products: a 62-bit value times a 31-bit multiplier is exact.
  ScaleMultiplier half{1 << 30, 31};
  int64_t big = int64_t(1) << 61;
  EXPECT_EQ(applyScale(big, half), int64_t(1) << 60);
  EXPECT_EQ(applyScale(-big, half), -(int64_t(1) << 60));
}

TEST(Numerics, CombineTermsIsOneRoundingWithIntegerMultipliers) {
  // Term multipliers that are exact integers m_i (ratio m_i, as the
  // quantizer chooses them) make every term requant exact, so the result
  // is the single rounding round(Σ m_i·(P_i + b_i), n) + zp.
  const int n = 10;
  std::mt19937 rng(3);
  for (int trial = 0; trial < 2000; ++trial) {
    unsigned K = 1 + rng() % 4;
    int64_t partial[4];
    SynthesisTerm terms[4];
    int64_t exact = 0;
    for (unsigned i = 0; i < K; ++i) {
      int64_t m = 1 + int64_t(rng() % 4000);
      partial[i] = int64_t(rng() % 200001) - 100000;
      int64_t b = i == 0 ? int64_t(rng() % 2001) - 1000 : 0;
      auto sm = computeScaleMultiplier(double(m));
      ASSERT_TRUE(sm);
      terms[i] = {b, *sm};
      exact += m * (partial[i] + b);
    }
    auto out = computeScaleMultiplier(std::ldexp(1.0, -n));
    ASSERT_TRUE(out);
    // Round half up, as applyScale.
    int64_t want = saturate(((exact + (int64_t(1) << (n - 1))) >> n) + 5,
                            -128, 127);
    EXPECT_EQ(combineTerms(partial, terms, K, *out, 5, -128, 127), want);
  }
}

TEST(Numerics, LinearResizeWeightsAndRounding) {
  // Power-of-two scales give exact weights; others the nearest 1/1024.
  EXPECT_EQ(resizeWeight(0.25), 256);
  EXPECT_EQ(resizeWeight(0.75), 768);
  EXPECT_EQ(resizeWeight(1.0 / 3.0), 341);
  // One rounding of the exact sum, ties toward +inf, by 2^(10·D).
  EXPECT_EQ(resizeRound(512, 1), 1);   // 0.5
  EXPECT_EQ(resizeRound(-512, 1), 0);  // -0.5
  EXPECT_EQ(resizeRound(-513, 1), -1);
  EXPECT_EQ(resizeRound(3 << 19, 2), 2); // 1.5 over 2^20
  EXPECT_EQ(resizeRound(-7, 0), -7);     // nothing interpolated
  // The VEC Add form (docs/NPU.md, Interpolation): an operand multiplier
  // 2W with shift 1 is the exact product W·x.
  for (int64_t w : {0, 1, 341, 683, 1024})
    for (int64_t x : {-255, -1, 0, 7, 255})
      EXPECT_EQ(applyScale(x, ScaleMultiplier{int32_t(2 * w), 1}), w * x);
}
