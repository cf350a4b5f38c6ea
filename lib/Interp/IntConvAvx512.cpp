//===- IntConvAvx512.cpp - The int32 conv2d with AVX-512 vectors ----------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// FloatConv.cpp built for int32 elements with -mavx512f (lib/Interp/
// CMakeLists.txt) as int32ConvRowsAvx512: the register-blocked kernel of the
// quantized conv2d's int32 accumulation, for CPUs with AVX-512F (sixteen
// int32 lanes). ProductKernels.cpp calls it only where the CPU has the feature.
//
//===----------------------------------------------------------------------===//

#define MOTE_FLOAT_CONV_LANES 16
#define MOTE_CONV_ELEM int32_t
#define MOTE_CONV_ENTRY int32ConvRowsAvx512
#include "FloatConv.cpp"
