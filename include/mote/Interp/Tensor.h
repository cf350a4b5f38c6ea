//===- Tensor.h - The interpreter's runtime tensor --------------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The interpreter keeps every SSA value in the form its kernels compute on
// fastest: an f32 tensor as a float buffer, a quantized tensor as its
// storage integers in an int32 buffer (every storage type up to i32 and
// u31 fits), with the quantization parameters alongside. Observers (the
// calibrator, per-layer comparison tools) read values in this form.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_INTERP_TENSOR_H
#define MOTE_INTERP_TENSOR_H

#include "Mote/MoteTypeUtils.h"
#include "mote/Support/HostTensor.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <vector>

namespace mote::interp {

struct Tensor {
  /// The MLIR type of the value this tensor holds.
  mlir::RankedTensorType type;
  llvm::SmallVector<int64_t, 4> shape;
  /// Set for quantized tensors (per tensor or per axis).
  std::optional<QuantParams> quant;
  /// Elements of an f32 tensor, row-major.
  std::vector<float> f;
  /// Storage values of a quantized tensor, row-major.
  std::vector<int32_t> q;

  bool isQuantized() const { return quant.has_value(); }
  int64_t numElements() const {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
  /// A zero-filled tensor of `type` (storage zeros, not zero points).
  static Tensor allocate(mlir::RankedTensorType type);

  /// Real value of element i (dequantized with its channel's parameters
  /// for quantized tensors).
  double realValue(int64_t i) const;

  /// The boundary form: f32 for float tensors, the storage dtype (int8,
  /// uint8, int16, uint16, int32) for quantized ones.
  HostTensor toHost(std::string name = {}) const;
};

/// The HostTensor dtype that carries storage of a quantized type.
DType storageDType(const QuantParams &params);

} // namespace mote::interp

#endif // MOTE_INTERP_TENSOR_H
