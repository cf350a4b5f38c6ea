//===- Synthesis.h - Multi-basis weight quantization math -------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Quantization synthesis (DESIGN §5) writes a weight channel w as a sum of
// K low-bit terms, w ≈ Σ_i α_i·c_i with integer code vectors c_i. This file
// holds the fitting math, free of MLIR, so that it is unit-tested on its own
// (unittests/QuantSynthesisTest.cpp); --mote-quant-synthesis turns the
// result into IR.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_QUANT_SYNTHESIS_H
#define MOTE_QUANT_SYNTHESIS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/JSON.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mote::quant {

/// One layer of --mote-quant-synthesis: the weight SQNR in dB (against the
/// layer's quantized source weights) of every choice at equal weight bits
/// (uniform terms·bits-bit, pow2, residual, learned; +inf: exact, NaN: not
/// fitted) and the choice made ("pow2", "learned", "residual", "kept").
struct SynthesisLayerReport {
  std::string name, chosen;
  double uniform = 0, pow2 = 0, learned = 0, residual = 0;
};

/// {name, chosen, sqnr_uniform_db, sqnr_pow2_db, sqnr_residual_db[,
/// sqnr_learned_db]}, dB to 0.01 and "inf" for exact fits: the layer
/// objects of the pass's `report` file and of motec --report.
llvm::json::Object toJSON(const SynthesisLayerReport &r);

/// One channel as K terms: w ≈ Σ_i alphas[i] · codes[i][j].
struct TermFit {
  std::vector<double> alphas;
  std::vector<std::vector<int64_t>> codes;

  /// Σ_i α_i·c_i for every element.
  std::vector<double> reconstruct() const;
};

/// The integer range of term `term`'s codes.
struct CodeRange {
  int64_t lo = 0, hi = 0;
  /// Sign codes {−1, +1} (1-bit learned/residual terms): no zero.
  bool signOnly = false;
};

/// pow2 digits: the top digit (term K−1) is signed two's complement, the
/// lower digits unsigned, b bits each.
CodeRange pow2DigitRange(unsigned term, unsigned terms, unsigned bits);
/// learned/residual codes: {−1, +1} for b = 1, else the narrow symmetric
/// range [−(2^(b−1)−1), 2^(b−1)−1].
CodeRange symmetricCodeRange(unsigned bits);

/// Signal-to-quantization-noise ratio 10·log10(Σw² / Σ(w−ŵ)²) in dB;
/// +infinity when ŵ = w.
double sqnrDb(llvm::ArrayRef<double> w, llvm::ArrayRef<double> approx);

/// Splits integers q (each in the `terms`·`bits`-bit two's complement range)
/// into digits with q = Σ_i 2^(bits·i)·d_i (pow2DigitRange). Returns false
/// if some q does not fit.
bool sliceDigits(llvm::ArrayRef<int64_t> q, unsigned terms, unsigned bits,
                 std::vector<std::vector<int64_t>> &digits);

/// Uniform symmetric narrow-range quantization with `bits` bits, scale
/// max|w| / (2^(bits−1)−1) (1 if w is zero); one term.
TermFit fitUniform(llvm::ArrayRef<double> w, unsigned bits);

/// pow2 synthesis: the uniform (terms·bits)-bit quantization, bit-sliced:
/// α_i = s·2^(bits·i). Reconstructs fitUniform(w, terms·bits) exactly.
TermFit fitPow2(llvm::ArrayRef<double> w, unsigned terms, unsigned bits);

/// Greedy residual terms: term i quantizes what terms < i left over with
/// its own scale (mean|r| and sign codes for b = 1, max|r| and rounding to
/// nearest otherwise), then every α refit by least squares for those codes
/// where that lowers the error.
TermFit fitResidual(llvm::ArrayRef<double> w, unsigned terms, unsigned bits);

/// LQ-Nets style alternating least squares: assign each weight the nearest
/// of the Π|codes| levels Σ α_i c_i, then α = (BᵀB)⁻¹Bᵀw; `rounds` rounds
/// from each of five starts — the uniform grid reaching max|w|, the same
/// grid clipped to 90 % and 75 %, the LQ-Nets start α_j ∝ 0.6745·2^j·σ and
/// the (refit) residual fit — keeping the best. Needs terms·bits ≤ 16 (the level table); returns
/// fitResidual otherwise. Every α is positive (codes flip sign instead).
TermFit fitLearned(llvm::ArrayRef<double> w, unsigned terms, unsigned bits,
                   unsigned rounds = 10);

} // namespace mote::quant

#endif // MOTE_QUANT_SYNTHESIS_H
