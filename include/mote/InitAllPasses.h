//===- InitAllPasses.h - Register every pass Mote offers --------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_INITALLPASSES_H
#define MOTE_INITALLPASSES_H

#include "mote/Conversion/Passes.h"
#include "mote/Cost/SimulatedCost.h"
#include "mote/NPU/Passes.h"
#include "mote/Quant/Passes.h"
#include "mote/Transforms/Passes.h"
#include "mlir/Transforms/Passes.h"

namespace mote {

/// Mote's passes and the upstream generic ones (canonicalize, cse, ...),
/// and the simulator's cost model for the passes that price IR.
inline void registerAllPasses() {
  cost::registerSimulatedCost();
  mlir::registerTransformsPasses();
  registerMoteTransformsPasses();
  registerMoteConversionPasses();
  registerMoteQuantPasses();
  npu::registerMoteNPUPasses();
  npu::registerNpuPipeline();
}

} // namespace mote

#endif // MOTE_INITALLPASSES_H
