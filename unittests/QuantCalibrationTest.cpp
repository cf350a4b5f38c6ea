//===- QuantCalibrationTest.cpp - Calibration threshold math --------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The range methods on synthetic distributions: minmax keeps every
// outlier, KL and MSE clip the heavy tail of a Laplace distribution but
// keep (almost) all of a uniform one, percentile clips what it is told.
//
//===----------------------------------------------------------------------===//

#include "mote/Quant/Calibration.h"

#include "gtest/gtest.h"

#include <random>

using namespace mote::quant;

namespace {

TensorStatistics collect(const std::vector<float> &values) {
  TensorStatistics s;
  s.observeRange(values);
  s.observeHistogram(values);
  return s;
}

std::vector<float> gaussian(size_t n, unsigned seed = 1) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.0f, 1.0f);
  std::vector<float> v(n);
  for (float &x : v)
    x = d(rng);
  return v;
}

std::vector<float> laplace(size_t n, unsigned seed = 2) {
  std::mt19937 rng(seed);
  std::exponential_distribution<float> e(1.0f);
  std::bernoulli_distribution sign(0.5);
  std::vector<float> v(n);
  for (float &x : v)
    x = sign(rng) ? e(rng) : -e(rng);
  return v;
}

std::vector<float> uniform(size_t n, unsigned seed = 3) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float &x : v)
    x = d(rng);
  return v;
}

TEST(Calibration, ParseMethod) {
  EXPECT_EQ(parseCalibrationMethod("kl"), CalibrationMethod::KL);
  EXPECT_EQ(parseCalibrationMethod("minmax"), CalibrationMethod::MinMax);
  EXPECT_FALSE(parseCalibrationMethod("entropy").has_value());
  EXPECT_EQ(calibrationMethodName(CalibrationMethod::MSE), "mse");
}

TEST(Calibration, MinMaxIsExactAndIncludesZero) {
  TensorStatistics s = collect({0.5f, 2.0f, 1.25f});
  Range r = s.computeRange(CalibrationMethod::MinMax, 99.99);
  EXPECT_EQ(r.lo, 0.0);
  EXPECT_EQ(r.hi, 2.0);
  TensorStatistics neg = collect({-3.0f, -1.0f});
  r = neg.computeRange(CalibrationMethod::MinMax, 99.99);
  EXPECT_EQ(r.lo, -3.0);
  EXPECT_EQ(r.hi, 0.0);
}

TEST(Calibration, EmptyAndZeroTensors) {
  TensorStatistics none;
  Range r = none.computeRange(CalibrationMethod::KL, 99.99);
  EXPECT_EQ(r.lo, 0.0);
  EXPECT_EQ(r.hi, 0.0);
  TensorStatistics zeros = collect(std::vector<float>(100, 0.0f));
  r = zeros.computeRange(CalibrationMethod::MSE, 99.99);
  EXPECT_EQ(r.lo, 0.0);
  EXPECT_EQ(r.hi, 0.0);
}

TEST(Calibration, NaNsAreIgnored) {
  TensorStatistics s = collect({1.0f, NAN, -2.0f});
  EXPECT_EQ(s.min(), -2.0);
  EXPECT_EQ(s.max(), 1.0);
}

TEST(Calibration, HeavyTailIsClippedByKLAndMSE) {
  std::vector<float> v = laplace(200000);
  v.push_back(40.0f); // one far outlier
  TensorStatistics s = collect(v);
  Range mm = s.computeRange(CalibrationMethod::MinMax, 99.99);
  Range kl = s.computeRange(CalibrationMethod::KL, 99.99);
  Range mse = s.computeRange(CalibrationMethod::MSE, 99.99);
  EXPECT_EQ(mm.hi, 40.0);
  // Laplace(1): P(|x| > 12) ≈ 6e-6. Both clip far below the outlier but
  // keep the bulk (|x| < 4 holds 98%).
  EXPECT_LT(kl.hi, 20.0);
  EXPECT_GT(kl.hi, 4.0);
  EXPECT_LT(mse.hi, 20.0);
  EXPECT_GT(mse.hi, 4.0);
  EXPECT_NEAR(kl.lo, -kl.hi, 1e-9 + std::max(0.0, -mm.lo - kl.hi));
}

TEST(Calibration, GaussianOutlierIsClipped) {
  std::vector<float> v = gaussian(100000);
  v.push_back(-30.0f);
  TensorStatistics s = collect(v);
  Range kl = s.computeRange(CalibrationMethod::KL, 99.99);
  Range mse = s.computeRange(CalibrationMethod::MSE, 99.99);
  Range pct = s.computeRange(CalibrationMethod::Percentile, 99.99);
  EXPECT_EQ(s.computeRange(CalibrationMethod::MinMax, 99.99).lo, -30.0);
  // MSE weighs the outlier's squared clipping error (26² once) against the
  // rounding noise of 100000 values: it widens the range, but not fully.
  EXPECT_GT(mse.lo, -30.0);
  for (Range r : {kl, pct}) {
    EXPECT_GT(r.lo, -10.0);
    EXPECT_LT(r.lo, -2.5);
  }
  // 99.99% of |N(0,1)| lies below 3.89.
  EXPECT_NEAR(pct.hi, 3.9, 0.3);
}

TEST(Calibration, UniformIsNotClipped) {
  TensorStatistics s = collect(uniform(100000));
  Range mm = s.computeRange(CalibrationMethod::MinMax, 99.99);
  Range kl = s.computeRange(CalibrationMethod::KL, 99.99);
  Range mse = s.computeRange(CalibrationMethod::MSE, 99.99);
  EXPECT_GT(kl.hi, 0.9 * mm.hi);
  EXPECT_GT(mse.hi, 0.95 * mm.hi);
  EXPECT_LE(kl.hi, mm.hi);
}

TEST(Calibration, PercentileThreshold) {
  // 100 values in bin 0..99, one each: the 50th percentile ends at bin 49.
  std::vector<double> hist(100, 1.0);
  EXPECT_DOUBLE_EQ(percentileThreshold(hist, 0.5, 50.0), 25.0);
  EXPECT_DOUBLE_EQ(percentileThreshold(hist, 0.5, 100.0), 50.0);
  EXPECT_EQ(percentileThreshold(std::vector<double>(10, 0.0), 1.0, 50.0), 0.0);
}

TEST(Calibration, MseFewerStepsClipMore) {
  std::vector<float> v = laplace(100000);
  TensorStatistics s = collect(v);
  double t8 = mseThreshold(s.histogram(), s.binWidth(), 127);
  double t4 = mseThreshold(s.histogram(), s.binWidth(), 7);
  EXPECT_LT(t4, t8);
}

} // namespace
