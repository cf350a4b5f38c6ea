//===- Refinement.cpp - Teacher-guided weight quantization math -----------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//

#include "mote/Quant/Refinement.h"

#include "RefinementKernels.h"

#include "mote/Numerics/Numerics.h"

#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

using namespace mote;
using namespace mote::quant;

namespace {
// The kernels' widest build the CPU runs (RefinementKernels.h).
#ifdef MOTE_QUANT_AVX
bool useAvx() {
  static const bool avx = __builtin_cpu_supports("avx");
  return avx;
}
#endif

void blockDots(const double *gram, size_t k, const double *d, double *dots) {
#ifdef MOTE_QUANT_AVX
  if (useAvx())
    return kernels::blockDotsAvx(gram, k, d, dots);
#endif
  kernels::blockDots(gram, k, d, dots);
}

void gramUpperRows(double *gram, int64_t k, const double *xs, int64_t m) {
#ifdef MOTE_QUANT_AVX
  if (useAvx())
    return kernels::gramUpperRowsAvx(gram, k, xs, m);
#endif
  kernels::gramUpperRows(gram, k, xs, m);
}
} // namespace

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

void InputStatistics::addSampledBatch(const float *xs, int64_t n) {
  if (gram.empty() || n <= 0)
    return;
  // Each element of G sums the same products in the same order as n calls
  // of addSampled, row by row over the batch (the row stays in cache). G
  // is symmetric bit for bit (the products of two floats are exact in
  // double, and a skipped zero input only leaves out terms that add 0), so
  // only j >= i is summed and the rest mirrored.
  // Chunks of vectors small enough to stay in cache while G streams by.
  constexpr int64_t kChunk = 32;
  std::vector<double> xd(size_t(std::min(n, kChunk)) * k);
  for (int64_t first = 0; first < n; first += kChunk) {
    int64_t m = std::min(kChunk, n - first);
    for (int64_t e = 0; e < m * k; ++e)
      xd[e] = xs[first * k + e];
    gramUpperRows(gram.data(), k, xd.data(), m);
  }
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = i + 1; j < k; ++j)
      gram[j * k + i] = gram[i * k + j];
  gramCount += n;
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

/// The dot products (G d)[i] of rows `rows[0..n)` (n <= 4), each summed
/// over j in order from 0.0: the same doubles as one row at a time, with
/// four independent chains in flight instead of one.
static void rowDots(const double *gram, const double *d, size_t k,
                    const size_t *rows, size_t n, double *out) {
  const double *r[4];
  for (size_t t = 0; t < 4; ++t)
    r[t] = gram + rows[t < n ? t : 0] * k;
  double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
  for (size_t j = 0; j < k; ++j) {
    double dj = d[j];
    a0 += r[0][j] * dj;
    a1 += r[1][j] * dj;
    a2 += r[2][j] * dj;
    a3 += r[3][j] * dj;
  }
  double a[4] = {a0, a1, a2, a3};
  for (size_t t = 0; t < n; ++t)
    out[t] = a[t];
}

double mote::quant::outputError(llvm::ArrayRef<double> gram,
                                llvm::ArrayRef<double> d) {
  // Σ_i d_i (Σ_j G_ij d_j) over the rows with d_i != 0, in row order.
  size_t k = d.size();
  std::vector<size_t> rows;
  for (size_t i = 0; i < k; ++i)
    if (d[i] != 0.0)
      rows.push_back(i);
  double total = 0.0;
  for (size_t at = 0; at < rows.size(); at += 4) {
    size_t n = std::min<size_t>(4, rows.size() - at);
    double dots[4];
    rowDots(gram.data(), d.data(), k, rows.data() + at, n, dots);
    for (size_t t = 0; t < n; ++t)
      total += d[rows[at + t]] * dots[t];
  }
  return total;
}

namespace {
using kernels::kBlock;


/// outputError of the `kBlock` columns of `d` (k x kBlock, row-major), and
/// every row's G d into `dots` (k x kBlock): per column the operations of
/// outputError in its order (a zero d_i adds exactly 0.0 where outputError
/// skips the row; a sum of these terms is never -0.0, so that is exact).
void errorsOfBlock(const double *gram, size_t k, const double *d,
                   double *errors, double *dots) {
  blockDots(gram, k, d, dots);
  double total[kBlock] = {};
  for (size_t i = 0; i < k; ++i)
    for (size_t b = 0; b < kBlock; ++b) {
      double di = d[i * kBlock + b];
      total[b] += di != 0.0 ? di * dots[i * kBlock + b] : 0.0;
    }
  std::copy_n(total, kBlock, errors);
}
} // namespace

