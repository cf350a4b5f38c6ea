//===- Synthesis.cpp - Multi-basis weight quantization math ---------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//

#include "mote/Quant/Synthesis.h"

#include "mote/Numerics/Numerics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

using namespace mote;
using namespace mote::quant;

std::vector<double> TermFit::reconstruct() const {
  size_t n = codes.empty() ? 0 : codes[0].size();
  std::vector<double> r(n, 0.0);
  for (size_t i = 0; i < codes.size(); ++i)
    for (size_t j = 0; j < n; ++j)
      r[j] += alphas[i] * static_cast<double>(codes[i][j]);
  return r;
}

CodeRange quant::pow2DigitRange(unsigned term, unsigned terms, unsigned bits) {
  if (term + 1 == terms)
    return {-(int64_t(1) << (bits - 1)), (int64_t(1) << (bits - 1)) - 1};
  return {0, (int64_t(1) << bits) - 1};
}

CodeRange quant::symmetricCodeRange(unsigned bits) {
  if (bits <= 1)
    return {-1, 1, /*signOnly=*/true};
  int64_t q = (int64_t(1) << (bits - 1)) - 1;
  return {-q, q};
}

double quant::sqnrDb(llvm::ArrayRef<double> w, llvm::ArrayRef<double> approx) {
  double signal = 0.0, noise = 0.0;
  for (size_t i = 0; i < w.size(); ++i) {
    signal += w[i] * w[i];
    double d = w[i] - approx[i];
    noise += d * d;
  }
  if (noise == 0.0)
    return std::numeric_limits<double>::infinity();
  if (signal == 0.0)
    return -std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(signal / noise);
}

bool quant::sliceDigits(llvm::ArrayRef<int64_t> q, unsigned terms,
                        unsigned bits,
                        std::vector<std::vector<int64_t>> &digits) {
  unsigned total = terms * bits;
  if (terms == 0 || bits == 0 || total > 62)
    return false;
  int64_t lo = -(int64_t(1) << (total - 1)), hi = (int64_t(1) << (total - 1)) - 1;
  digits.assign(terms, std::vector<int64_t>(q.size(), 0));
  int64_t mask = (int64_t(1) << bits) - 1;
  for (size_t j = 0; j < q.size(); ++j) {
    if (q[j] < lo || q[j] > hi)
      return false;
    int64_t v = q[j];
    for (unsigned i = 0; i + 1 < terms; ++i) {
      digits[i][j] = v & mask; // two's complement: low digits unsigned
      v >>= bits;              // arithmetic shift keeps the sign
    }
    digits[terms - 1][j] = v; // in [−2^(b−1), 2^(b−1)) by the range check
  }
  return true;
}

static double maxAbs(llvm::ArrayRef<double> w) {
  double m = 0.0;
  for (double v : w)
    m = std::max(m, std::fabs(v));
  return m;
}

TermFit quant::fitUniform(llvm::ArrayRef<double> w, unsigned bits) {
  int64_t qmax = numerics::storageMax(bits, /*isSigned=*/true);
  double m = maxAbs(w);
  double s = m > 0.0 ? m / static_cast<double>(qmax) : 1.0;
  TermFit fit;
  fit.alphas = {s};
  fit.codes.assign(1, std::vector<int64_t>(w.size()));
  for (size_t j = 0; j < w.size(); ++j)
    fit.codes[0][j] = numerics::quantize(w[j], s, 0, -qmax, qmax);
  return fit;
}

TermFit quant::fitPow2(llvm::ArrayRef<double> w, unsigned terms,
                       unsigned bits) {
  TermFit uniform = fitUniform(w, terms * bits);
  TermFit fit;
  sliceDigits(uniform.codes[0], terms, bits, fit.codes);
  for (unsigned i = 0; i < terms; ++i)
    fit.alphas.push_back(std::ldexp(uniform.alphas[0], bits * i));
  return fit;
}

/// Quantizes `r` as one term with codes in `range` and scale `alpha`.
static std::vector<int64_t> assignCodes(llvm::ArrayRef<double> r, double alpha,
                                        CodeRange range) {
  std::vector<int64_t> c(r.size());
  for (size_t j = 0; j < r.size(); ++j) {
    if (range.signOnly)
      c[j] = r[j] < 0.0 ? -1 : 1;
    else
      c[j] = numerics::quantize(r[j], alpha, 0, range.lo, range.hi);
  }
  return c;
}

/// A positive scale for a term that has nothing left to represent.
static double floorAlpha(double alpha, double reference) {
  double tiny = std::max(reference, 1e-30) * 1e-6;
  return alpha > tiny ? alpha : tiny;
}

static bool solve(std::vector<double> a, std::vector<double> b,
                  std::vector<double> &x);
static double squaredError(llvm::ArrayRef<double> w, const TermFit &fit);

