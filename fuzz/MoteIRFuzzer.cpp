//===- MoteIRFuzzer.cpp - libFuzzer target for the mote IR parser ---------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Parses arbitrary text as MLIR with every dialect mote-opt registers (mote,
// npu, quant, func, arith, tensor, tosa) and runs the verifier, which parsing
// does already; the point is our op verifiers, custom parsers and type
// helpers, which must diagnose any IR, never crash on it (Debian's LLVM has
// no assertions, so an unchecked cast<> is a segfault). Seeds: the .mlir
// tests of test/.
//
//===----------------------------------------------------------------------===//

#include "mote/InitAllDialects.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlir::DialectRegistry registry;
  mote::registerAllDialects(registry);
  mlir::MLIRContext context(registry, mlir::MLIRContext::Threading::DISABLED);
  context.loadAllAvailableDialects();
  mlir::ScopedDiagnosticHandler quiet(
      &context, [](mlir::Diagnostic &) { return mlir::success(); });
  // The MLIR lexer relies on a NUL after the buffer, as every file read
  // through MemoryBuffer has (libFuzzer's data has none: reading past it is
  // a harness bug, not a parser one).
  std::string text(reinterpret_cast<const char *>(data), size);
  mlir::ParserConfig config(&context, /*verifyAfterParse=*/false);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(text, config, "fuzz.mlir");
  if (module)
    (void)mlir::verify(*module);
  return 0;
}
