//===- QuantSynthesisTest.cpp - Multi-basis weight fitting tests ----------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//

#include "mote/Quant/Synthesis.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace mote::quant;

namespace {

std::vector<double> gaussian(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> d(0.0, 1.0);
  std::vector<double> w(n);
  for (double &v : w)
    v = d(rng);
  return w;
}

std::vector<double> laplace(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::exponential_distribution<double> e(1.0);
  std::bernoulli_distribution s(0.5);
  std::vector<double> w(n);
  for (double &v : w)
    v = s(rng) ? e(rng) : -e(rng);
  return w;
}

std::vector<double> studentT(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::student_t_distribution<double> d(3.0);
  std::vector<double> w(n);
  for (double &v : w)
    v = d(rng);
  return w;
}

double sqnr(const std::vector<double> &w, const TermFit &fit) {
  return sqnrDb(w, fit.reconstruct());
}

TEST(QuantSynthesis, SliceDigitsRoundTrips) {
  std::vector<int64_t> q;
  for (int64_t v = -128; v <= 127; ++v)
    q.push_back(v);
  std::vector<std::vector<int64_t>> d;
  ASSERT_TRUE(sliceDigits(q, 2, 4, d));
  for (size_t j = 0; j < q.size(); ++j) {
    EXPECT_EQ(16 * d[1][j] + d[0][j], q[j]);
    EXPECT_GE(d[0][j], 0);
    EXPECT_LE(d[0][j], 15);
    EXPECT_GE(d[1][j], -8);
    EXPECT_LE(d[1][j], 7);
  }
  EXPECT_FALSE(sliceDigits({128}, 2, 4, d));
  EXPECT_FALSE(sliceDigits({-9}, 1, 4, d));
}

TEST(QuantSynthesis, Pow2ReproducesUniformExactly) {
  for (auto [terms, bits] : {std::pair{2u, 4u}, {4u, 2u}, {8u, 1u}, {2u, 2u}}) {
    std::vector<double> w = laplace(1000, 7);
    TermFit u = fitUniform(w, terms * bits);
    TermFit p = fitPow2(w, terms, bits);
    ASSERT_EQ(p.alphas.size(), terms);
    // The integers are identical: Σ_i 2^(b·i)·d_i = q.
    for (size_t j = 0; j < w.size(); ++j) {
      int64_t q = 0;
      for (unsigned i = 0; i < terms; ++i)
        q += p.codes[i][j] * (int64_t(1) << (bits * i));
      EXPECT_EQ(q, u.codes[0][j]) << terms << "x" << bits << " at " << j;
    }
    EXPECT_EQ(p.alphas[0], u.alphas[0]);
    for (unsigned i = 1; i < terms; ++i)
      EXPECT_EQ(p.alphas[i], std::ldexp(p.alphas[0], bits * i));
  }
}

TEST(QuantSynthesis, LearnedMatchesUniformOnGaussian) {
  std::vector<double> w = gaussian(4096, 1);
  double u = sqnr(w, fitUniform(w, 4));
  double l = sqnr(w, fitLearned(w, 4, 1));
  EXPECT_GE(l, u - 0.5);
}

TEST(QuantSynthesis, LearnedBeatsUniformOnHeavyTails) {
  for (auto w : {laplace(4096, 2), studentT(4096, 3)}) {
    double u = sqnr(w, fitUniform(w, 4));
    double l = sqnr(w, fitLearned(w, 4, 1));
    EXPECT_GE(l, u + 1.0) << "uniform " << u << " learned " << l;
    // Narrow 2-bit codes ({-1, 0, 1}) per term: 9 levels, never worse
    // than the 7-level uniform grid.
    double l2 = sqnr(w, fitLearned(w, 2, 2));
    EXPECT_GE(l2, sqnr(w, fitUniform(w, 3)));
  }
}

TEST(QuantSynthesis, ResidualWorseAtFourTerms) {
  std::vector<double> w = gaussian(4096, 4);
  double l = sqnr(w, fitLearned(w, 4, 1));
  double r = sqnr(w, fitResidual(w, 4, 1));
  EXPECT_LE(r, l - 3.0) << "learned " << l << " residual " << r;
}

TEST(QuantSynthesis, ScalesArePositive) {
  std::vector<double> w = studentT(512, 5);
  for (const TermFit &f : {fitLearned(w, 3, 2), fitResidual(w, 3, 2)})
    for (double a : f.alphas)
      EXPECT_GT(a, 0.0);
  std::vector<double> zero(16, 0.0);
  TermFit z = fitLearned(zero, 2, 2);
  for (double a : z.alphas)
    EXPECT_GT(a, 0.0);
}

} // namespace