/// Least squares α = (BᵀB)⁻¹Bᵀw for fixed codes; false if BᵀB is singular.
static bool refitAlphas(llvm::ArrayRef<double> w, const TermFit &fit,
                        std::vector<double> &alphas) {
  size_t terms = fit.codes.size();
  std::vector<double> btb(terms * terms, 0.0), btw(terms, 0.0);
  for (size_t j = 0; j < w.size(); ++j)
    for (size_t a = 0; a < terms; ++a) {
      double ca = static_cast<double>(fit.codes[a][j]);
      btw[a] += ca * w[j];
      for (size_t b = 0; b < terms; ++b)
        btb[a * terms + b] += ca * static_cast<double>(fit.codes[b][j]);
    }
  return solve(btb, btw, alphas);
}

/// Positive scales: a negative α flips its codes (the code sets are
/// symmetric); a vanishing one gets a tiny positive value.
static void positiveAlphas(TermFit &fit, double reference);

TermFit quant::fitResidual(llvm::ArrayRef<double> w, unsigned terms,
                           unsigned bits) {
  CodeRange range = symmetricCodeRange(bits);
  std::vector<double> r(w.begin(), w.end());
  double reference = maxAbs(w);
  TermFit fit;
  for (unsigned i = 0; i < terms; ++i) {
    double alpha;
    if (range.signOnly) {
      double sum = 0.0;
      for (double v : r)
        sum += std::fabs(v);
      alpha = r.empty() ? 0.0 : sum / static_cast<double>(r.size());
    } else {
      alpha = maxAbs(r) / static_cast<double>(range.hi);
    }
    alpha = floorAlpha(alpha, reference);
    std::vector<int64_t> c = assignCodes(r, alpha, range);
    for (size_t j = 0; j < r.size(); ++j)
      r[j] -= alpha * static_cast<double>(c[j]);
    fit.alphas.push_back(alpha);
    fit.codes.push_back(std::move(c));
  }
  // Greedy α = mean|r| is worse than uniform for K >= 2 (Pouransari et
  // al. 2020): refit every α by least squares for the greedy codes, and
  // keep the refit where it lowers the error.
  std::vector<double> ls;
  if (terms > 1 && refitAlphas(w, fit, ls)) {
    TermFit refit = fit;
    refit.alphas = ls;
    positiveAlphas(refit, reference);
    if (squaredError(w, refit) < squaredError(w, fit))
      fit = std::move(refit);
  }
  return fit;
}

/// Solves the k×k system A x = b (row-major) by Gaussian elimination with
/// partial pivoting; false if A is singular.
static bool solve(std::vector<double> a, std::vector<double> b,
                  std::vector<double> &x) {
  size_t k = b.size();
  for (size_t c = 0; c < k; ++c) {
    size_t p = c;
    for (size_t r = c + 1; r < k; ++r)
      if (std::fabs(a[r * k + c]) > std::fabs(a[p * k + c]))
        p = r;
    if (std::fabs(a[p * k + c]) < 1e-300)
      return false;
    for (size_t j = 0; j < k; ++j)
      std::swap(a[c * k + j], a[p * k + j]);
    std::swap(b[c], b[p]);
    for (size_t r = c + 1; r < k; ++r) {
      double f = a[r * k + c] / a[c * k + c];
      for (size_t j = c; j < k; ++j)
        a[r * k + j] -= f * a[c * k + j];
      b[r] -= f * b[c];
    }
  }
  x.assign(k, 0.0);
  for (size_t c = k; c-- > 0;) {
    double s = b[c];
    for (size_t j = c + 1; j < k; ++j)
      s -= a[c * k + j] * x[j];
    x[c] = s / a[c * k + c];
  }
  return true;
}

static double squaredError(llvm::ArrayRef<double> w, const TermFit &fit) {
  std::vector<double> r = fit.reconstruct();
  double e = 0.0;
  for (size_t j = 0; j < w.size(); ++j)
    e += (w[j] - r[j]) * (w[j] - r[j]);
  return e;
}

