//===- QuantRefinementTest.cpp - Teacher-guided refinement math -----------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The output-error form dᵀ G d against the direct Σ (d·x)², the clipping
// search on a heavy-tailed channel (clips under uniform inputs, keeps the
// outlier when the inputs only exercise it), greedy rounding that never
// loses, bias correction by the known mean error, and the DFQ scale.
//
//===----------------------------------------------------------------------===//

#include "mote/Quant/Refinement.h"

#include "mote/Numerics/Numerics.h"

#include "gtest/gtest.h"

#include <cmath>
#include <random>

using namespace mote;
using namespace mote::quant;

namespace {

std::vector<std::vector<float>> randomVectors(size_t n, size_t k,
                                              unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.0f, 1.0f);
  std::vector<std::vector<float>> xs(n, std::vector<float>(k));
  for (auto &x : xs)
    for (float &v : x)
      v = d(rng);
  return xs;
}

InputStatistics statsOf(const std::vector<std::vector<float>> &xs) {
  InputStatistics s(xs.front().size());
  for (const auto &x : xs) {
    s.addSampled(x.data());
    s.addToMean(x.data());
  }
  return s;
}

std::vector<double> identity(size_t k) {
  std::vector<double> g(k * k, 0.0);
  for (size_t i = 0; i < k; ++i)
    g[i * k + i] = 1.0;
  return g;
}

/// A channel with one large outlier among small Gaussian weights.
std::vector<float> heavyTailed(size_t k) {
  std::mt19937 rng(7);
  std::normal_distribution<float> d(0.0f, 0.1f);
  std::vector<float> w(k);
  for (float &v : w)
    v = d(rng);
  w[3] = 1.0f;
  return w;
}

TEST(QuantRefinement, OutputErrorMatchesDirectSum) {
  auto xs = randomVectors(200, 6, 1);
  InputStatistics s = statsOf(xs);
  std::vector<double> d = {0.1, -0.2, 0.05, 0.0, 0.3, -0.01};
  double direct = 0.0;
  for (const auto &x : xs) {
    double dot = 0.0;
    for (size_t i = 0; i < d.size(); ++i)
      dot += d[i] * x[i];
    direct += dot * dot;
  }
  EXPECT_NEAR(outputError(s.gram, d), direct, 1e-9 * direct);
  EXPECT_EQ(s.gramCount, 200);
}

TEST(QuantRefinement, QuantizeChannelRoundsHalfToEvenAndSaturates) {
  std::vector<float> w = {0.5f, 1.5f, -2.5f, 100.0f};
  ChannelQuantization c = quantizeChannel(w, 1.0, 7, identity(4));
  EXPECT_EQ(c.q, (std::vector<int64_t>{0, 2, -2, 7}));
  EXPECT_NEAR(c.error, 0.25 + 0.25 + 0.25 + 93.0 * 93.0, 1e-9);
}

TEST(QuantRefinement, CandidatesDescendFromTheMaxScale) {
  ScaleSearchOptions o;
  o.lowest = 0.5;
  o.steps = 10;
  auto scales = candidateScales(7.0, 7, o);
  ASSERT_EQ(scales.size(), 11u);
  EXPECT_DOUBLE_EQ(scales.front(), 1.0);
  EXPECT_DOUBLE_EQ(scales.back(), 0.5);
  for (size_t i = 1; i < scales.size(); ++i)
    EXPECT_LT(scales[i], scales[i - 1]);
  EXPECT_TRUE(candidateScales(0.0, 7, o).empty());
}

TEST(QuantRefinement, SearchClipsAHeavyTailUnderUniformInputs) {
  // 4-bit: the max-based scale wastes the grid on one outlier; with equal
  // weight on every input the search clips it.
  auto w = heavyTailed(32);
  auto gram = identity(32);
  ChannelQuantization plain = quantizeChannel(w, printedScale(1.0 / 7), 7,
                                              gram);
  ChannelQuantization best = searchChannelScale(w, 7, gram, {});
  EXPECT_LT(best.scale, plain.scale);
  EXPECT_LT(best.error, plain.error);
}

