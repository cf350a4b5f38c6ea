//===- mote-translate.cpp - Import models into the mote dialect -------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Translates external model formats into Mote IR (--import-onnx) and
// converts Mote NPU programs between the binary and text forms
// (--disassemble .mbin -> .masm, --assemble .masm -> .mbin);
// --print-isa-doc prints docs/ISA.md's generated tables.
//
//===----------------------------------------------------------------------===//

#include "mote/Frontend/OnnxImporter.h"
#include "mote/ISA/Program.h"
#include "mote/NPU/Translate.h"
#include "mote/Support/Npy.h"
#include "mote/Tools/ToolSupport.h"

#include "Mote/MoteDialect.h"
#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
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
static cl::opt<bool> disassemble(
    "disassemble", cl::desc("Print a Mote NPU binary (.mbin) as text (.masm)"),
    cl::cat(category));
static cl::opt<bool> assemble(
    "assemble", cl::desc("Assemble Mote NPU text (.masm) into a binary (.mbin)"),
    cl::cat(category));
static cl::opt<bool> printIsaDoc(
    "print-isa-doc",
    cl::desc("Print the ISA tables of docs/ISA.md (generated from ISA.def)"),
    cl::cat(category));
static cl::opt<bool> npuToMbin(
    "npu-to-mbin", cl::desc("Translate npu IR (.mlir) to a binary (.mbin)"),
    cl::cat(category));
static cl::opt<bool> npuToMasm(
    "npu-to-masm", cl::desc("Translate npu IR (.mlir) to text (.masm)"),
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

Also assembles and disassembles Mote NPU programs (syntax: docs/ISA.md).

Examples:
  mote-translate --import-onnx model.onnx -o model.mlir
  mote-translate --disassemble model.mbin -o model.masm
  mote-translate --assemble model.masm -o model.mbin
  mote-translate --print-isa-doc
  mote-translate --import-onnx qconv.onnx --const x_scale=x_scale.pb \
      --const x_zero_point=x_zp.pb -o qconv.mlir
  mote-translate --import-onnx model.onnx --emit-bytecode -o model.mlirbc
  mote-translate --import-onnx crnn.onnx --input-shape x=1x1x32x100

Supported ONNX operators, layouts and error messages: docs/ONNX.md.
)";

/// Reads one --const file: .npy arrays or ONNX TensorProto .pb files.
static Expected<mote::HostTensor> readConstFile(StringRef file) {
  if (file.ends_with(".npy"))
    return mote::readNpy(file);
  return mote::readTensorProtoFile(file);
}

/// --print-isa-doc, --disassemble and --assemble: no MLIR involved.
static int runIsaTranslation(function_ref<int(const Twine &)> error) {
  std::string errorMessage;
  auto output = mlir::openOutputFile(outputFile, &errorMessage);
  if (!output)
    return error(errorMessage);
  if (printIsaDoc) {
    mote::isa::printIsaDoc(output->os());
    output->keep();
    return 0;
  }
  std::string file = inputFile.empty() ? std::string("-") : inputFile.getValue();
  ErrorOr<std::unique_ptr<MemoryBuffer>> input =
      MemoryBuffer::getFileOrSTDIN(file, /*IsText=*/assemble);
  if (!input)
    return error(file + ": " + input.getError().message());
  StringRef name = file == "-" ? StringRef("<stdin>") : StringRef(file);
  if (disassemble) {
    Expected<mote::isa::Program> program =
        mote::isa::readMbin(arrayRefFromStringRef((*input)->getBuffer()), name);
    if (!program)
      return error(toString(program.takeError()));
    mote::isa::printMasm(*program, output->os());
  } else {
    Expected<mote::isa::Program> program =
        mote::isa::parseMasm((*input)->getBuffer(), name);
    if (!program)
      return error(toString(program.takeError()));
    std::vector<uint8_t> bytes = mote::isa::writeMbin(*program);
    output->os().write(reinterpret_cast<const char *>(bytes.data()),
                       bytes.size());
  }
  output->keep();
  return 0;
}

int main(int argc, char **argv) {
  InitLLVM y(argc, argv);
  cl::list<std::string> &inputShapes = mote::tools::inputShapeOption(category);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv, overview);
  auto error = [](const Twine &msg) {
    WithColor::error(errs(), "mote-translate") << msg << "\n";
    return 1;
  };
  int modes =
      importOnnx + disassemble + assemble + printIsaDoc + npuToMbin + npuToMasm;
  if (modes != 1)
    return error("choose one translation (--import-onnx, --disassemble, "
                 "--assemble, --print-isa-doc); see --help");
  if (npuToMbin || npuToMasm)
    return mote::npu::translateNpuFile(inputFile.empty() ? std::string("-") : std::string(inputFile),
                                       outputFile, npuToMasm);
  if (!importOnnx)
    return runIsaTranslation(error);
  if (inputFile.empty())
    return error("no input model given; see --help");

  mote::OnnxImportOptions options;
  std::string shapeError =
      mote::tools::parseInputShapes(inputShapes, inputFile, options);
  if (!shapeError.empty())
    return error(shapeError);
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