/// Alternating least squares from `alphas`.
static TermFit alternate(llvm::ArrayRef<double> w, unsigned terms,
                         unsigned bits, std::vector<double> alphas,
                         unsigned rounds) {
  CodeRange range = symmetricCodeRange(bits);
  std::vector<int64_t> values;
  for (int64_t v = range.lo; v <= range.hi; ++v)
    if (!range.signOnly || v != 0)
      values.push_back(v);
  size_t numLevels = 1;
  for (unsigned i = 0; i < terms; ++i)
    numLevels *= values.size();

  TermFit fit, best;
  double bestError = std::numeric_limits<double>::infinity();
  fit.codes.assign(terms, std::vector<int64_t>(w.size()));
  std::vector<std::pair<double, size_t>> levels(numLevels);
  for (unsigned round = 0; round < rounds; ++round) {
    // Assignment: nearest level Σ α_i c_i.
    for (size_t l = 0; l < numLevels; ++l) {
      double v = 0.0;
      for (size_t i = 0, rest = l; i < terms; ++i, rest /= values.size())
        v += alphas[i] * static_cast<double>(values[rest % values.size()]);
      levels[l] = {v, l};
    }
    std::sort(levels.begin(), levels.end());
    for (size_t j = 0; j < w.size(); ++j) {
      auto it = std::lower_bound(
          levels.begin(), levels.end(), std::make_pair(w[j], size_t(0)));
      if (it == levels.end() ||
          (it != levels.begin() &&
           std::fabs(std::prev(it)->first - w[j]) <=
               std::fabs(it->first - w[j])))
        it = std::prev(it);
      for (size_t i = 0, rest = it->second; i < terms;
           ++i, rest /= values.size())
        fit.codes[i][j] = values[rest % values.size()];
    }
    fit.alphas = alphas;
    double error = squaredError(w, fit);
    if (error < bestError) {
      bestError = error;
      best = fit;
    }
    // Refit: α = (BᵀB)⁻¹ Bᵀ w.
    std::vector<double> next;
    if (!refitAlphas(w, fit, next))
      break;
    fit.alphas = next;
    error = squaredError(w, fit);
    if (error < bestError) {
      bestError = error;
      best = fit;
    }
    alphas = next;
  }
  return best;
}

TermFit quant::fitLearned(llvm::ArrayRef<double> w, unsigned terms,
                          unsigned bits, unsigned rounds) {
  if (terms == 0 || bits == 0 || terms * bits > 16 || w.empty())
    return fitResidual(w, terms, bits);
  CodeRange range = symmetricCodeRange(bits);
  double m = maxAbs(w);
  if (m == 0.0)
    return fitResidual(w, terms, bits);
  // Uniform start: the levels form an even grid reaching max|w|. With sign
  // codes, α_j = a·2^j gives the levels a·{±1, ±3, …, ±(2^K−1)}; with
  // narrow codes in [−q, q], α_j = a·(2q+1)^j gives every multiple of a.
  double radix = range.signOnly ? 2.0 : static_cast<double>(2 * range.hi + 1);
  double top = 0.0;
  for (unsigned j = 0; j < terms; ++j)
    top += std::pow(radix, j) * static_cast<double>(range.hi);
  std::vector<double> uniformStart, lqStart;
  for (unsigned j = 0; j < terms; ++j)
    uniformStart.push_back(m / top * std::pow(radix, j));
  // LQ-Nets start: α_j ∝ 0.6745·2^j·σ (σ the RMS of the channel).
  double sq = 0.0;
  for (double v : w)
    sq += v * v;
  double sigma = std::sqrt(sq / static_cast<double>(w.size()));
  for (unsigned j = 0; j < terms; ++j)
    lqStart.push_back(0.6745 * sigma * std::pow(radix, j) /
                      std::pow(radix, terms - 1) /
                      static_cast<double>(range.hi));

  // Alternating fits have local minima: also start from uniform grids
  // clipped to 90 % and 75 % of max|w| (heavy tails) and from the
  // least-squares-refit residual fit; keep the best.
  std::vector<std::vector<double>> starts = {uniformStart, lqStart};
  for (double clip : {0.9, 0.75}) {
    std::vector<double> s;
    for (double a : uniformStart)
      s.push_back(a * clip);
    starts.push_back(std::move(s));
  }
  starts.push_back(fitResidual(w, terms, bits).alphas);
  TermFit best;
  double bestError = std::numeric_limits<double>::infinity();
  for (const std::vector<double> &start : starts) {
    TermFit f = alternate(w, terms, bits, start, rounds);
    double e = squaredError(w, f);
    if (e < bestError)
      bestError = e, best = std::move(f);
  }
  positiveAlphas(best, m);
  return best;
}

static void positiveAlphas(TermFit &fit, double reference) {
  for (size_t i = 0; i < fit.alphas.size(); ++i) {
    if (fit.alphas[i] < 0.0) {
      fit.alphas[i] = -fit.alphas[i];
      for (int64_t &c : fit.codes[i])
        c = -c;
    }
    fit.alphas[i] = floorAlpha(fit.alphas[i], reference);
  }
}

llvm::json::Object mote::quant::toJSON(const SynthesisLayerReport &r) {
  auto db = [](double v) -> llvm::json::Value {
    if (std::isinf(v))
      return v > 0 ? llvm::json::Value("inf") : llvm::json::Value("-inf");
    return std::round(v * 100.0) / 100.0;
  };
  llvm::json::Object o{{"name", r.name},
                       {"chosen", r.chosen},
                       {"sqnr_uniform_db", db(r.uniform)},
                       {"sqnr_pow2_db", db(r.pow2)},
                       {"sqnr_residual_db", db(r.residual)}};
  if (!std::isnan(r.learned))
    o["sqnr_learned_db"] = db(r.learned);
  return o;
}
