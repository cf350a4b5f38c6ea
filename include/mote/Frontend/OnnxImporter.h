//===- OnnxImporter.h - ONNX model and TensorProto import -------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Imports an ONNX model (opsets 6–17 of the default domain) into the `mote`
// dialect: static shapes, NHWC activations inside the function, the model's
// own layout (NCHW) and dtypes at the function boundary, quantized ONNX ops
// mapped to `!quant.uniform` types. See docs/ONNX.md.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_FRONTEND_ONNXIMPORTER_H
#define MOTE_FRONTEND_ONNXIMPORTER_H

#include "mote/Support/HostTensor.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"
#include <map>
#include <string>

namespace mote {

struct OnnxImportOptions {
  /// Graph inputs bound to constant data at import (e.g. weights, scales and
  /// zero points that a test feeds as graph inputs). Matched by name; such
  /// inputs do not become function arguments.
  std::map<std::string, HostTensor> constantInputs;
  /// Shapes for graph inputs (`--input-shape NAME=AxBxC`), by name. They
  /// resolve symbolic dimensions and must agree with the model's static
  /// ones. Without an override a symbolic leading dimension becomes 1 (a
  /// note says so); any other symbolic dimension is an error.
  std::map<std::string, std::vector<int64_t>> inputShapes;
};

/// Imports an ONNX file into a new module holding one func.func (named after
/// the sanitized graph name, or "main") and runs the clean-up pipeline
/// (mote-fold-batchnorm, canonicalize). Errors are emitted as MLIR
/// diagnostics located at the file and the node; returns failure then.
mlir::FailureOr<mlir::OwningOpRef<mlir::ModuleOp>>
importOnnxFile(llvm::StringRef path, mlir::MLIRContext &context,
               const OnnxImportOptions &options = {});

/// Reads a serialized onnx TensorProto (.pb) into a HostTensor. Handles
/// raw_data and the typed fields (float_data, int32_data for the narrow
/// integer types and bool, int64_data, double_data); rejects unsupported
/// types, size mismatches and malformed files with an error naming the file.
/// Imports a serialized ModelProto held in memory (what importOnnxFile does
/// after reading the file); `path` names it in diagnostics. Never crashes on
/// malformed bytes: the ONNX fuzzer (fuzz/) drives this entry point.
mlir::FailureOr<mlir::OwningOpRef<mlir::ModuleOp>>
importOnnxBytes(llvm::StringRef bytes, llvm::StringRef path,
                mlir::MLIRContext &context,
                const OnnxImportOptions &options = {});

llvm::Expected<HostTensor> readTensorProtoFile(llvm::StringRef path);

/// Loads every dialect the importer creates ops of into `context`.
void loadOnnxImportDialects(mlir::MLIRContext &context);

} // namespace mote

#endif // MOTE_FRONTEND_ONNXIMPORTER_H
