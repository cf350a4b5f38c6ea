//===- NPUEstimate.cpp - Static per-layer estimate ------------------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The compiler's side of the roofline (DESIGN §6, issue 6 item 6): from
// the instructions of each npu.layer, the digit-MACs the MAC array must do
// and the DRAM bytes the DMA engines move, and the lower bound on cycles
// max(digit-MACs / (rows * cols), DRAM bytes / bandwidth) for the target.
// The simulator's cycles are held against it.
//
//===----------------------------------------------------------------------===//

#include "mote/NPU/Passes.h"
#include "mote/Target/TargetDescription.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

namespace mote::npu {
#define GEN_PASS_DEF_NPUESTIMATE
#include "mote/NPU/Passes.h.inc"
} // namespace mote::npu

using namespace mlir;
using namespace mote;
using namespace mote::npu;
using isa::Field;

namespace {
struct NPUEstimatePass
    : public mote::npu::impl::NPUEstimateBase<NPUEstimatePass> {
  using NPUEstimateBase::NPUEstimateBase;

  void runOnOperation() override {
    ProgramOp program = getOperation();
    llvm::Expected<TargetDescription> t = loadTarget(program.getTarget().getName());
    if (!t) {
      program.emitError("--npu-estimate: ") << llvm::toString(t.takeError());
      return signalPassFailure();
    }
    unsigned d = t->macArray.digitBits;
    // The execute engine's registers as the program sets them, from reset.
    std::array<int64_t, isa::kNumRegisters> exRegs =
        isa::resetRegisters()[unsigned(isa::Engine::Execute)];
    uint64_t totalCycles = 0;
    if (print)
      llvm::errs() << llvm::format("%-28s %-16s %14s %14s %12s %12s\n", "layer",
                                   "kind", "macs", "digit-macs", "dram-bytes",
                                   "roofline");
    Builder b(program.getContext());
    for (Operation &op : program.getBody().front()) {
      auto layer = dyn_cast<LayerOp>(op);
      if (!layer) {
        if (auto cfg = dyn_cast<ConfigOp>(op))
          if (cfg->getAttrOfType<IntegerAttr>("engine").getInt() == 1)
            exRegs[cfg->getAttrOfType<IntegerAttr>("reg").getInt()] =
                cfg->getAttrOfType<IntegerAttr>("value").getInt();
        continue;
      }
      int64_t digitMacs = 0, bytes = 0;
      for (Operation &inst : layer.getBody().front()) {
        FailureOr<isa::Instruction> in = toInstruction(&inst);
        if (failed(in))
          return signalPassFailure();
        switch (in->opcode) {
        case isa::Opcode::Config:
          if (in->get(Field::Config_engine) == 1)
            exRegs[in->get(Field::Config_reg)] = in->get(Field::Config_value);
          break;
        // On-chip copies (`on_chip`) move no DRAM bytes.
        case isa::Opcode::Load:
          if (!in->get(Field::Load_on_chip))
            bytes += in->get(Field::Load_rows) * in->get(Field::Load_cols) *
                     in->get(Field::Load_elem_bytes);
          break;
        case isa::Opcode::Store:
          if (!in->get(Field::Store_on_chip))
            bytes += in->get(Field::Store_rows) * in->get(Field::Store_cols) *
                     in->get(Field::Store_elem_bytes);
          break;
        case isa::Opcode::MatMul: {
          int64_t cg = in->get(Field::MatMul_depthwise)
                           ? 1
                           : exRegs[isa::reg::MM_IN_CG];
          digitMacs += in->get(Field::MatMul_out_h) *
                       in->get(Field::MatMul_out_w) *
                       in->get(Field::MatMul_out_c) * exRegs[isa::reg::MM_KH] *
                       exRegs[isa::reg::MM_KW] * cg;
          break;
        }
        default:
          break;
        }
      }
      (void)d;
      double compute = double(digitMacs) / double(t->peakDigitMacsPerCycle());
      double memory = double(bytes) / t->dram.bandwidthBytesPerCycle;
      auto roofline = int64_t(std::ceil(std::max(compute, memory)));
      totalCycles += roofline;
      layer.setDigitMacs(digitMacs);
      layer.setDramTraffic(bytes);
      layer.setRooflineCycles(roofline);
      if (print)
        llvm::errs() << llvm::format("%-28s %-16s %14lld %14lld %12lld %12lld\n",
                                     layer.getName().str().c_str(),
                                     layer.getKind().str().c_str(),
                                     (long long)layer.getMacs(),
                                     (long long)digitMacs, (long long)bytes,
                                     (long long)roofline);
    }
    if (print)
      llvm::errs() << "total roofline cycles: " << totalCycles << " ("
                   << llvm::format("%.1f", double(totalCycles) / t->clockMHz)
                   << " us at " << llvm::format("%g", t->clockMHz) << " MHz)\n";
  }
};
} // namespace
