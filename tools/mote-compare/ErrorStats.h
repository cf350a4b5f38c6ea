//===- ErrorStats.h - Float-vs-quantized error accumulators -----*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Sums from which mote-compare derives its per-layer figures. They are
// additive, so each sample gets its own and the tool adds them up in sample
// order: the report does not depend on how samples were spread over threads.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_TOOLS_MOTECOMPARE_ERRORSTATS_H
#define MOTE_TOOLS_MOTECOMPARE_ERRORSTATS_H

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace mote::compare {

struct ErrorStats {
  double refSq = 0;  ///< Σ ref²
  double testSq = 0; ///< Σ test²
  double dot = 0;    ///< Σ ref·test
  double errSq = 0;  ///< Σ (ref − test)²
  double absErr = 0; ///< Σ |ref − test|
  double maxAbsErr = 0;
  int64_t count = 0;

  void add(double ref, double test) {
    double e = ref - test;
    refSq += ref * ref;
    testSq += test * test;
    dot += ref * test;
    errSq += e * e;
    absErr += std::fabs(e);
    maxAbsErr = std::max(maxAbsErr, std::fabs(e));
    ++count;
  }
  void merge(const ErrorStats &o) {
    refSq += o.refSq;
    testSq += o.testSq;
    dot += o.dot;
    errSq += o.errSq;
    absErr += o.absErr;
    maxAbsErr = std::max(maxAbsErr, o.maxAbsErr);
    count += o.count;
  }

  /// Cosine similarity of the flattened tensors over all samples; 1 when
  /// both are all zero, 0 when only one is.
  double cosine() const {
    if (refSq == 0 || testSq == 0)
      return refSq == testSq ? 1.0 : 0.0;
    return dot / (std::sqrt(refSq) * std::sqrt(testSq));
  }
  /// 10·log10(Σref² / Σ(ref − test)²) in dB; +∞ when the two are equal.
  double sqnrDb() const {
    if (errSq == 0)
      return std::numeric_limits<double>::infinity();
    if (refSq == 0)
      return -std::numeric_limits<double>::infinity();
    return 10.0 * std::log10(refSq / errSq);
  }
  double meanAbsErr() const { return count ? absErr / count : 0.0; }
};

} // namespace mote::compare

#endif // MOTE_TOOLS_MOTECOMPARE_ERRORSTATS_H
