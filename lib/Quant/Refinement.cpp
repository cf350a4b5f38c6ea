//===- Refinement.cpp - Teacher-guided weight quantization math -----------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//

#include "mote/Quant/Refinement.h"

#include "mote/Numerics/Numerics.h"

#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstdlib>
#include <string>

using namespace mote;
using namespace mote::quant;

void InputStatistics::addSampled(const float *x) {
  if (gram.empty())
    return;
  // The full k×k matrix: k is a few hundred at most (a conv patch or an FC
  // row), and zero inputs (padding, ReLU) are skipped.
  for (int64_t i = 0; i < k; ++i) {
    double xi = x[i];
    if (xi == 0.0)
      continue;
    double *row = gram.data() + i * k;
    for (int64_t j = 0; j < k; ++j)
      row[j] += xi * static_cast<double>(x[j]);
  }
  ++gramCount;
}

void InputStatistics::addToMean(const float *x) {
  for (int64_t i = 0; i < k; ++i)
    sum[i] += x[i];
  ++count;
}

std::vector<double> InputStatistics::mean() const {
  std::vector<double> m(k, 0.0);
  if (count > 0)
    for (int64_t i = 0; i < k; ++i)
      m[i] = sum[i] / static_cast<double>(count);
  return m;
}

double mote::quant::printedScale(double scale) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << scale;
  return std::strtod(os.str().c_str(), nullptr);
}

double mote::quant::outputError(llvm::ArrayRef<double> gram,
                                llvm::ArrayRef<double> d) {
  size_t k = d.size();
  double total = 0.0;
  for (size_t i = 0; i < k; ++i) {
    if (d[i] == 0.0)
      continue;
    const double *row = gram.data() + i * k;
    double dot = 0.0;
    for (size_t j = 0; j < k; ++j)
      dot += row[j] * d[j];
    total += d[i] * dot;
  }
  return total;
}

ChannelQuantization mote::quant::quantizeChannel(llvm::ArrayRef<float> w,
                                                 double scale, int64_t qmax,
                                                 llvm::ArrayRef<double> gram) {
  ChannelQuantization c;
  c.scale = scale;
  c.q.resize(w.size());
  std::vector<double> d(w.size());
  for (size_t i = 0; i < w.size(); ++i) {
    c.q[i] = numerics::quantize(w[i], scale, 0, -qmax, qmax);
    d[i] = numerics::dequantize(c.q[i], scale, 0) - static_cast<double>(w[i]);
  }
  c.error = gram.empty() ? 0.0 : outputError(gram, d);
  return c;
}

std::vector<double>
mote::quant::candidateScales(double maxAbs, int64_t qmax,
                             const ScaleSearchOptions &options) {
  std::vector<double> scales;
  if (!(maxAbs > 0.0) || qmax <= 0)
    return scales;
  unsigned steps = std::max(1u, options.steps);
  double lowest = std::min(1.0, std::max(1e-3, options.lowest));
  for (unsigned i = 0; i <= steps; ++i) {
    double alpha = 1.0 - (1.0 - lowest) * double(i) / double(steps);
    double s = printedScale(alpha * maxAbs / double(qmax));
    if (s > 0.0 && (scales.empty() || s != scales.back()))
      scales.push_back(s);
  }
  return scales;
}

ChannelQuantization
mote::quant::searchChannelScale(llvm::ArrayRef<float> w, int64_t qmax,
                                llvm::ArrayRef<double> gram,
                                const ScaleSearchOptions &options) {
  double maxAbs = 0.0;
  for (float v : w)
    maxAbs = std::max(maxAbs, std::fabs(static_cast<double>(v)));
  std::vector<double> scales = candidateScales(maxAbs, qmax, options);
  if (scales.empty())
    return quantizeChannel(w, 1.0, qmax, gram);
  ChannelQuantization best = quantizeChannel(w, scales[0], qmax, gram);
  for (size_t i = 1; i < scales.size(); ++i) {
    ChannelQuantization c = quantizeChannel(w, scales[i], qmax, gram);
    if (c.error < best.error)
      best = std::move(c);
  }
  return best;
}

