//===- Kernels.h - The interpreter's op kernels -----------------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Internal interface between the interpreter's driver (Interpreter.cpp) and
// its kernels. A kernel receives the op, its operand tensors and an
// execution context and returns the result tensor or an Error whose message
// the driver prefixes with the op's name and location.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_LIB_INTERP_KERNELS_H
#define MOTE_LIB_INTERP_KERNELS_H

#include "mote/Interp/Tensor.h"

#include "mlir/IR/Operation.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <mutex>
#include <vector>

namespace llvm {
class ThreadPoolInterface;
} // namespace llvm

namespace mote::interp {

/// Constant weights rearranged for a kernel, by the op that reads them:
/// made on first use and shared by every later run (thread-safe).
class LayoutCache {
public:
  std::shared_ptr<const std::vector<float>>
  get(mlir::Operation *op, llvm::function_ref<std::vector<float>()> make);

private:
  std::mutex mutex;
  llvm::DenseMap<mlir::Operation *, std::shared_ptr<const std::vector<float>>>
      entries;
};

/// What kernels may use besides their operands: the worker pool and the
/// interpreter's layout cache.
struct ExecContext {
  llvm::ThreadPoolInterface *pool = nullptr; ///< null: run inline.
  unsigned threads = 1;
  LayoutCache *layouts = nullptr; ///< null: no caching.

  /// Calls body(begin, end) over chunks of [0, n). `costPerItem` (rough
  /// multiply-adds per item) decides whether splitting pays off.
  void parallelFor(int64_t n, int64_t costPerItem,
                   llvm::function_ref<void(int64_t, int64_t)> body) const;
};

using Operands = llvm::ArrayRef<const Tensor *>;

llvm::Error kernelError(const llvm::Twine &message);

/// A real number for messages ("%g").
std::string formatReal(double value);

// ProductKernels.cpp
/// Tests: the float conv's vector width, 4 or 8 floats (8 only where the
/// CPU has AVX); 0, the default, is the widest the CPU has. The results do
/// not depend on it.
void setFloatConvLanes(unsigned lanes);
llvm::Expected<Tensor> execConv2D(mlir::Operation *op, Operands operands,
                                  const ExecContext &ctx);
llvm::Expected<Tensor> execMatMul(mlir::Operation *op, Operands operands,
                                  const ExecContext &ctx);
llvm::Expected<Tensor> execFullyConnected(mlir::Operation *op,
                                          Operands operands,
                                          const ExecContext &ctx);
// PoolKernels.cpp
llvm::Expected<Tensor> execMaxPool2D(mlir::Operation *op, Operands operands);
llvm::Expected<Tensor> execAvgPool2D(mlir::Operation *op, Operands operands);
// ElementwiseKernels.cpp
llvm::Expected<Tensor> execBinary(mlir::Operation *op, Operands operands);
llvm::Expected<Tensor> execPRelu(mlir::Operation *op, Operands operands);
llvm::Expected<Tensor> execClamp(mlir::Operation *op, Operands operands);
/// mote.softmax and mote.log_softmax.
llvm::Expected<Tensor> execSoftmax(mlir::Operation *op, Operands operands);
llvm::Expected<Tensor> execLut(mlir::Operation *op, Operands operands);
llvm::Expected<Tensor> execQuantize(mlir::Operation *op, Operands operands);
llvm::Expected<Tensor> execDequantize(mlir::Operation *op, Operands operands);
llvm::Expected<Tensor> execRequant(mlir::Operation *op, Operands operands);
/// mote.digit (bit-width lowering's operand splitter).
llvm::Expected<Tensor> execDigit(mlir::Operation *op, Operands operands);
// DataMovementKernels.cpp
llvm::Expected<Tensor> execConstant(mlir::Operation *op);
llvm::Expected<Tensor> execConcat(mlir::Operation *op, Operands operands);
llvm::Expected<Tensor> execReshape(mlir::Operation *op, Operands operands);
llvm::Expected<Tensor> execTranspose(mlir::Operation *op, Operands operands);
llvm::Expected<Tensor> execPad(mlir::Operation *op, Operands operands);
// ResampleKernels.cpp
llvm::Expected<Tensor> execSlice(mlir::Operation *op, Operands operands);
llvm::Expected<Tensor> execResize(mlir::Operation *op, Operands operands);

// MathKernels.cpp
/// Every elementwise function of one tensor (sigmoid, tanh, ..., sqrt,
/// pow, gelu: any op getUnaryFunction knows).
llvm::Expected<Tensor> execMathUnary(mlir::Operation *op, Operands operands);
/// reduce_sum, reduce_mean, reduce_max, reduce_min.
llvm::Expected<Tensor> execReduce(mlir::Operation *op, Operands operands);
llvm::Expected<Tensor> execLayerNorm(mlir::Operation *op, Operands operands);

/// For each element of `outShape`, the flat index of the element of
/// `shape` that numpy broadcasting reads. Empty when the shapes are equal
/// (identity). Defined in ElementwiseKernels.cpp.
std::vector<int64_t> broadcastMap(llvm::ArrayRef<int64_t> shape,
                                  llvm::ArrayRef<int64_t> outShape);
/// Element i of a broadcastMap (the identity when the map is empty).
inline int64_t broadcastIndex(const std::vector<int64_t> &map, int64_t i) {
  return map.empty() ? i : map[i];
}

/// Row-major strides of a shape.
llvm::SmallVector<int64_t, 4> stridesOf(llvm::ArrayRef<int64_t> shape);

/// Index of the per-axis channel of flat element i (0 when per tensor).
inline int64_t channelOf(const QuantParams &p, int64_t i,
                         llvm::ArrayRef<int64_t> shape) {
  if (!p.isPerAxis())
    return 0;
  int64_t inner = 1;
  for (size_t d = p.axis + 1; d < shape.size(); ++d)
    inner *= shape[d];
  return (i / inner) % shape[p.axis];
}

} // namespace mote::interp

#endif // MOTE_LIB_INTERP_KERNELS_H
