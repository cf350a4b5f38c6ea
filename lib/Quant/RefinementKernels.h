//===- RefinementKernels.h - The refinement's Gram matrix loops -*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Internal to lib/Quant: the two O(K²) loops of the teacher-guided
// refinement (Refinement.cpp), built twice from RefinementKernels.cpp: with
// the compiler's default vectors, and where the compiler targets x86 with
// -mavx (RefinementKernelsAvx.cpp), called only where the CPU has AVX.
// Every double is summed in the same order in both builds (no FMA), so
// they give the same bits.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_LIB_QUANT_REFINEMENTKERNELS_H
#define MOTE_LIB_QUANT_REFINEMENTKERNELS_H

#include <cstddef>
#include <cstdint>

namespace mote::quant::kernels {

/// Vectors per pass over G: `d` and `dots` are k x kBlock, row-major.
constexpr size_t kBlock = 8;

/// dots[i][b] = Σ_j G[i][j] · d[j][b] for every row i and column b, each
/// sum over j in order from 0.0.
void blockDots(const double *gram, size_t k, const double *d, double *dots);
/// For every row i of the k x k matrix `gram` and each of the m vectors
/// x_s at `xs` (m x k) in order with x_s[i] != 0: gram[i][j] += x_s[i] ·
/// x_s[j] for j >= i.
void gramUpperRows(double *gram, int64_t k, const double *xs, int64_t m);

#ifdef MOTE_QUANT_AVX
void blockDotsAvx(const double *gram, size_t k, const double *d, double *dots);
void gramUpperRowsAvx(double *gram, int64_t k, const double *xs, int64_t m);
#endif

} // namespace mote::quant::kernels

#endif // MOTE_LIB_QUANT_REFINEMENTKERNELS_H
