//===- FloatConvAvx.cpp - The float conv2d with eight-float vectors -------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// FloatConv.cpp built again with -mavx (lib/Interp/CMakeLists.txt) as
// floatConvRowsAvx, for CPUs that have AVX. AVX without FMA multiplies and
// adds separately, lane by lane, so the floats are the four-float build's.
// The shared code has internal linkage and uses no library templates, so
// that no AVX instruction reaches a function the other files call.
//
//===----------------------------------------------------------------------===//

#define MOTE_FLOAT_CONV_LANES 8
#include "FloatConv.cpp"
