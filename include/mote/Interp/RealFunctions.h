//===- RealFunctions.h - Scalar nonlinearities in double --------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The real functions behind Mote's elementwise nonlinearities, in double
// precision. The interpreter evaluates quantized sigmoid/tanh/... as
// quantize(f(dequantize(q))) with these functions, and the quantizer builds
// `mote.lut` tables from the very same functions, so the two agree bit for
// bit. MLIR-free.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_INTERP_REALFUNCTIONS_H
#define MOTE_INTERP_REALFUNCTIONS_H

#include <cmath>

namespace mote::real {

inline double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
inline double tanh(double x) { return std::tanh(x); }
inline double exp(double x) { return std::exp(x); }
/// max(0, min(1, alpha·x + beta)) (ONNX HardSigmoid).
inline double hardSigmoid(double x, double alpha, double beta) {
  double y = alpha * x + beta;
  return y < 0.0 ? 0.0 : (y > 1.0 ? 1.0 : y);
}
/// x · max(0, min(1, x/6 + 1/2)) (ONNX HardSwish).
inline double hardSwish(double x) {
  return x * hardSigmoid(x, 1.0 / 6.0, 0.5);
}
inline double leakyRelu(double x, double alpha) {
  return x < 0.0 ? alpha * x : x;
}
inline double prelu(double x, double slope) { return x < 0.0 ? slope * x : x; }
/// x < 0 ? alpha · (exp(x) − 1) : x (ONNX Elu). expm1 keeps small
/// negative inputs accurate.
inline double elu(double x, double alpha) {
  return x < 0.0 ? alpha * std::expm1(x) : x;
}
/// gamma · (x ≤ 0 ? alpha · (exp(x) − 1) : x) (ONNX Selu).
inline double selu(double x, double alpha, double gamma) {
  return gamma * (x <= 0.0 ? alpha * std::expm1(x) : x);
}
/// log(1 + exp(x)) (ONNX Softplus), stable: for x > 40, exp(−x) is below
/// double's epsilon relative to x, so the result is x itself (and exp(x)
/// would overflow for x > 709).
inline double softplus(double x) {
  return x > 40.0 ? x : std::log1p(std::exp(x));
}

/// sqrt, 1/x, log and erf as C defines them (sqrt and log of a negative
/// number are NaN, 1/0 is ±∞), for ONNX Sqrt, Reciprocal, Log and Erf.
inline double sqrt(double x) { return std::sqrt(x); }
inline double reciprocal(double x) { return 1.0 / x; }
inline double log(double x) { return std::log(x); }
inline double erf(double x) { return std::erf(x); }
/// pow(x, e) with C semantics (ONNX Pow with a constant exponent).
inline double pow(double x, double e) { return std::pow(x, e); }
/// x · sigmoid(x) (SiLU / swish). For x → −∞, exp(−x) overflows to +∞ and
/// the quotient is −0, the limit.
inline double silu(double x) { return x / (1.0 + std::exp(-x)); }
/// 0.5 · x · (1 + erf(x / √2)) (GELU, exact form).
inline double gelu(double x) {
  return 0.5 * x * (1.0 + std::erf(x * 0.70710678118654752440));
}

} // namespace mote::real

#endif // MOTE_INTERP_REALFUNCTIONS_H
