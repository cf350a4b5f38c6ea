//===- ToolSupport.h - Shared pieces of the interpreter tools ---*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// What every tool that runs models on host data does the same way: load a
// model (MLIR text or bytecode, or ONNX through the importer), pick its entry
// function, read tensor files (.npy, .npz, ONNX .pb), bind `--input` specs to
// the function's arguments, and split a batch of samples for a model that
// takes one. mote-run and mote-compare share these so that their options
// and messages stay the same.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_TOOLS_TOOLSUPPORT_H
#define MOTE_TOOLS_TOOLSUPPORT_H

#include "mote/Frontend/OnnxImporter.h"
#include "mote/Interp/Interpreter.h"
#include "mote/Support/HostTensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace mote::tools {

/// Keeps freed heap memory in the process (glibc: mmap threshold 32 MiB,
/// no trimming). The interpreter allocates each op's result, megabytes on
/// a large model, and frees its operands; returned to the system, every
/// such block page-faults again on the next op, which was half of
/// mote-run's time on MobileNetV2. Call first in main; elsewhere a no-op.
void keepFreedMemory();

/// `--threads N`. libMLIR already registers a hidden `cl::opt<int>` of that
/// name and a second registration aborts at start-up, so the existing one is
/// adopted: described, made visible and put into `category`.
llvm::cl::opt<int> *adoptThreadsOption(llvm::cl::OptionCategory &category,
                                       llvm::StringRef description);

/// `--input-shape NAME=D0xD1x...` (repeatable), registered in `category`
/// on first use; call before cl::ParseCommandLineOptions. Every tool that
/// imports ONNX models shares this one option definition.
llvm::cl::list<std::string> &inputShapeOption(llvm::cl::OptionCategory &category);

/// Parses `--input-shape` values into `options.inputShapes`. Returns "" or
/// an error naming `modelPath` and the input (malformed value, a zero or
/// negative dimension, the same input twice).
std::string parseInputShapes(llvm::ArrayRef<std::string> specs,
                             llvm::StringRef modelPath,
                             OnnxImportOptions &options);

/// Reads a tensor file: .npy (one tensor), .npz (every member, named) or an
/// ONNX TensorProto .pb (one tensor).
llvm::Expected<std::vector<HostTensor>> readTensorFile(llvm::StringRef path);

/// Loads a model into `context`: MLIR text or bytecode (parsed and
/// verified), or an .onnx file through the importer with `onnxOptions`.
/// On failure returns null with `error` set (diagnostics are printed).
mlir::OwningOpRef<mlir::ModuleOp>
loadModel(llvm::StringRef path, mlir::MLIRContext &context,
          const OnnxImportOptions &onnxOptions, std::string &error);

/// The function to run: `entry` if given, else `main`, else the only one.
mlir::func::FuncOp pickEntry(mlir::ModuleOp module, llvm::StringRef entry,
                             llvm::StringRef path, std::string &error);

/// Binds `--input` specs to the arguments of `interp`'s function, one
/// tensor per argument in order: `NAME=FILE` by argument name (`mote.name`,
/// else input_N), npz members by their names, unnamed tensors in order.
/// `takers` names who takes the inputs in messages ("function '@main'
/// takes", "the models take"). Returns "" or the error.
std::string bindInputs(const interp::Interpreter &interp,
                       llvm::ArrayRef<std::string> specs,
                       llvm::StringRef takers,
                       std::vector<HostTensor> &inputs);

/// The number of samples the inputs hold: k when an input's leading
/// dimension is k times its argument's and the other dimensions agree
/// (10,000 images for a batch-1 classifier), 1 for inputs of the argument's
/// own shape, 0 with `error` set for any other shape or for inputs that
/// disagree on k.
int64_t batchFactor(const interp::Interpreter &interp,
                    llvm::ArrayRef<HostTensor> inputs, std::string &error);

/// Runs `body(worker, sample)` for every sample in [0, samples) on
/// `workers` threads (worker 0 is the calling thread), each sample once.
/// Stops at the first error and returns it, prefixed with the sample index
/// when there are several samples. With 100 samples or more, prints
/// "TOOL: done/total UNIT" to stderr every 10 %. With another `unit` than
/// "samples" (groups of samples, say) the items are not samples and the
/// body names them in its errors.
llvm::Error
forEachSample(int64_t samples, unsigned workers, llvm::StringRef tool,
              llvm::function_ref<llvm::Error(unsigned worker, int64_t sample)>
                  body,
              llvm::StringRef unit = "samples");

/// Stacks per-sample results ([sample][result]) along dimension 0: one
/// tensor per result, k samples' data concatenated (a single sample is
/// returned as is).
std::vector<HostTensor>
stackSamples(llvm::ArrayRef<std::vector<HostTensor>> perSample);

/// Sample `index` of an input holding `samples` samples.
HostTensor sliceSample(const HostTensor &tensor, int64_t index,
                       int64_t samples);

} // namespace mote::tools

#endif // MOTE_TOOLS_TOOLSUPPORT_H
