//===- MoteDialect.h - Mote dialect declaration -----------------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_DIALECT_MOTEDIALECT_H
#define MOTE_DIALECT_MOTEDIALECT_H

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/Dialect.h"

#include "Mote/MoteOpsDialect.h.inc"

#endif // MOTE_DIALECT_MOTEDIALECT_H
