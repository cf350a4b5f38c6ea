//===- InitAllDialects.h - Register every dialect Mote uses -----*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_INITALLDIALECTS_H
#define MOTE_INITALLDIALECTS_H

#include "Mote/MoteDialect.h"
#include "NPU/NPUOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/DialectRegistry.h"

namespace mote {

/// Mote's own dialects plus the upstream ones its inputs and passes use.
inline void registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<MoteDialect, npu::NPUDialect, mlir::arith::ArithDialect,
                  mlir::func::FuncDialect, mlir::quant::QuantDialect,
                  mlir::tensor::TensorDialect, mlir::tosa::TosaDialect>();
}

} // namespace mote

#endif // MOTE_INITALLDIALECTS_H
