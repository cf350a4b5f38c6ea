//===- RunPlan.cpp - Machines reused across samples, plan execution -------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// A run needs DRAM and three SRAM buffers in their initial state: DRAM holds
// the constants and zeros, SRAM zeros. Allocating and clearing them for
// every sample costs more than a small network's arithmetic, so finished
// machines go back to a pool of the simulator and are restored for the
// next sample over the byte ranges the program can write (Plan), which
// gives exactly the initial state. A pooled machine also keeps its
// prepared MATMUL weights (MatMulCache), so a batch decodes each weight
// tile once per worker thread, not once per sample.
//
//===----------------------------------------------------------------------===//

#include "Plan.h"
#include "SimulatorImpl.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

using namespace mote;
using namespace mote::sim;
using llvm::Error;

/// MOTE_SIM_REFERENCE=1 in the environment selects the reference path too
/// (to check a whole model's outputs against it).
static std::atomic<bool> referenceExecution{[] {
  const char *v = std::getenv("MOTE_SIM_REFERENCE");
  return v && *v && *v != '0';
}()};

void sim::setReferenceExecution(bool on) { referenceExecution = on; }

void sim::preparePlan(const SimulatorImpl &impl) {
  std::call_once(impl.planOnce, [&] {
    impl.plan =
        buildPlan(impl.ops, impl.program, impl.target.macArray.digitBits);
    impl.dramImage.assign(impl.dramTouched, 0);
    std::copy(impl.program.constants.begin(), impl.program.constants.end(),
              impl.dramImage.begin());
  });
}

std::unique_ptr<Machine> sim::acquireMachine(const SimulatorImpl &impl) {
  preparePlan(impl);
  std::unique_ptr<Machine> m;
  {
    std::lock_guard<std::mutex> lock(impl.poolMutex);
    if (!impl.idleMachines.empty()) {
      m = std::move(impl.idleMachines.back());
      impl.idleMachines.pop_back();
    }
  }
  if (!m) {
    m = std::make_unique<Machine>();
    m->digitBits = impl.target.macArray.digitBits;
    m->host = impl.host.get();
    m->dram = impl.dramImage;
    for (unsigned b = 0; b < kNumSramBuffers; ++b)
      m->sram[b].assign(impl.target.buffer(SramBuffer(b)).bytes, 0);
    m->matMulCache.last.resize(impl.plan.matMulSteps, nullptr);
    return m;
  }
  // Restore what the previous run may have written.
  for (unsigned b = 0; b < kNumSramBuffers; ++b) {
    const ByteRange &r = impl.plan.sramWritten[b];
    uint64_t hi = std::min<uint64_t>(r.hi, m->sram[b].size());
    if (r.lo < hi)
      std::memset(m->sram[b].data() + r.lo, 0, hi - r.lo);
  }
  const ByteRange &r = impl.plan.dramWritten;
  uint64_t hi = std::min<uint64_t>(r.hi, m->dram.size());
  if (r.lo < hi)
    std::memcpy(m->dram.data() + r.lo, impl.dramImage.data() + r.lo,
                hi - r.lo);
  return m;
}

void sim::releaseMachine(const SimulatorImpl &impl,
                         std::unique_ptr<Machine> m) {
  std::lock_guard<std::mutex> lock(impl.poolMutex);
  impl.idleMachines.push_back(std::move(m));
}

Error sim::runPlan(const SimulatorImpl &impl, Machine &m) {
  Machine *one[] = {&m};
  return runPlanBatch(impl, one);
}

Error sim::runPlanBatch(const SimulatorImpl &impl,
                        llvm::ArrayRef<Machine *> batch) {
  if (batch.empty())
    return Error::success();
  if (referenceExecution) {
    for (Machine *m : batch)
      for (const Op &op : impl.ops)
        if (Error e = execute(*m, op))
          return e;
    return Error::success();
  }
  const Plan &plan = impl.plan;
  MatMulCache &weights = batch.front()->matMulCache;
  for (size_t s = 0; s < plan.steps.size(); ++s) {
    const Step &step = plan.steps[s];
    const Op &op = impl.ops[step.first];
    for (Machine *m : batch) {
      if (step.isMatMul())
        execMatMulStep(*m, weights, impl.ops, step, plan.matMulIndex[s],
                       plan.weightsInvariant);
      else if (step.vecTable)
        execVecTable(*m, op, step);
      else if (Error e = execute(*m, op))
        return e;
    }
  }
  return Error::success();
}
