//===- Calibration.cpp - Activation statistics and clipping ranges --------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//

#include "mote/Quant/Calibration.h"

#include "llvm/ADT/StringSwitch.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace mote::quant;

std::optional<CalibrationMethod>
mote::quant::parseCalibrationMethod(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<CalibrationMethod>>(name)
      .Case("minmax", CalibrationMethod::MinMax)
      .Case("percentile", CalibrationMethod::Percentile)
      .Case("kl", CalibrationMethod::KL)
      .Case("mse", CalibrationMethod::MSE)
      .Default(std::nullopt);
}

llvm::StringRef mote::quant::calibrationMethodName(CalibrationMethod method) {
  switch (method) {
  case CalibrationMethod::MinMax: return "minmax";
  case CalibrationMethod::Percentile: return "percentile";
  case CalibrationMethod::KL: return "kl";
  case CalibrationMethod::MSE: return "mse";
  }
  return "?";
}

//===----------------------------------------------------------------------===//
// TensorStatistics
//===----------------------------------------------------------------------===//

void TensorStatistics::observeRange(llvm::ArrayRef<float> values) {
  for (float v : values) {
    if (std::isnan(v))
      continue;
    if (!seen) {
      lo = hi = v;
      seen = true;
      continue;
    }
    lo = std::min<double>(lo, v);
    hi = std::max<double>(hi, v);
  }
}

double TensorStatistics::absMax() const {
  double m = std::max(std::fabs(lo), std::fabs(hi));
  return std::isfinite(m) ? m : std::numeric_limits<double>::max();
}

void TensorStatistics::observeHistogram(llvm::ArrayRef<float> values) {
  if (bins.empty())
    bins.assign(kHistogramBins, 0.0);
  double width = binWidth();
  if (!(width > 0.0)) {
    // All-zero tensor: everything is in bin 0.
    bins[0] += values.size();
    return;
  }
  double inv = 1.0 / width;
  for (float v : values) {
    if (std::isnan(v))
      continue;
    double index = std::fabs(static_cast<double>(v)) * inv;
    size_t i = index >= kHistogramBins ? kHistogramBins - 1
                                       : static_cast<size_t>(index);
    bins[i] += 1.0;
  }
}

Range TensorStatistics::computeRange(CalibrationMethod method,
                                     double percentile, unsigned bits) const {
  if (!seen)
    return {};
  Range r{std::min(lo, 0.0), std::max(hi, 0.0)};
  if (method == CalibrationMethod::MinMax || bins.empty() ||
      !(binWidth() > 0.0))
    return r;
  double t = 0.0;
  switch (method) {
  case CalibrationMethod::Percentile:
    t = percentileThreshold(bins, binWidth(), percentile);
    break;
  case CalibrationMethod::KL: {
    // One-signed data (after ReLU) spends all 2^b − 1 steps on [0, T],
    // signed data half of them on each side. The exact-zero spike that ReLU
    // leaves in bin 0 would make P look like a point mass and drag T down
    // (the post-ReLU layers of the Fashion-MNIST model lost 90 % of their
    // range and the model its accuracy); as in NVIDIA's pytorch-quantization,
    // bin 0 takes bin 1's count before the search.
    bool oneSigned = lo >= 0.0 || hi <= 0.0;
    unsigned levels = static_cast<unsigned>(
        oneSigned ? std::ldexp(1.0, bits) - 1.0 : std::ldexp(1.0, bits - 1));
    std::vector<double> hist = bins;
    if (hist.size() > 1)
      hist[0] = hist[1];
    t = klThreshold(hist, binWidth(), std::max(1u, levels));
    break;
  }
  case CalibrationMethod::MSE: {
    // Steps of the grid over [0, T]: all of them for one-signed data, half
    // for data that straddles 0 (the grid then spans [−T, T]).
    double levels = std::ldexp(1.0, bits) - 1.0;
    bool oneSigned = lo >= 0.0 || hi <= 0.0;
    unsigned steps = static_cast<unsigned>(oneSigned ? levels : levels / 2);
    t = mseThreshold(bins, binWidth(), std::max(1u, steps));
    break;
  }
  case CalibrationMethod::MinMax:
    break;
  }
  if (!(t > 0.0))
    return r;
  r.lo = std::max(r.lo, -t);
  r.hi = std::min(r.hi, t);
  return r;
}

