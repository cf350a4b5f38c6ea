//===- OnnxTensor.cpp - TensorProto to HostTensor ---------------------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// ONNX stores tensor payloads either as little-endian `raw_data` or in typed
// repeated fields, where every integer type narrower than 32 bits (and bool)
// travels in `int32_data`. Both forms are read here, and every size is
// checked against the shape before a byte is copied.
//
//===----------------------------------------------------------------------===//

#include "OnnxTensor.h"
#include "mote/Frontend/OnnxImporter.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

using namespace mote;

std::optional<DType> mote::dtypeFromOnnx(int32_t onnxType) {
  switch (onnxType) {
  case onnx::TensorProto::FLOAT: return DType::F32;
  case onnx::TensorProto::DOUBLE: return DType::F64;
  case onnx::TensorProto::INT8: return DType::I8;
  case onnx::TensorProto::UINT8: return DType::U8;
  case onnx::TensorProto::INT16: return DType::I16;
  case onnx::TensorProto::UINT16: return DType::U16;
  case onnx::TensorProto::INT32: return DType::I32;
  case onnx::TensorProto::INT64: return DType::I64;
  case onnx::TensorProto::BOOL: return DType::Bool;
  default: return std::nullopt;
  }
}

std::string mote::onnxTypeName(int32_t onnxType) {
  if (onnx::TensorProto::DataType_IsValid(onnxType))
    return onnx::TensorProto::DataType_Name(
        static_cast<onnx::TensorProto::DataType>(onnxType));
  return "unknown type " + std::to_string(onnxType);
}

/// Copies `count` elements of type T into `out`'s storage, converting from
/// the field's element type.
template <typename T, typename Field>
static void copyField(const Field &field, HostTensor &out) {
  T *dst = reinterpret_cast<T *>(out.data.data());
  for (int i = 0, e = field.size(); i < e; ++i)
    dst[i] = static_cast<T>(field.Get(i));
}

bool mote::tensorFromProto(const onnx::TensorProto &proto, HostTensor &out,
                           std::string &error) {
  out = HostTensor();
  out.name = proto.name();
  std::optional<DType> dtype = dtypeFromOnnx(proto.data_type());
  if (!dtype) {
    error = "element type " + onnxTypeName(proto.data_type()) +
            " is not supported (supported: FLOAT, DOUBLE, INT8, UINT8, "
            "INT16, UINT16, INT32, INT64, BOOL)";
    return false;
  }
  if (proto.data_location() == onnx::TensorProto::EXTERNAL ||
      proto.external_data_size() > 0) {
    error = "data is stored externally; re-save the model with its data "
            "embedded (onnx.save(..., save_as_external_data=False))";
    return false;
  }
  if (proto.has_segment()) {
    error = "segmented tensors are not supported";
    return false;
  }
  out.dtype = *dtype;
  int64_t count = 1;
  for (int64_t d : proto.dims()) {
    if (d < 0) {
      error = "has a negative dimension " + std::to_string(d);
      return false;
    }
    if (d > 0 && count > std::numeric_limits<int32_t>::max() / d) {
      error = "is too large";
      return false;
    }
    count *= d;
    out.shape.push_back(d);
  }
  size_t elemSize = dtypeSize(*dtype);
  size_t bytes = static_cast<size_t>(count) * elemSize;

  auto mismatch = [&](int64_t got) {
    error = "holds " + std::to_string(got) + " elements but its shape [" +
            [&] {
              std::string s;
              for (size_t i = 0; i < out.shape.size(); ++i)
                s += (i ? "," : "") + std::to_string(out.shape[i]);
              return s;
            }() +
            "] needs " + std::to_string(count);
    return false;
  };

  if (proto.has_raw_data()) {
    const std::string &raw = proto.raw_data();
    if (raw.size() != bytes) {
      if (raw.size() % elemSize == 0)
        return mismatch(raw.size() / elemSize);
      error = "raw_data has " + std::to_string(raw.size()) +
              " bytes, not a multiple of the element size " +
              std::to_string(elemSize);
      return false;
    }
    out.data.assign(raw.begin(), raw.end());
    return true;
  }
  out.data.assign(bytes, 0);

  switch (*dtype) {
  case DType::F32:
    if (proto.float_data_size() != count)
      return mismatch(proto.float_data_size());
    copyField<float>(proto.float_data(), out);
    return true;
  case DType::F64:
    if (proto.double_data_size() != count)
      return mismatch(proto.double_data_size());
    copyField<double>(proto.double_data(), out);
    return true;
  case DType::I64:
    if (proto.int64_data_size() != count)
      return mismatch(proto.int64_data_size());
    copyField<int64_t>(proto.int64_data(), out);
    return true;
  case DType::I8:
  case DType::U8:
  case DType::I16:
  case DType::U16:
  case DType::I32:
  case DType::Bool: {
    if (proto.int32_data_size() != count)
      return mismatch(proto.int32_data_size());
    const auto &field = proto.int32_data();
    auto [lo, hi] = [&]() -> std::pair<int64_t, int64_t> {
      switch (*dtype) {
      case DType::I8: return {-128, 127};
      case DType::U8: return {0, 255};
      case DType::Bool: return {0, 1};
      case DType::I16: return {-32768, 32767};
      case DType::U16: return {0, 65535};
      default: return {INT32_MIN, INT32_MAX};
      }
    }();
    for (int64_t i = 0; i < count; ++i) {
      int32_t v = field.Get(i);
      // int32_data carries narrower types widened; a value outside the
      // element type would silently wrap (a uint8 zero point of 300 -> 44).
      if (v < lo || v > hi) {
        error = "element " + std::to_string(i) + " = " + std::to_string(v) +
                " is outside the range [" + std::to_string(lo) + ", " +
                std::to_string(hi) + "] of its element type";
        return false;
      }
      char *p = out.data.data() + i * elemSize;
      switch (*dtype) {
      case DType::I8: { int8_t x = v; std::memcpy(p, &x, 1); break; }
      case DType::U8: case DType::Bool: { uint8_t x = v; std::memcpy(p, &x, 1); break; }
      case DType::I16: { int16_t x = v; std::memcpy(p, &x, 2); break; }
      case DType::U16: { uint16_t x = v; std::memcpy(p, &x, 2); break; }
      default: std::memcpy(p, &v, 4); break;
      }
    }
    return true;
  }
  }
  error = "has no data";
  return false;
}

llvm::Expected<HostTensor> mote::readTensorProtoFile(llvm::StringRef path) {
  auto fail = [&](const llvm::Twine &msg) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   path + ": " + msg);
  };
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return fail("cannot read the file: " + buffer.getError().message());
  onnx::TensorProto proto;
  llvm::StringRef bytes = (*buffer)->getBuffer();
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max()))
    return fail("file is larger than 2 GB");
  if (!proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return fail("not a valid onnx TensorProto (truncated or corrupt "
                "protobuf); expected a tensor written by "
                "onnx.numpy_helper.from_array(...).SerializeToString()");
  HostTensor tensor;
  std::string error;
  if (!tensorFromProto(proto, tensor, error))
    return fail("tensor '" + proto.name() + "' " + error);
  return tensor;
}
