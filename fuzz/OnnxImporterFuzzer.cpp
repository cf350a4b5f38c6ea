//===- OnnxImporterFuzzer.cpp - libFuzzer target for the ONNX importer ----===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Feeds arbitrary bytes to the ONNX importer (protobuf parse, opset and
// shape checks, constant folding, op conversion, verification and the
// clean-up pipeline), as `mote-translate --import-onnx` does. Any crash,
// sanitizer report, hang or out-of-memory is a bug: malformed models must
// end in a diagnostic. Seeds: the .onnx files of test/ and of
// scripts/reliability/make_bad_inputs.py (see scripts/fuzz.sh).
//
//===----------------------------------------------------------------------===//

#include "mote/Frontend/OnnxImporter.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // One context per input: the importer interns types and attributes, and a
  // shared context would grow without bound over millions of inputs.
  mlir::MLIRContext context(mlir::MLIRContext::Threading::DISABLED);
  mlir::ScopedDiagnosticHandler quiet(
      &context, [](mlir::Diagnostic &) { return mlir::success(); });
  auto module = mote::importOnnxBytes(
      llvm::StringRef(reinterpret_cast<const char *>(data), size),
      "fuzz.onnx", context);
  (void)module;
  return 0;
}