double mote::quant::searchSharedScale(
    llvm::ArrayRef<llvm::ArrayRef<float>> channels,
    llvm::ArrayRef<llvm::ArrayRef<double>> grams, int64_t qmax,
    const ScaleSearchOptions &options) {
  double maxAbs = 0.0;
  for (llvm::ArrayRef<float> w : channels)
    for (float v : w)
      maxAbs = std::max(maxAbs, std::fabs(static_cast<double>(v)));
  std::vector<double> scales = candidateScales(maxAbs, qmax, options);
  if (scales.empty())
    return 1.0;
  double best = scales[0], bestError = 0.0;
  for (size_t i = 0; i < scales.size(); ++i) {
    double error = 0.0;
    for (size_t o = 0; o < channels.size(); ++o)
      error += quantizeChannel(channels[o], scales[i], qmax,
                               o < grams.size() ? grams[o]
                                                : llvm::ArrayRef<double>())
                   .error;
    if (i == 0 || error < bestError) {
      best = scales[i];
      bestError = error;
    }
  }
  return best;
}

unsigned mote::quant::refineRounding(llvm::ArrayRef<float> w, int64_t qmax,
                                     llvm::ArrayRef<double> gram,
                                     ChannelQuantization &c, unsigned passes) {
  size_t k = w.size();
  if (gram.size() != k * k || c.q.size() != k || !(c.scale > 0.0))
    return 0;
  double s = c.scale;
  // g = G d, kept up to date under every flip.
  std::vector<double> d(k), g(k, 0.0);
  for (size_t i = 0; i < k; ++i)
    d[i] = numerics::dequantize(c.q[i], s, 0) - static_cast<double>(w[i]);
  for (size_t i = 0; i < k; ++i) {
    const double *row = gram.data() + i * k;
    for (size_t j = 0; j < k; ++j)
      g[i] += row[j] * d[j];
  }
  unsigned flips = 0;
  for (unsigned pass = 0; pass < passes; ++pass) {
    unsigned flipsThisPass = 0;
    for (size_t j = 0; j < k; ++j) {
      // The other rounding of w_j/s: ceil if we sit at floor, and back.
      double ratio = static_cast<double>(w[j]) / s;
      int64_t lo = static_cast<int64_t>(std::floor(ratio));
      int64_t hi = static_cast<int64_t>(std::ceil(ratio));
      int64_t other;
      if (c.q[j] == lo && hi != lo)
        other = hi;
      else if (c.q[j] == hi && hi != lo)
        other = lo;
      else
        continue; // exact, or saturated outside [floor, ceil]
      if (other < -qmax || other > qmax)
        continue;
      double delta = s * static_cast<double>(other - c.q[j]);
      double gain = 2.0 * delta * g[j] + delta * delta * gram[j * k + j];
      if (!(gain < 0.0))
        continue;
      c.q[j] = other;
      d[j] += delta;
      c.error += gain;
      for (size_t i = 0; i < k; ++i)
        g[i] += delta * gram[i * k + j];
      ++flipsThisPass;
    }
    flips += flipsThisPass;
    if (flipsThisPass == 0)
      break;
  }
  // Recompute from scratch: no drift from the incremental updates.
  c.error = outputError(gram, d);
  return flips;
}

double mote::quant::correctedBias(double bias, llvm::ArrayRef<float> w,
                                  const ChannelQuantization &c,
                                  llvm::ArrayRef<double> mean) {
  double shift = 0.0;
  for (size_t i = 0; i < w.size() && i < mean.size(); ++i)
    shift += (numerics::dequantize(c.q[i], c.scale, 0) -
              static_cast<double>(w[i])) *
             mean[i];
  return bias - shift;
}

double mote::quant::equalizationScale(double r1, double r2) {
  if (!(r1 > 0.0) || !(r2 > 0.0) || !std::isfinite(r1) || !std::isfinite(r2))
    return 1.0;
  return std::sqrt(r1 / r2);
}
