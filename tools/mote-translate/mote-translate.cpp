//===- mote-translate.cpp - Import models into the mote dialect -------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Translates external model formats into Mote IR. Today: ONNX models
// (--import-onnx); a --disassemble mode for .mbin binaries joins later.
//
//===----------------------------------------------------------------------===//

#include "mote/Frontend/OnnxImporter.h"
#include "mote/Support/Npy.h"

#include "Mote/MoteDialect.h"
#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

using namespace llvm;

static cl::OptionCategory category("mote-translate options");

static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model>"),
                                      cl::cat(category));
static cl::opt<bool> importOnnx("import-onnx",
                                cl::desc("Import an ONNX model (.onnx)"),
                                cl::cat(category));
static cl::opt<std::string> outputFile("o", cl::desc("Output file (default: stdout)"),
                                       cl::value_desc("file"), cl::init("-"),
                                       cl::cat(category));
static cl::list<std::string>
    constInputs("const",
                cl::desc("Bind graph input NAME to constant data read from "
                         "FILE (.npy array or .pb TensorProto); repeatable"),
                cl::value_desc("NAME=FILE"), cl::cat(category));
static cl::opt<bool> emitBytecode("emit-bytecode",
                                  cl::desc("Write MLIR bytecode instead of text"),
                                  cl::cat(category));

static const char *overview = R"(Mote model translator

Imports a model into the mote dialect (static shapes, NHWC activations,
NCHW float arguments and results at the boundary), folds batch norm and
canonicalizes.

Examples:
  mote-translate --import-onnx model.onnx -o model.mlir
  mote-translate --import-onnx qconv.onnx --const x_scale=x_scale.pb \
      --const x_zero_point=x_zp.pb -o qconv.mlir
  mote-translate --import-onnx model.onnx --emit-bytecode -o model.mlirbc

Supported ONNX operators, layouts and error messages: docs/ONNX.md.
)";

/// Reads one --const file: .npy arrays or ONNX TensorProto .pb files.
static Expected<mote::HostTensor> readConstFile(StringRef file) {
  if (file.ends_with(".npy"))
    return mote::readNpy(file);
  return mote::readTensorProtoFile(file);
}

int main(int argc, char **argv) {
  InitLLVM y(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv, overview);
  auto error = [](const Twine &msg) {
    WithColor::error(errs(), "mote-translate") << msg << "\n";
    return 1;
  };
  if (!importOnnx)
    return error("choose a translation (--import-onnx); see --help");
  if (inputFile.empty())
    return error("no input model given; see --help");

  mote::OnnxImportOptions options;
  for (const std::string &spec : constInputs) {
    auto [name, file] = StringRef(spec).split('=');
    if (name.empty() || file.empty())
      return error("--const expects NAME=FILE, got '" + spec + "'");
    Expected<mote::HostTensor> tensor = readConstFile(file);
    if (!tensor)
      return error(toString(tensor.takeError()));
    tensor->name = name.str();
    options.constantInputs[name.str()] = std::move(*tensor);
  }

  mlir::MLIRContext context;
  SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  auto module = mote::importOnnxFile(inputFile, context, options);
  if (failed(module))
    return 1;

  std::string errorMessage;
  auto output = mlir::openOutputFile(outputFile, &errorMessage);
  if (!output)
    return error(errorMessage);
  if (emitBytecode) {
    if (failed(mlir::writeBytecodeToFile(**module, output->os())))
      return error("cannot write bytecode");
  } else {
    (*module)->print(output->os());
    output->os() << "\n";
  }
  output->keep();
  return 0;
}
