//===- HostTensor.h - Tensors crossing Mote's boundaries --------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The one in-memory form of a tensor that comes from or goes to a file
// (.npy, .npz, ONNX TensorProto .pb) or crosses from a tool into the
// interpreter or the simulator: a dtype, a shape and row-major
// little-endian bytes. Independent of MLIR so that the simulator can use it.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_SUPPORT_HOSTTENSOR_H
#define MOTE_SUPPORT_HOSTTENSOR_H

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace mote {

enum class DType { F32, F64, I8, U8, I16, U16, I32, I64, Bool };

/// Bytes per element of a dtype.
inline size_t dtypeSize(DType t) {
  switch (t) {
  case DType::I8: case DType::U8: case DType::Bool: return 1;
  case DType::I16: case DType::U16: return 2;
  case DType::F32: case DType::I32: return 4;
  case DType::F64: case DType::I64: return 8;
  }
  return 0;
}

/// numpy's name of a dtype ("float32", "int8", ...), for messages.
inline const char *dtypeName(DType t) {
  switch (t) {
  case DType::F32: return "float32";
  case DType::F64: return "float64";
  case DType::I8: return "int8";
  case DType::U8: return "uint8";
  case DType::I16: return "int16";
  case DType::U16: return "uint16";
  case DType::I32: return "int32";
  case DType::I64: return "int64";
  case DType::Bool: return "bool";
  }
  return "?";
}

struct HostTensor {
  std::string name;            ///< Optional: the graph input/output name.
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::vector<char> data;      ///< Row-major, little-endian.

  int64_t numElements() const {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
  bool isFloat() const { return dtype == DType::F32 || dtype == DType::F64; }

  /// Element i converted to double (any dtype).
  double getDouble(int64_t i) const {
    const char *p = data.data() + i * dtypeSize(dtype);
    switch (dtype) {
    case DType::F32: { float v; std::memcpy(&v, p, 4); return v; }
    case DType::F64: { double v; std::memcpy(&v, p, 8); return v; }
    default: return static_cast<double>(getInt(i));
    }
  }
  /// Element i of an integer or bool dtype, sign- or zero-extended; a float
  /// element truncated towards zero and clamped to about ±9e18.
  int64_t getInt(int64_t i) const {
    const char *p = data.data() + i * dtypeSize(dtype);
    switch (dtype) {
    case DType::I8: return *reinterpret_cast<const int8_t *>(p);
    case DType::U8: case DType::Bool: return *reinterpret_cast<const uint8_t *>(p);
    case DType::I16: { int16_t v; std::memcpy(&v, p, 2); return v; }
    case DType::U16: { uint16_t v; std::memcpy(&v, p, 2); return v; }
    case DType::I32: { int32_t v; std::memcpy(&v, p, 4); return v; }
    case DType::I64: { int64_t v; std::memcpy(&v, p, 8); return v; }
    case DType::F32: case DType::F64: {
      // A float read as an integer (a fuzzed Slice's 1e30 starts): clamp,
      // NaN to 0, since converting an out-of-range double is undefined.
      double d = getDouble(i);
      return !(d == d)       ? 0
             : d >= 9.0e18  ? int64_t(9e18)
             : d <= -9.0e18 ? -int64_t(9e18)
                            : static_cast<int64_t>(d);
    }
    }
    return 0;
  }

  /// A tensor of `shape` with zeroed storage.
  static HostTensor zeros(DType dtype, std::vector<int64_t> shape) {
    HostTensor t;
    t.dtype = dtype;
    t.shape = std::move(shape);
    t.data.assign(t.numElements() * dtypeSize(dtype), 0);
    return t;
  }
  float *f32() { return reinterpret_cast<float *>(data.data()); }
  const float *f32() const { return reinterpret_cast<const float *>(data.data()); }
};

} // namespace mote

#endif // MOTE_SUPPORT_HOSTTENSOR_H