//===----------------------------------------------------------------------===//
// Thresholds
//===----------------------------------------------------------------------===//

static double total(llvm::ArrayRef<double> hist) {
  double sum = 0.0;
  for (double h : hist)
    sum += h;
  return sum;
}

double mote::quant::percentileThreshold(llvm::ArrayRef<double> hist,
                                        double binWidth, double percentile) {
  double sum = total(hist);
  if (!(sum > 0.0))
    return 0.0;
  double target = std::clamp(percentile, 0.0, 100.0) / 100.0 * sum;
  double cumulative = 0.0;
  for (size_t i = 0; i < hist.size(); ++i) {
    cumulative += hist[i];
    if (cumulative >= target)
      return (i + 1) * binWidth;
  }
  return hist.size() * binWidth;
}

double mote::quant::klThreshold(llvm::ArrayRef<double> hist, double binWidth,
                                unsigned levels) {
  size_t n = hist.size();
  if (!(total(hist) > 0.0) || levels == 0)
    return 0.0;
  if (n <= levels)
    return n * binWidth;
  // Suffix sums give the folded tail in O(1).
  std::vector<double> tail(n + 1, 0.0);
  for (size_t i = n; i-- > 0;)
    tail[i] = tail[i + 1] + hist[i];

  double bestKL = std::numeric_limits<double>::infinity();
  size_t bestI = n;
  std::vector<double> p, q;
  for (size_t i = levels; i <= n; ++i) {
    p.assign(hist.begin(), hist.begin() + i);
    p[i - 1] += tail[i];
    // Q: merge the first i bins (without the folded tail) into `levels`
    // groups and spread each group's mass over its non-empty bins.
    q.assign(i, 0.0);
    for (unsigned g = 0; g < levels; ++g) {
      size_t begin = g * i / levels, end = (g + 1) * i / levels;
      double mass = 0.0;
      size_t nonEmpty = 0;
      for (size_t j = begin; j < end; ++j) {
        mass += hist[j];
        nonEmpty += hist[j] != 0.0;
      }
      if (nonEmpty == 0)
        continue;
      for (size_t j = begin; j < end; ++j)
        if (hist[j] != 0.0)
          q[j] = mass / nonEmpty;
    }
    double pSum = total(p), qSum = total(q);
    if (!(pSum > 0.0) || !(qSum > 0.0))
      continue;
    // KL(P‖Q) over P's support; Q is non-zero wherever the unfolded P is,
    // and a tiny floor covers the folded last bin.
    double kl = 0.0;
    for (size_t j = 0; j < i; ++j) {
      if (p[j] == 0.0)
        continue;
      double pj = p[j] / pSum;
      double qj = std::max(q[j] / qSum, 1e-12);
      kl += pj * std::log(pj / qj);
    }
    if (kl < bestKL) {
      bestKL = kl;
      bestI = i;
    }
  }
  return bestI * binWidth;
}

double mote::quant::mseThreshold(llvm::ArrayRef<double> hist, double binWidth,
                                 unsigned steps) {
  size_t n = hist.size();
  if (!(total(hist) > 0.0) || steps == 0)
    return 0.0;
  // Prefix sums of count, count·c and count·c² (c = bin centre) make each
  // candidate O(1): the clipped error Σ_{c > T} n(c − T)² expands into them.
  std::vector<double> c0(n + 1, 0.0), c1(n + 1, 0.0), c2(n + 1, 0.0);
  for (size_t i = 0; i < n; ++i) {
    double c = (i + 0.5) * binWidth;
    c0[i + 1] = c0[i] + hist[i];
    c1[i + 1] = c1[i] + hist[i] * c;
    c2[i + 1] = c2[i] + hist[i] * c * c;
  }
  double best = std::numeric_limits<double>::infinity();
  size_t bestK = n;
  for (size_t k = 1; k <= n; ++k) {
    double t = k * binWidth;
    double step = t / steps;
    double inside = c0[k];
    double tn = c0[n] - c0[k], t1 = c1[n] - c1[k], t2 = c2[n] - c2[k];
    double clipped = t2 - 2.0 * t * t1 + t * t * tn;
    double err = inside * step * step / 12.0 + clipped;
    if (err < best) {
      best = err;
      bestK = k;
    }
  }
  return bestK * binWidth;
}