void mote::quant::outputErrors(llvm::ArrayRef<double> gram,
                               llvm::ArrayRef<std::vector<double>> ds,
                               llvm::MutableArrayRef<double> errors,
                               std::vector<std::vector<double>> *dots) {
  if (ds.empty())
    return;
  size_t k = ds.front().size();
  std::vector<double> block(k * kBlock), blockDots(k * kBlock),
      blockErrors(kBlock);
  if (dots)
    dots->assign(ds.size(), std::vector<double>(k));
  for (size_t first = 0; first < ds.size(); first += kBlock) {
    size_t n = std::min(kBlock, ds.size() - first);
    std::fill(block.begin(), block.end(), 0.0);
    for (size_t b = 0; b < n; ++b)
      for (size_t i = 0; i < k; ++i)
        block[i * kBlock + b] = ds[first + b][i];
    errorsOfBlock(gram.data(), k, block.data(), blockErrors.data(),
                  blockDots.data());
    for (size_t b = 0; b < n; ++b) {
      errors[first + b] = blockErrors[b];
      if (dots)
        for (size_t i = 0; i < k; ++i)
          (*dots)[first + b][i] = blockDots[i * kBlock + b];
    }
  }
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
                                     ChannelQuantization &c, unsigned passes,
                                     std::vector<double> *gd) {
  size_t k = w.size();
  if (gram.size() != k * k || c.q.size() != k || !(c.scale > 0.0))
    return 0;
  double s = c.scale;
  // g = G d, kept up to date under every flip.
  std::vector<double> d(k), g;
  for (size_t i = 0; i < k; ++i)
    d[i] = numerics::dequantize(c.q[i], s, 0) - static_cast<double>(w[i]);
  if (gd && gd->size() == k) {
    g = std::move(*gd);
  } else {
    g.assign(k, 0.0);
    std::vector<size_t> rows(k);
    for (size_t i = 0; i < k; ++i)
      rows[i] = i;
    for (size_t at = 0; at < k; at += 4)
      rowDots(gram.data(), d.data(), k, rows.data() + at,
              std::min<size_t>(4, k - at), g.data() + at);
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
      // Column j of G is its row j (a Gram matrix is symmetric, bit for
      // bit: both are sums of the same exact products in sample order).
      const double *row = gram.data() + j * k;
      for (size_t i = 0; i < k; ++i)
        g[i] += delta * row[i];
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

ChannelRefinement
mote::quant::refineChannel(llvm::ArrayRef<float> w, double scale, int64_t qmax,
                           llvm::ArrayRef<double> gram,
                           const ChannelRefinementOptions &options) {
  ChannelRefinement r;
  size_t k = w.size();
  bool haveGram = !gram.empty();
  // The vectors whose errors one pass over G gives: the plain rounding's
  // d, w itself (the output energy), then each candidate scale's d.
  std::vector<double> candidates;
  if (haveGram && options.search) {
    double maxAbs = 0.0;
    for (float v : w)
      maxAbs = std::max(maxAbs, std::fabs(static_cast<double>(v)));
    candidates = candidateScales(maxAbs, qmax, options.scaleSearch);
    if (candidates.empty())
      candidates.push_back(1.0);
  }
  std::vector<ChannelQuantization> quantized;
  std::vector<std::vector<double>> ds;
  auto add = [&](double s) {
    ChannelQuantization c;
    c.scale = s;
    c.q.resize(k);
    std::vector<double> d(k);
    for (size_t i = 0; i < k; ++i) {
      c.q[i] = numerics::quantize(w[i], s, 0, -qmax, qmax);
      d[i] = numerics::dequantize(c.q[i], s, 0) - static_cast<double>(w[i]);
    }
    quantized.push_back(std::move(c));
    ds.push_back(std::move(d));
  };
  add(scale);
  if (haveGram)
    ds.emplace_back(w.begin(), w.end());
  for (double s : candidates)
    add(s);
  std::vector<double> errors(ds.size(), 0.0);
  std::vector<std::vector<double>> dots;
  bool round = haveGram && options.adaround;
  if (haveGram)
    outputErrors(gram, ds, errors, round ? &dots : nullptr);
  r.base = quantized[0];
  r.base.error = errors[0];
  if (haveGram)
    r.energy = errors[1];
  // searchChannelScale's choice: the first of the least error.
  size_t best = 0;
  if (!candidates.empty()) {
    best = 2;
    for (size_t i = 3; i < ds.size(); ++i)
      if (errors[i] < errors[best])
        best = i;
  }
  size_t at = best == 0 ? 0 : best - 1; // `quantized` has no energy entry
  r.result = std::move(quantized[at]);
  r.result.error = errors[best];
  if (round)
    r.flips = refineRounding(w, qmax, gram, r.result, options.adaroundPasses,
                             &dots[best]);
  return r;
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