TEST(QuantRefinement, SearchKeepsTheOutlierItsInputsNeed) {
  // Only the outlier's input is ever non-zero: clipping it is all error.
  auto w = heavyTailed(32);
  std::vector<double> gram(32 * 32, 0.0);
  gram[3 * 32 + 3] = 1.0;
  ChannelQuantization best = searchChannelScale(w, 7, gram, {});
  EXPECT_DOUBLE_EQ(best.scale, printedScale(1.0 / 7));
  EXPECT_NEAR(best.error, 0.0, 1e-12);
}

TEST(QuantRefinement, SharedScaleSearchSumsChannels) {
  auto w = heavyTailed(32);
  auto gram = identity(32);
  std::vector<float> small(32, 0.01f);
  std::vector<llvm::ArrayRef<float>> channels = {w, small};
  std::vector<llvm::ArrayRef<double>> grams = {gram, gram};
  double s = searchSharedScale(channels, grams, 7, {});
  EXPECT_LT(s, printedScale(1.0 / 7));
  EXPECT_GE(s, printedScale(0.5 / 7));
}

TEST(QuantRefinement, RoundingRefinementNeverLosesAndStaysAdjacent) {
  auto xs = randomVectors(500, 16, 3);
  // Correlated inputs: x_i += x_0, so rounding errors can cancel.
  for (auto &x : xs)
    for (size_t i = 1; i < x.size(); ++i)
      x[i] += x[0];
  InputStatistics s = statsOf(xs);
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> w(16);
  for (float &v : w)
    v = u(rng);
  double scale = printedScale(1.0 / 7);
  ChannelQuantization c = quantizeChannel(w, scale, 7, s.gram);
  double before = c.error;
  unsigned flips = refineRounding(w, 7, s.gram, c, 4);
  EXPECT_GT(flips, 0u);
  EXPECT_LT(c.error, before);
  for (size_t i = 0; i < w.size(); ++i) {
    double r = w[i] / scale;
    EXPECT_TRUE(c.q[i] == int64_t(std::floor(r)) ||
                c.q[i] == int64_t(std::ceil(r)));
    EXPECT_LE(std::abs(c.q[i]), 7);
  }
  // The incremental error equals a fresh evaluation.
  std::vector<double> d(w.size());
  for (size_t i = 0; i < w.size(); ++i)
    d[i] = c.q[i] * scale - double(w[i]);
  EXPECT_NEAR(c.error, outputError(s.gram, d), 1e-9 * before);
}

TEST(QuantRefinement, BiasCorrectionCancelsTheMeanError) {
  // w = [0.3, -0.6], scale 0.5: w_q = [0.5, -0.5] (0.6 → 1.2 → 1), d =
  // [0.2, 0.1]; mean input [2, 4]: mean error 0.8, bias 1 → 0.2.
  std::vector<float> w = {0.3f, -0.6f};
  ChannelQuantization c = quantizeChannel(w, 0.5, 7, {});
  EXPECT_EQ(c.q, (std::vector<int64_t>{1, -1}));
  std::vector<double> mean = {2.0, 4.0};
  EXPECT_NEAR(correctedBias(1.0, w, c, mean), 0.2, 1e-6);
}

TEST(QuantRefinement, EqualizationScaleBalancesRanges) {
  EXPECT_DOUBLE_EQ(equalizationScale(8.0, 2.0), 2.0);
  // After scaling both ranges are sqrt(r1·r2).
  double s = equalizationScale(3.0, 12.0);
  EXPECT_DOUBLE_EQ(3.0 / s, 12.0 * s);
  EXPECT_EQ(equalizationScale(0.0, 1.0), 1.0);
  EXPECT_EQ(equalizationScale(1.0, 0.0), 1.0);
}

} // namespace
