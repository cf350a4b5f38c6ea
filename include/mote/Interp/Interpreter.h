//===- Interpreter.h - Reference interpreter for mote IR -------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Executes a `func.func` of `mote` ops on host data. On float IR it is the
// float reference the quantizer calibrates against; on quantized IR it is
// the bit-exact reference the NPU simulator must match (docs/Interpreter.md
// lists the exact integer semantics of every op).
//
// Boundary rules:
//   - an f32 argument takes float32/float64 data;
//   - a quantized argument takes integer data as raw storage (checked
//     against the storage range) or float data, quantized with the
//     argument's scale/zero point (numerics::quantize);
//   - float results come out as float32, quantized ones as their storage
//     dtype; names come from `mote.name` argument/result attributes.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_INTERP_INTERPRETER_H
#define MOTE_INTERP_INTERPRETER_H

#include "mote/Interp/Tensor.h"
#include "mote/Support/HostTensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <vector>

namespace mote::interp {

struct Options {
  /// Worker threads for conv/matmul/FC: 0 = all cores, 1 = run inline.
  unsigned threads = 0;
};

/// Called after each op executes, with the op and its result tensors (valid
/// only during the call: copy what you keep).
using Observer =
    llvm::function_ref<void(mlir::Operation *op,
                            llvm::ArrayRef<const Tensor *> results)>;

/// The attribute that names a function argument or result at the boundary.
constexpr const char *kNameAttr = "mote.name";

/// A prepared function: checked once, constants decoded once, worker
/// threads started once, so that running it many times (calibration) costs
/// only the kernels. Not thread-safe: use one Interpreter per thread.
class Interpreter {
public:
  /// Checks that every op in `fn` is supported (error naming the first
  /// unsupported op and its location) and decodes the constants.
  static llvm::Expected<std::unique_ptr<Interpreter>>
  create(mlir::func::FuncOp fn, const Options &options = {});
  ~Interpreter();

  /// Runs the function on `inputs` (one per argument, in order).
  llvm::Expected<std::vector<HostTensor>> run(llvm::ArrayRef<HostTensor> inputs,
                                              Observer observer = nullptr);

  /// Like run(), but returns the results in the runtime form.
  llvm::Expected<std::vector<Tensor>>
  runTensors(llvm::ArrayRef<HostTensor> inputs, Observer observer = nullptr);

  /// Converts one input to the runtime form of argument `index`.
  llvm::Expected<Tensor> importInput(unsigned index,
                                     const HostTensor &input) const;

  /// The name of argument/result `index`: its `mote.name`, else
  /// "input_N" / "output_N".
  std::string argumentName(unsigned index) const;
  std::string resultName(unsigned index) const;

  mlir::func::FuncOp function() const { return fn; }

  struct Impl;

private:
  Interpreter(mlir::func::FuncOp fn, const Options &options);
  mutable mlir::func::FuncOp fn; ///< Op handles are not const-correct.
  std::unique_ptr<Impl> impl;
};

/// One-shot convenience: create + run.
llvm::Expected<std::vector<HostTensor>> run(mlir::func::FuncOp fn,
                                            llvm::ArrayRef<HostTensor> inputs,
                                            const Options &options = {},
                                            Observer observer = nullptr);

} // namespace mote::interp

#endif // MOTE_INTERP_INTERPRETER_H
