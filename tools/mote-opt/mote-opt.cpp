//===- mote-opt.cpp - Mote's MLIR optimizer driver -------------------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// mlir-opt for Mote: parses, verifies, transforms and prints IR in the
// `mote` dialect and the upstream dialects Mote consumes (func, arith,
// tensor, tosa, quant), with every Mote pass and the core upstream passes
// (canonicalize, cse, ...) registered.
//
//===----------------------------------------------------------------------===//

#include "mote/InitAllDialects.h"
#include "mote/InitAllPasses.h"

#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mote::registerAllDialects(registry);
  mote::registerAllPasses();
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "Mote optimizer driver\n", registry));
}
