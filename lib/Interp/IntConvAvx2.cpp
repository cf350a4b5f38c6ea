//===- IntConvAvx2.cpp - The int32 conv2d with AVX2 vectors ---------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// FloatConv.cpp built for int32 elements with -mavx2 (lib/Interp/
// CMakeLists.txt) as int32ConvRowsAvx2: the register-blocked kernel of the
// quantized conv2d's int32 accumulation, for CPUs with AVX2 (eight int32
// lanes). ProductKernels.cpp calls it only where the CPU has the feature.
//
//===----------------------------------------------------------------------===//

#define MOTE_FLOAT_CONV_LANES 8
#define MOTE_CONV_ELEM int32_t
#define MOTE_CONV_ENTRY int32ConvRowsAvx2
#include "FloatConv.cpp"
