//===- Refinement.h - Teacher-guided weight quantization math ---*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The math behind --mote-quantize's teacher-guided refinements, free of
// MLIR so that it is unit-tested on its own (unittests/QuantRefinementTest).
//
// A layer's output channel o computes w·x over input vectors x (an im2col
// patch for conv, a row for fully_connected). Quantizing w to w_q changes
// that output by d·x with d = w_q − w, so the squared output error over the
// calibration inputs is Σ_x (d·x)² = dᵀ G d with the Gram matrix
// G = Σ_x x xᵀ, and the mean output shift is d·μ with μ = E[x]. Both need
// only G and μ, collected once per layer (per group for grouped conv), so
// a candidate scale or a flipped rounding decision costs O(K²) or O(K).
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_QUANT_REFINEMENT_H
#define MOTE_QUANT_REFINEMENT_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <vector>

namespace mote::quant {

/// Second-order statistics of the input vectors of one weight group: the
/// Gram matrix over a sample of vectors and the mean over all of them.
struct InputStatistics {
  int64_t k = 0;
  /// Σ x xᵀ over the sampled vectors, row-major k×k.
  std::vector<double> gram;
  int64_t gramCount = 0;
  /// Σ x over every vector seen (not only the sampled ones).
  std::vector<double> sum;
  int64_t count = 0;

  /// Without `withGram` only the mean is kept (bias correction); the
  /// search and the rounding refinement then leave the layer alone.
  explicit InputStatistics(int64_t k = 0, bool withGram = true)
      : k(k), gram(withGram ? k * k : 0, 0.0), sum(k, 0.0) {}
  /// Adds `x` (length k) to the Gram matrix (no-op without one).
  void addSampled(const float *x);
  /// addSampled of the `n` vectors at `xs` (n x k, row-major), in order:
  /// the same matrix, bit for bit, in about half the multiply-adds.
  void addSampledBatch(const float *xs, int64_t n);
  /// Adds `x` (length k) to the mean.
  void addToMean(const float *x);
  /// E[x], zeros if nothing was seen.
  std::vector<double> mean() const;
};

/// `scale` rounded to the 7 significant digits the IR prints, so that every
/// value derived from it is reproducible from the text.
double printedScale(double scale);

/// dᵀ G d: Σ over the rows i with d_i != 0, in order, of d_i · (G d)_i,
/// each (G d)_i summed over j in order.
double outputError(llvm::ArrayRef<double> gram, llvm::ArrayRef<double> d);

/// outputError of every vector in `ds` (all of one length k) in one pass
/// over G, a block of vectors at a time: `errors[j]` is the very double
/// outputError(gram, ds[j]) returns (the same operations in the same
/// order, over several vectors at once). With `dots`, also (G ds[j]) for
/// every row into (*dots)[j] (refineRounding's start).
void outputErrors(llvm::ArrayRef<double> gram,
                  llvm::ArrayRef<std::vector<double>> ds,
                  llvm::MutableArrayRef<double> errors,
                  std::vector<std::vector<double>> *dots = nullptr);

/// One output channel's quantized weights.
struct ChannelQuantization {
  double scale = 1.0;
  std::vector<int64_t> q;
  /// dᵀ G d of the result.
  double error = 0.0;
};

/// Rounds `w` to nearest (half to even) with `scale`, saturated to
/// [−qmax, qmax], and evaluates the output error against `gram`.
ChannelQuantization quantizeChannel(llvm::ArrayRef<float> w, double scale,
                                    int64_t qmax,
                                    llvm::ArrayRef<double> gram);

/// Candidate clipping ratios α: scale = printedScale(α·max|w| / qmax).
struct ScaleSearchOptions {
  double lowest = 0.5;
  unsigned steps = 20;
};

/// Scale candidates for a channel (or tensor) whose largest |w| is
/// `maxAbs`: α from 1 down to `lowest` in `steps` even steps.
std::vector<double> candidateScales(double maxAbs, int64_t qmax,
                                    const ScaleSearchOptions &options);

/// The candidate scale of `w` whose round-to-nearest quantization has the
/// least output error dᵀ G d (ties: the larger scale, i.e. less clipping).
ChannelQuantization searchChannelScale(llvm::ArrayRef<float> w,
                                       int64_t qmax,
                                       llvm::ArrayRef<double> gram,
                                       const ScaleSearchOptions &options);

/// Per-tensor weights: the one candidate scale (from the largest |w| of
/// all channels) minimising Σ_o d_oᵀ G_o d_o; `grams[o]` is channel o's.
double searchSharedScale(llvm::ArrayRef<llvm::ArrayRef<float>> channels,
                         llvm::ArrayRef<llvm::ArrayRef<double>> grams,
                         int64_t qmax, const ScaleSearchOptions &options);

/// AdaRound-style greedy rounding: each weight may sit at floor or ceil of
/// w/scale; flips that lower dᵀ G d are taken, `passes` sweeps over the
/// channel (stopping early when a sweep flips nothing). Updates `c.q` and
/// `c.error`; returns the number of flips.
/// `gram` must be symmetric (a Gram matrix is); `gd`, if given, is G d for
/// c's rounding (outputErrors' dots) and is consumed.
unsigned refineRounding(llvm::ArrayRef<float> w, int64_t qmax,
                        llvm::ArrayRef<double> gram, ChannelQuantization &c,
                        unsigned passes, std::vector<double> *gd = nullptr);

/// What --mote-quantize does to one output channel.
struct ChannelRefinementOptions {
  bool search = false; ///< searchChannelScale.
  ScaleSearchOptions scaleSearch;
  bool adaround = false; ///< refineRounding.
  unsigned adaroundPasses = 4;
};
struct ChannelRefinement {
  /// quantizeChannel(w, scale, qmax, gram).
  ChannelQuantization base;
  /// outputError(gram, w): the float output's energy (0 without gram).
  double energy = 0.0;
  /// searchChannelScale(w, qmax, gram) with `search` (else `base`), then
  /// refineRounding with `adaround`.
  ChannelQuantization result;
  unsigned flips = 0;
};
/// Those calls' results bit for bit, the errors of the plain rounding, of
/// w and of every candidate scale from one pass over G (outputErrors).
/// Without `gram` the errors are 0 and neither search nor rounding runs.
ChannelRefinement refineChannel(llvm::ArrayRef<float> w, double scale,
                                int64_t qmax, llvm::ArrayRef<double> gram,
                                const ChannelRefinementOptions &options);

/// Empirical bias correction: the mean output error is d·μ, so the bias
/// that cancels it is bias − d·μ = bias + (w − w_q)·μ.
double correctedBias(double bias, llvm::ArrayRef<float> w,
                     const ChannelQuantization &c,
                     llvm::ArrayRef<double> mean);

/// Cross-layer equalization (DFQ): s = sqrt(r1 / r2) for the output-channel
/// range r1 of the first layer and the input-channel range r2 of the
/// second; 1 when either range is 0 (nothing to balance).
double equalizationScale(double r1, double r2);

} // namespace mote::quant

#endif // MOTE_QUANT_REFINEMENT_H
