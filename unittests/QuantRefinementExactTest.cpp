//===- QuantRefinementExactTest.cpp - Fast refinement paths are exact -----===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The refinement's fast paths (the Gram matrix summed in batches over its
// upper triangle, the output errors of all candidate scales in one pass
// over G, the rounding refinement started from those products) against
// the scalar code they replaced, kept here as the reference: the same
// doubles, the same chosen scales and roundings, bit for bit, on layers
// with ReLU-like inputs (many exact zeros), zero weights and every size
// class of the kernels' blocking; and the kernels' AVX build against the
// default one.
//
//===----------------------------------------------------------------------===//

#include "../lib/Quant/RefinementKernels.h"

#include "mote/Quant/Refinement.h"

#include "mote/Numerics/Numerics.h"

#include "gtest/gtest.h"

#include <cmath>
#include <random>

using namespace mote;
using namespace mote::quant;

namespace {

//===----------------------------------------------------------------------===//
// The reference: the scalar code before the batched paths
//===----------------------------------------------------------------------===//

void refAddSampled(std::vector<double> &gram, int64_t k, const float *x) {
  for (int64_t i = 0; i < k; ++i) {
    double xi = x[i];
    if (xi == 0.0)
      continue;
    double *row = gram.data() + i * k;
    for (int64_t j = 0; j < k; ++j)
      row[j] += xi * static_cast<double>(x[j]);
  }
}

double refOutputError(const std::vector<double> &gram,
                      const std::vector<double> &d) {
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

ChannelQuantization refQuantizeChannel(const std::vector<float> &w,
                                       double scale, int64_t qmax,
                                       const std::vector<double> &gram) {
  ChannelQuantization c;
  c.scale = scale;
  c.q.resize(w.size());
  std::vector<double> d(w.size());
  for (size_t i = 0; i < w.size(); ++i) {
    c.q[i] = numerics::quantize(w[i], scale, 0, -qmax, qmax);
    d[i] = numerics::dequantize(c.q[i], scale, 0) - static_cast<double>(w[i]);
  }
  c.error = gram.empty() ? 0.0 : refOutputError(gram, d);
  return c;
}

ChannelQuantization refSearch(const std::vector<float> &w, int64_t qmax,
                              const std::vector<double> &gram,
                              const ScaleSearchOptions &options) {
  double maxAbs = 0.0;
  for (float v : w)
    maxAbs = std::max(maxAbs, std::fabs(static_cast<double>(v)));
  std::vector<double> scales = candidateScales(maxAbs, qmax, options);
  if (scales.empty())
    return refQuantizeChannel(w, 1.0, qmax, gram);
  ChannelQuantization best = refQuantizeChannel(w, scales[0], qmax, gram);
  for (size_t i = 1; i < scales.size(); ++i) {
    ChannelQuantization c = refQuantizeChannel(w, scales[i], qmax, gram);
    if (c.error < best.error)
      best = std::move(c);
  }
  return best;
}

unsigned refRefineRounding(const std::vector<float> &w, int64_t qmax,
                           const std::vector<double> &gram,
                           ChannelQuantization &c, unsigned passes) {
  size_t k = w.size();
  double s = c.scale;
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
      double ratio = static_cast<double>(w[j]) / s;
      int64_t lo = static_cast<int64_t>(std::floor(ratio));
      int64_t hi = static_cast<int64_t>(std::ceil(ratio));
      int64_t other;
      if (c.q[j] == lo && hi != lo)
        other = hi;
      else if (c.q[j] == hi && hi != lo)
        other = lo;
      else
        continue;
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
  c.error = refOutputError(gram, d);
  return flips;
}

//===----------------------------------------------------------------------===//
// Random layers
//===----------------------------------------------------------------------===//

/// `n` input vectors of length k: ReLU'd Gaussians (about half exact
/// zeros), some inputs correlated so that rounding errors can cancel.
std::vector<float> reluInputs(int64_t n, int64_t k, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::vector<float> xs(n * k);
  for (int64_t s = 0; s < n; ++s) {
    float common = nd(rng);
    for (int64_t i = 0; i < k; ++i) {
      float v = nd(rng) + (i % 3 == 0 ? common : 0.0f);
      xs[s * k + i] = v > 0.0f ? v : 0.0f;
    }
  }
  return xs;
}

/// A channel of Gaussian weights with an outlier, some exact zeros and
/// (for `zero`) nothing else.
std::vector<float> channelWeights(int64_t k, unsigned seed, bool zero) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> nd(0.0f, 0.1f);
  std::vector<float> w(k, 0.0f);
  if (zero)
    return w;
  for (int64_t i = 0; i < k; ++i)
    w[i] = i % 7 == 5 ? 0.0f : nd(rng);
  w[k / 2] = 0.9f;
  return w;
}

void expectSame(const ChannelQuantization &a, const ChannelQuantization &b,
                const char *what, int64_t k, int64_t channel) {
  EXPECT_EQ(a.scale, b.scale) << what << " k " << k << " channel " << channel;
  EXPECT_EQ(a.q, b.q) << what << " k " << k << " channel " << channel;
  EXPECT_EQ(a.error, b.error) << what << " k " << k << " channel " << channel;
}

TEST(QuantRefinementExact, GramBatchesEqualOneVectorAtATime) {
  for (int64_t k : {1, 2, 5, 27, 64, 151}) {
    for (int64_t n : {1, 31, 32, 33, 100}) {
      std::vector<float> xs = reluInputs(n, k, unsigned(k * 1000 + n));
      std::vector<double> want(k * k, 0.0);
      for (int64_t s = 0; s < n; ++s)
        refAddSampled(want, k, xs.data() + s * k);
      InputStatistics batched(k), single(k);
      // Two batches and a single vector: the matrix stays symmetric and
      // exact between calls.
      batched.addSampledBatch(xs.data(), n / 2);
      batched.addSampledBatch(xs.data() + (n / 2) * k, n - n / 2 - 1);
      batched.addSampled(xs.data() + (n - 1) * k);
      for (int64_t s = 0; s < n; ++s)
        single.addSampled(xs.data() + s * k);
      EXPECT_EQ(batched.gram, want) << "k " << k << " n " << n;
      EXPECT_EQ(single.gram, want) << "k " << k << " n " << n;
      EXPECT_EQ(batched.gramCount, n);
    }
  }
}

TEST(QuantRefinementExact, BatchedErrorsEqualTheScalarOnes) {
  std::mt19937 rng(11);
  std::normal_distribution<double> nd(0.0, 1.0);
  for (int64_t k : {1, 3, 8, 27, 64, 75}) {
    std::vector<float> xs = reluInputs(200, k, unsigned(k));
    InputStatistics st(k);
    st.addSampledBatch(xs.data(), 200);
    for (size_t vectors : {size_t(1), size_t(7), size_t(8), size_t(9),
                           size_t(23)}) {
      std::vector<std::vector<double>> ds(vectors, std::vector<double>(k));
      for (auto &d : ds)
        for (int64_t i = 0; i < k; ++i)
          d[i] = i % 4 == 1 ? 0.0 : nd(rng);
      std::vector<double> errors(vectors);
      std::vector<std::vector<double>> dots;
      outputErrors(st.gram, ds, errors, &dots);
      for (size_t v = 0; v < vectors; ++v) {
        EXPECT_EQ(errors[v], refOutputError(st.gram, ds[v])) << "k " << k;
        EXPECT_EQ(outputError(st.gram, ds[v]), refOutputError(st.gram, ds[v]));
        for (int64_t i = 0; i < k; ++i) {
          double dot = 0.0;
          for (int64_t j = 0; j < k; ++j)
            dot += st.gram[i * k + j] * ds[v][j];
          EXPECT_EQ(dots[v][i], dot) << "k " << k << " row " << i;
        }
      }
    }
  }
}

TEST(QuantRefinementExact, ChannelRefinementEqualsTheScalarPath) {
  ScaleSearchOptions search;
  for (int64_t k : {1, 4, 9, 27, 64, 147}) {
    std::vector<float> xs = reluInputs(300, k, unsigned(7 * k));
    InputStatistics st(k);
    st.addSampledBatch(xs.data(), 300);
    for (int64_t qmax : {7, 127}) {
      for (int64_t o = 0; o < 6; ++o) {
        std::vector<float> w = channelWeights(k, unsigned(k * 10 + o), o == 5);
        double maxAbs = 0.0;
        for (float v : w)
          maxAbs = std::max(maxAbs, std::fabs(double(v)));
        double scale = printedScale((maxAbs > 0.0 ? maxAbs : 1.0) / qmax);
        bool zero = maxAbs == 0.0;
        for (int mode = 0; mode < 4; ++mode) {
          ChannelRefinementOptions options;
          options.search = (mode & 1) && !zero;
          options.adaround = mode & 2;
          // The old refineWeights' sequence of calls.
          ChannelQuantization base = refQuantizeChannel(w, scale, qmax,
                                                        st.gram);
          std::vector<double> wd(w.begin(), w.end());
          double energy = refOutputError(st.gram, wd);
          ChannelQuantization want = base;
          if (options.search)
            want = refSearch(w, qmax, st.gram, search);
          unsigned flips = 0;
          if (options.adaround)
            flips = refRefineRounding(w, qmax, st.gram, want, 4);
          ChannelRefinement got =
              refineChannel(w, scale, qmax, st.gram, options);
          expectSame(got.base, base, "base", k, o);
          EXPECT_EQ(got.energy, energy) << "k " << k << " channel " << o;
          expectSame(got.result, want, "result", k, o);
          EXPECT_EQ(got.flips, flips) << "k " << k << " channel " << o;
          // refineRounding on its own (no precomputed G d) agrees too.
          if (options.adaround) {
            ChannelQuantization c = options.search
                                        ? refSearch(w, qmax, st.gram, search)
                                        : base;
            EXPECT_EQ(refineRounding(w, qmax, st.gram, c, 4), flips);
            expectSame(c, want, "refineRounding", k, o);
          }
        }
      }
    }
  }
  // Without a Gram matrix: plain rounding, no error, nothing refined.
  std::vector<float> w = channelWeights(16, 3, false);
  ChannelRefinementOptions options;
  options.search = options.adaround = true;
  ChannelRefinement got = refineChannel(w, 0.01, 127, {}, options);
  expectSame(got.base, refQuantizeChannel(w, 0.01, 127, {}), "no gram", 16, 0);
  expectSame(got.result, got.base, "no gram", 16, 0);
  EXPECT_EQ(got.flips, 0u);
}

} // namespace

