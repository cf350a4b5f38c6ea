//===- Calibration.h - Activation statistics and clipping ranges -*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The statistics the calibrator collects for every tensor of a float network
// and the threshold math that turns them into a clipping range [lo, hi]:
// min/max, percentile, TensorRT-style KL divergence and MSE. MLIR-free so
// that it can be unit-tested on synthetic distributions.
//
// Collection takes two passes over the data: the first records min/max,
// which fixes the histogram's bin width (max |x| / 2048); the second fills a
// 2048-bin histogram of |x|. Histogram-based methods pick a threshold T on
// |x| and clip both tails with it: [max(min, −T), min(max, T)]. Every range
// includes 0 so that real zero (padding, ReLU) is exactly representable.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_QUANT_CALIBRATION_H
#define MOTE_QUANT_CALIBRATION_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace mote::quant {

enum class CalibrationMethod { MinMax, Percentile, KL, MSE };

/// Parses "minmax", "percentile", "kl" or "mse".
std::optional<CalibrationMethod> parseCalibrationMethod(llvm::StringRef name);
llvm::StringRef calibrationMethodName(CalibrationMethod method);

/// Number of histogram bins (TensorRT's 2048) and of KL target levels (128).
constexpr unsigned kHistogramBins = 2048;
constexpr unsigned kKLLevels = 128;

struct Range {
  double lo = 0.0, hi = 0.0;
};

/// Statistics of one tensor over all calibration samples.
class TensorStatistics {
public:
  /// Pass 1: widens min/max with `values` (NaNs are ignored).
  void observeRange(llvm::ArrayRef<float> values);
  /// Pass 2: adds |values| to the histogram over [0, max(|min|, |max|)]
  /// fixed by pass 1; values past the last edge land in the last bin.
  void observeHistogram(llvm::ArrayRef<float> values);

  bool hasData() const { return seen; }
  double min() const { return lo; }
  double max() const { return hi; }
  /// max(|min|, |max|): the histogram's upper edge.
  double absMax() const;
  double binWidth() const { return absMax() / kHistogramBins; }
  llvm::ArrayRef<double> histogram() const { return bins; }

  /// The clipping range for `method` (`percentile` in percent, e.g. 99.99).
  /// Always contains 0; without data it is [0, 0].
  Range computeRange(CalibrationMethod method, double percentile,
                     unsigned bits = 8) const;

private:
  bool seen = false;
  double lo = 0.0, hi = 0.0;
  std::vector<double> bins;
};

/// Threshold math on a histogram of |x| with bins of width `binWidth`
/// (bin i covers [i·w, (i+1)·w)). Each returns a threshold T > 0 on |x|,
/// or 0 for an empty histogram.

/// Smallest upper bin edge below which `percentile`% of the mass lies.
double percentileThreshold(llvm::ArrayRef<double> hist, double binWidth,
                           double percentile);

/// TensorRT entropy calibration: for i = levels … bins, P = first i bins
/// with the tail folded into bin i−1, Q = the first i bins merged into
/// `levels` groups and expanded uniformly over each group's non-empty bins;
/// T = i·w for the i minimising KL(P‖Q).
double klThreshold(llvm::ArrayRef<double> hist, double binWidth,
                   unsigned levels = kKLLevels);

/// Minimises the expected squared error of quantizing |x| with `steps`
/// uniform steps on [0, T]: clipped mass contributes (x − T)², the rest the
/// uniform rounding noise step²/12.
double mseThreshold(llvm::ArrayRef<double> hist, double binWidth,
                    unsigned steps);

} // namespace mote::quant

#endif // MOTE_QUANT_CALIBRATION_H
