//===- UnaryFunction.h - The real function of a unary mote op ---*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// One place that says which real function (RealFunctions.h) an elementwise
// mote op of one tensor computes, with its attributes bound. The
// interpreter evaluates quantized unary ops as quantize(f(dequantize(q)))
// with it and the quantizer fills `mote.lut` tables from it, so the two can
// never disagree on which function or which attribute value is meant.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_INTERP_UNARYFUNCTION_H
#define MOTE_INTERP_UNARYFUNCTION_H

#include "mlir/IR/Operation.h"

#include <functional>

namespace mote::interp {

/// The real function computed by `op` if it is an elementwise nonlinearity
/// of one tensor (sigmoid, tanh, exp, hard_sigmoid, hard_swish, leaky_relu,
/// elu, selu, softplus, sqrt, reciprocal, log, erf, pow, silu, gelu);
/// an empty function otherwise.
std::function<double(double)> getUnaryFunction(mlir::Operation *op);

} // namespace mote::interp

#endif // MOTE_INTERP_UNARYFUNCTION_H