namespace {

// The kernels' two builds (default vectors, and AVX where the CPU has it)
// against the sequential sums, bit for bit.
TEST(QuantRefinementExact, KernelBuildsAgree) {
  std::mt19937 rng(17);
  std::normal_distribution<double> nd(0.0, 1.0);
  constexpr size_t b = kernels::kBlock;
  for (int64_t k : {1, 2, 3, 5, 8, 27, 64, 131}) {
    std::vector<float> xs = reluInputs(40, k, unsigned(3 * k));
    std::vector<double> xd(xs.begin(), xs.end());
    std::vector<double> gram(k * k, 0.0);
    kernels::gramUpperRows(gram.data(), k, xd.data(), 40);
    std::vector<double> want(k * k, 0.0);
    for (int64_t s = 0; s < 40; ++s)
      for (int64_t i = 0; i < k; ++i) {
        double xi = xd[s * k + i];
        if (xi == 0.0)
          continue;
        for (int64_t j = i; j < k; ++j)
          want[i * k + j] += xi * xd[s * k + j];
      }
    EXPECT_EQ(gram, want) << "k " << k;
    std::vector<double> d(k * b), dots(k * b), wantDots(k * b);
    for (double &v : d)
      v = nd(rng);
    for (int64_t i = 0; i < k; ++i)
      for (size_t c = 0; c < b; ++c) {
        double dot = 0.0;
        for (int64_t j = 0; j < k; ++j)
          dot += want[i * k + j] * d[j * b + c];
        wantDots[i * b + c] = dot;
      }
    kernels::blockDots(want.data(), k, d.data(), dots.data());
    EXPECT_EQ(dots, wantDots) << "k " << k;
#ifdef MOTE_QUANT_AVX
    if (__builtin_cpu_supports("avx")) {
      std::vector<double> avxGram(k * k, 0.0), avxDots(k * b);
      kernels::gramUpperRowsAvx(avxGram.data(), k, xd.data(), 40);
      EXPECT_EQ(avxGram, want) << "k " << k;
      kernels::blockDotsAvx(want.data(), k, d.data(), avxDots.data());
      EXPECT_EQ(avxDots, wantDots) << "k " << k;
    }
#endif
  }
}

} // namespace
