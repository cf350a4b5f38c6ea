//===- OnnxTensor.h - TensorProto to HostTensor -----------------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Internal to MoteFrontend: the one conversion of an onnx::TensorProto
// (initializers, Constant nodes, .pb test data) into a HostTensor.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_LIB_FRONTEND_ONNXTENSOR_H
#define MOTE_LIB_FRONTEND_ONNXTENSOR_H

#include "mote/Support/HostTensor.h"

#include "onnx/onnx_pb.h"
#include "llvm/ADT/StringRef.h"
#include <optional>
#include <string>

namespace mote {

/// Maps an ONNX TensorProto data type to a HostTensor dtype.
std::optional<DType> dtypeFromOnnx(int32_t onnxType);

/// The ONNX name of a TensorProto data type ("FLOAT16", ...), for messages.
std::string onnxTypeName(int32_t onnxType);

/// Converts `proto` into `out`. On failure returns false and sets `error` to
/// a sentence saying what is wrong (without the file or tensor name).
bool tensorFromProto(const onnx::TensorProto &proto, HostTensor &out,
                     std::string &error);

} // namespace mote

#endif // MOTE_LIB_FRONTEND_ONNXTENSOR_H
