//===- RefinementKernelsAvx.cpp - The Gram matrix loops with AVX ----------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// RefinementKernels.cpp built again with -mavx (lib/Quant/CMakeLists.txt):
// vectors of four doubles, for CPUs that have AVX. Without FMA every
// multiply and add rounds as in the default build: the same doubles.
//
//===----------------------------------------------------------------------===//

#define MOTE_REFINEMENT_LANES 4
#include "RefinementKernels.cpp"
