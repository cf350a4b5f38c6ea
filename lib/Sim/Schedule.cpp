//===- Schedule.cpp - Validation, timing and events of a program ----------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Runs a program's control through the timing model of docs/Simulator.md
// without touching data: instructions are dispatched in program order into
// per-engine queues, each engine starts its next instruction when it is
// dispatched, the engine is free and the tokens it pops exist, and pushes
// its tokens when it completes. Configuration registers are tracked per
// engine in that engine's order, every access is resolved and checked, and
// the instructions are recorded in the order they start: an order that
// respects every token, so executing it reproduces the hardware's data flow.
// Nothing here depends on input data, so it runs once per program.
//
//===----------------------------------------------------------------------===//

#include "Scheduler.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <climits>
#include <cmath>

using namespace mote;
using namespace mote::sim;
using namespace mote::sim::schedule_detail;


std::string Scheduler::describe(uint64_t i) const {
  std::string s = "instruction " + std::to_string(i);
  if (i < insts.size()) {
    if (const isa::OpcodeInfo *info = isa::lookupOpcode(insts[i].opcode))
      s += " (" + info->mnemonic.str();
    else
      s += " (?";
    if (i < layerOf.size() && layerOf[i] >= 0)
      s += ", layer '" + program.layers[layerOf[i]].name + "'";
    s += ")";
  }
  return s;
}

Error Scheduler::fail(uint64_t i, const Twine &message) const {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 impl.what + ": " + describe(i) + ": " +
                                     message);
}

void Scheduler::accWritten(uint64_t lo, uint64_t hi) {
  if (lo >= hi || undefinedAcc.empty())
    return;
  std::vector<Undefined> kept;
  for (const Undefined &u : undefinedAcc) {
    if (u.hi <= lo || hi <= u.lo) {
      kept.push_back(u);
      continue;
    }
    if (u.lo < lo)
      kept.push_back({u.lo, lo, u.by});
    if (hi < u.hi)
      kept.push_back({hi, u.hi, u.by});
  }
  undefinedAcc = std::move(kept);
}

Error Scheduler::accRead(uint64_t i, uint64_t lo, uint64_t hi,
                         llvm::StringRef what) {
  for (const Undefined &u : undefinedAcc)
    if (lo < u.hi && u.lo < hi)
      return fail(i, what + " accumulator_buffer bytes [" +
                         Twine(std::max(lo, u.lo)) + ", " +
                         Twine(std::min(hi, u.hi)) + ") that " +
                         describe(u.by) +
                         " drained from the array instead of writing (field "
                         "drain): nothing has written them since");
  return Error::success();
}

Error Scheduler::checkSram(uint64_t i, unsigned buffer, uint64_t addr,
                           unsigned __int128 bytes, llvm::StringRef field,
                           llvm::StringRef what, bool checkAlign) const {
  const SramBufferDesc &desc = target.buffer(SramBuffer(buffer));
  llvm::StringRef name = sramBufferName(SramBuffer(buffer));
  if (checkAlign && desc.alignmentBytes > 1 && addr % desc.alignmentBytes)
    return fail(i, "field " + field + " = " + Twine(addr) +
                       " is not aligned to the " + name + "'s " +
                       Twine(desc.alignmentBytes) + " bytes");
  if (bytes == 0)
    return Error::success();
  unsigned __int128 end = (unsigned __int128)addr + bytes;
  if (end > desc.bytes) {
    std::string endText = bytes > (unsigned __int128)UINT64_MAX
                              ? std::string("beyond 2^64")
                              : std::to_string(uint64_t(end));
    return fail(i, what + " bytes [" + Twine(addr) + ", " + endText +
                       ") of the " + name + ", which has " +
                       Twine(desc.bytes) + " bytes (field " + field + ")");
  }
  return Error::success();
}

Error Scheduler::checkDram(uint64_t i, int64_t addr, uint64_t rows,
                           uint64_t cols, uint64_t elemBytes,
                           int64_t rowStride, int64_t pixStride,
                           llvm::StringRef strideRegs, bool onChip,
                           std::pair<uint64_t, uint64_t> *extent) {
  if (rows == 0 || cols == 0 || elemBytes == 0)
    return Error::success();
  __int128 rowSpan = (__int128)(rows - 1) * rowStride;
  __int128 colSpan = (__int128)(cols - 1) * pixStride;
  __int128 lo = (__int128)addr + std::min<__int128>(0, rowSpan) +
                std::min<__int128>(0, colSpan);
  __int128 hi = (__int128)addr + std::max<__int128>(0, rowSpan) +
                std::max<__int128>(0, colSpan) + elemBytes;
  // An on-chip copy (ISA.def `on_chip`) addresses the activation buffer.
  uint64_t limit = onChip ? target.sram.activationBuffer.bytes
                          : program.dramBytes;
  if (lo < 0 || hi > (__int128)limit) {
    auto text = [](__int128 v) {
      if (v > (__int128)INT64_MAX || v < (__int128)INT64_MIN)
        return std::string(v < 0 ? "-huge" : "huge");
      return std::to_string(int64_t(v));
    };
    return fail(i, "accesses " +
                       Twine(onChip ? "activation_buffer" : "DRAM") +
                       " bytes [" + text(lo) + ", " + text(hi) +
                       ") outside the " +
                       (onChip ? "activation_buffer's " : "program's ") +
                       Twine(limit) + (onChip ? " bytes" : " DRAM bytes") +
                       " (field dram_addr, rows, cols, elem_bytes "
                       "and registers " +
                       strideRegs + ")");
  }
  if (extent)
    *extent = {uint64_t(lo), uint64_t(hi)};
  if (!onChip)
    impl.dramTouched = std::max(impl.dramTouched, uint64_t(hi));
  return Error::success();
}

Error Scheduler::checkRange(uint64_t i, int64_t value, int64_t lo, int64_t hi,
                            llvm::StringRef regName) const {
  if (value < lo || value > hi)
    return fail(i, "register " + regName + " = " + Twine(value) +
                       " is outside [" + Twine(lo) + ", " + Twine(hi) + "]");
  return Error::success();
}

Error Scheduler::checkMultiplier(uint64_t i, uint8_t mulReg, uint8_t shiftReg,
                                 llvm::StringRef mulName,
                                 llvm::StringRef shiftName,
                                 numerics::ScaleMultiplier &out) const {
  if (Error e = checkRange(i, reg(kExec, mulReg), 0, INT32_MAX, mulName))
    return e;
  if (Error e = checkRange(i, reg(kExec, shiftReg), numerics::kMinShift,
                           numerics::kMaxShift, shiftName))
    return e;
  out = {int32_t(reg(kExec, mulReg)), int32_t(reg(kExec, shiftReg))};
  return Error::success();
}

//===----------------------------------------------------------------------===//
// Timeline
//===----------------------------------------------------------------------===//

Error Scheduler::checkTokenDepth(unsigned q, uint64_t k) const {
  // Pushing token k finds more than `depth` tokens pending unless token
  // k - depth was popped no later than token k's push. Checked once both
  // times are known; tokens never popped are checked at the end.
  uint64_t depth = target.queues.token;
  const TokenQueue &tq = queues[q];
  if (k < depth || k >= tq.pushTime.size() || k - depth >= tq.popTime.size())
    return Error::success();
  uint64_t old = k - depth;
  if (tq.popTime[old] <= tq.pushTime[k])
    return Error::success();
  return fail(tq.pushedBy[k],
              "token queue " + Twine(kQueueNames[q]) + " overflows its depth " +
                  Twine(depth) + " (queues.token): the push at cycle " +
                  Twine(tq.pushTime[k]) + " finds " + Twine(depth) +
                  " tokens pending, the oldest pushed by " +
                  describe(tq.pushedBy[old]) + " and popped only at cycle " +
                  Twine(tq.popTime[old]));
}

Error Scheduler::deadlock(uint64_t dispatched) const {
  uint64_t now = 0;
  for (uint64_t i = 0; i < insts.size(); ++i)
    if (endOf[i] != UINT64_MAX)
      now = std::max(now, endOf[i]);
  std::string msg;
  llvm::raw_string_ostream os(msg);
  uint64_t left = 0;
  for (unsigned e = 0; e < 3; ++e)
    left += engineList[e].size() - next[e];
  os << impl.what << ": deadlock at cycle " << now << " with " << left
     << " instruction(s) left:";
  for (unsigned e = 0; e < 3; ++e) {
    os << "\n  " << kEngineNames[e] << " engine: ";
    if (next[e] >= engineList[e].size()) {
      os << "finished";
      continue;
    }
    uint64_t i = engineList[e][next[e]];
    os << describe(i);
    if (i >= dispatched) {
      unsigned de = engineOf[dispatched];
      unsigned depth = de == kLoad      ? target.queues.load
                       : de == kExec    ? target.queues.execute
                                        : target.queues.store;
      os << " is not dispatched: the dispatcher waits at "
         << describe(dispatched) << " for room in the "
         << kEngineNames[de] << " instruction queue (depth " << depth << ")";
      continue;
    }
    const isa::Instruction &inst = insts[i];
    bool first = true;
    for (bool prev : {true, false}) {
      if (!(prev ? inst.popPrev() : inst.popNext()))
        continue;
      int q = popQueue(e, prev);
      if (q < 0 || queues[q].popTime.size() < queues[q].pushTime.size())
        continue;
      os << (first ? " waits for a token on " : " and on ")
         << kQueueNames[q] << " (" << (prev ? "pop_prev" : "pop_next")
         << "; " << queues[q].pushTime.size() << " pushed, "
         << queues[q].popTime.size() << " popped)";
      first = false;
    }
  }
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

Error Scheduler::run() {
  uint64_t n = program.instructions.size();
  if (n == 0)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   impl.what + ": the program is empty");
  // Layers first, so that messages name them.
  layerOf.assign(n, -1);
  for (size_t l = 0; l < program.layers.size(); ++l) {
    const isa::LayerInfo &layer = program.layers[l];
    if (layer.firstInstruction > n ||
        layer.numInstructions > n - layer.firstInstruction)
      return llvm::createStringError(
          llvm::inconvertibleErrorCode(),
          impl.what + ": layer '" + layer.name + "' covers instructions [" +
              Twine(layer.firstInstruction) + ", " +
              Twine(layer.firstInstruction + layer.numInstructions) +
              ") beyond the program's " + Twine(n));
    for (uint64_t i = 0; i < layer.numInstructions; ++i)
      layerOf[layer.firstInstruction + i] = int(l);
  }
  insts.resize(n);
  engineOf.resize(n);
  for (uint64_t i = 0; i < n; ++i) {
    auto inst = isa::decode(program.instructions[i]);
    if (!inst)
      return fail(i, llvm::toString(inst.takeError()));
    insts[i] = *inst;
    Engine engine = inst->engine();
    if (unsigned(engine) > 2)
      return fail(i, "field engine names no engine");
    unsigned e = unsigned(engine);
    engineOf[i] = e;
    if ((inst->popPrev() && popQueue(e, true) < 0) ||
        (inst->popNext() && popQueue(e, false) < 0) ||
        (inst->pushPrev() && pushQueue(e, true) < 0) ||
        (inst->pushNext() && pushQueue(e, false) < 0))
      return fail(i, Twine("a token flag names a neighbour the ") +
                         kEngineNames[e] + " engine does not have");
    bool finish = inst->opcode == isa::Opcode::Finish;
    if (finish != (i + 1 == n))
      return fail(i, finish ? "FINISH before the end of the program"
                            : "the program does not end with FINISH");
  }
  if (target.queues.load == 0 || target.queues.execute == 0 ||
      target.queues.store == 0 || target.queues.token == 0 ||
      !(target.dram.bandwidthBytesPerCycle > 0) ||
      target.vectorUnit.lanes == 0 || target.macArray.digitBits == 0 ||
      target.macArray.digitBits > 16)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        impl.what + ": target '" + target.name +
            "' has a zero queue depth, DRAM bandwidth, vector width or "
            "digit width");

  // The program-load preamble runs once before the first inference; each
  // inference then runs the rest from reset registers (docs/Simulator.md).
  uint64_t pre = program.preambleInstructions;
  if (pre >= n)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        impl.what + ": the program-load preamble covers " + Twine(pre) +
            " of the program's " + Twine(n) + " instructions (FINISH ends the "
            "per-inference part)");
  startOf.assign(n, UINT64_MAX);
  endOf.assign(n, UINT64_MAX);
  dispatchOf.assign(n, 0);
  eventsOf.assign(n, Events());
  impl.ops.reserve(n - pre);
  if (pre)
    if (Error e = runPhase(0, pre, impl.preambleOps))
      return e;
  if (Error e = runPhase(pre, n, impl.ops))
    return e;
  buildStats();
  return Error::success();
}

Error Scheduler::runPhase(uint64_t begin, uint64_t end, std::vector<Op> &ops) {
  // ISA.def's reset values.
  regs = isa::resetRegisters();

  for (unsigned e = 0; e < 3; ++e) {
    engineList[e].clear();
    next[e] = 0;
  }
  for (uint64_t i = begin; i < end; ++i)
    engineList[engineOf[i]].push_back(i);
  for (TokenQueue &q : queues)
    q = TokenQueue();
  chainOpen = false;
  drainOpen = false;
  undefinedAcc.clear();
  std::vector<uint64_t> posInEngine(end);
  for (unsigned e = 0; e < 3; ++e)
    for (uint64_t p = 0; p < engineList[e].size(); ++p)
      posInEngine[engineList[e][p]] = p;
  const unsigned depthOf[3] = {target.queues.load, target.queues.execute,
                               target.queues.store};
  std::array<uint64_t, 3> freeAt{};
  uint64_t dispatched = begin, lastDispatch = 0;
  uint64_t n = end;

  for (uint64_t done = begin; done < n; ++done) {
    // Dispatch in program order while the target queue has room; an
    // instruction leaves its queue when it starts.
    while (dispatched < n) {
      unsigned e = engineOf[dispatched];
      uint64_t p = posInEngine[dispatched];
      uint64_t t = dispatched > begin ? lastDispatch + 1 : 0;
      if (p >= depthOf[e]) {
        uint64_t j = engineList[e][p - depthOf[e]];
        if (startOf[j] == UINT64_MAX)
          break;
        t = std::max(t, startOf[j]);
      }
      dispatchOf[dispatched] = lastDispatch = t;
      ++dispatched;
    }
    // The engine whose next instruction can start earliest goes next.
    int best = -1;
    uint64_t bestStart = 0;
    for (unsigned e = 0; e < 3; ++e) {
      if (next[e] >= engineList[e].size())
        continue;
      uint64_t i = engineList[e][next[e]];
      if (i >= dispatched)
        continue;
      uint64_t t = std::max(freeAt[e], dispatchOf[i]);
      bool ready = true;
      for (bool prev : {true, false}) {
        if (!(prev ? insts[i].popPrev() : insts[i].popNext()))
          continue;
        const TokenQueue &q = queues[popQueue(e, prev)];
        if (q.popTime.size() >= q.pushTime.size()) {
          ready = false;
          break;
        }
        t = std::max(t, q.pushTime[q.popTime.size()]);
      }
      if (!ready)
        continue;
      if (best < 0 || t < bestStart ||
          (t == bestStart && i < engineList[best][next[best]])) {
        best = int(e);
        bestStart = t;
      }
    }
    if (best < 0)
      return deadlock(dispatched);
    unsigned e = unsigned(best);
    uint64_t i = engineList[e][next[e]++];
    Op op;
    bool hasOp = false;
    uint64_t latency = 1;
    if (Error err = resolve(i, op, hasOp, latency, eventsOf[i]))
      return err;
    eventsOf[i].instructions = 1;
    startOf[i] = bestStart;
    endOf[i] = bestStart + latency;
    freeAt[e] = endOf[i];
    for (bool prev : {true, false}) {
      if (!(prev ? insts[i].popPrev() : insts[i].popNext()))
        continue;
      unsigned q = unsigned(popQueue(e, prev));
      queues[q].popTime.push_back(bestStart);
      // The push `depth` tokens later may now be checkable.
      if (Error err = checkTokenDepth(
              q, queues[q].popTime.size() - 1 + target.queues.token))
        return err;
    }
    for (bool prev : {true, false}) {
      if (!(prev ? insts[i].pushPrev() : insts[i].pushNext()))
        continue;
      unsigned q = unsigned(pushQueue(e, prev));
      queues[q].pushTime.push_back(endOf[i]);
      queues[q].pushedBy.push_back(uint32_t(i));
      if (Error err = checkTokenDepth(q, queues[q].pushTime.size() - 1))
        return err;
    }
    if (hasOp)
      ops.push_back(op);
  }
  if (chainOpen)
    return fail(chainLast, "sets chain but no MATMUL continues it");
  if (drainOpen)
    return fail(drainFrom, "sets drain but no VEC requantize takes its sums");
  // Pushes whose `depth`-earlier token was never popped overflowed.
  for (unsigned q = 0; q < kNumQueues; ++q) {
    const TokenQueue &tq = queues[q];
    uint64_t depth = target.queues.token;
    if (tq.pushTime.size() > tq.popTime.size() + depth) {
      uint64_t k = tq.popTime.size() + depth;
      return fail(tq.pushedBy[k],
                  "token queue " + Twine(kQueueNames[q]) +
                      " overflows its depth " + Twine(depth) +
                      " (queues.token): " + Twine(depth) +
                      " tokens are pending and never popped, the oldest "
                      "pushed by " +
                      describe(tq.pushedBy[tq.popTime.size()]));
    }
  }
  return Error::success();
}

//===----------------------------------------------------------------------===//
// Stats
//===----------------------------------------------------------------------===//

void Scheduler::buildStats() {
  Stats &s = impl.stats;
  s.targetName = target.name;
  s.targetHash = target.hash();
  s.clockMHz = target.clockMHz;
  s.macRows = target.macArray.rows;
  s.macCols = target.macArray.cols;
  s.digitBits = target.macArray.digitBits;
  uint64_t n = insts.size();
  // Host segments, in the order their HOST instructions appear.
  for (uint64_t i = 0; i < n; ++i) {
    if (insts[i].opcode != isa::Opcode::Host)
      continue;
    const isa::HostSegment &seg =
        program.hostSegments[size_t(insts[i].get(Field::Host_segment))];
    HostSegmentStats hs;
    hs.index = unsigned(insts[i].get(Field::Host_segment));
    hs.instruction = i;
    hs.cycle = startOf[i];
    for (uint64_t j = i; j-- > 0;)
      if (layerOf[j] >= 0) {
        hs.afterLayer = layerOf[j];
        break;
      }
    hs.ops = seg.ops;
    for (const isa::HostOp &op : seg.ops)
      hs.macs += op.macs;
    for (const isa::HostTensorDesc &t : seg.inputs)
      hs.readBytes += t.bytes;
    for (const isa::HostTensorDesc &t : seg.outputs)
      hs.writeBytes += t.bytes;
    s.host.macs += hs.macs;
    s.host.boundaryBytes += hs.readBytes + hs.writeBytes;
    s.host.boundaryPJ += double(hs.readBytes) * target.dramEnergyPerBytePJ() +
                         double(hs.writeBytes) *
                             target.dramEnergyPerBytePJ(/*write=*/true);
    s.host.segments.push_back(std::move(hs));
  }

  // Adds instruction i to a segment's events, span and engine time.
  auto addInstruction = [&](SegmentStats &seg, uint64_t i) {
    seg.events.add(eventsOf[i]);
    seg.startCycle = std::min(seg.startCycle, startOf[i]);
    seg.endCycle = std::max(seg.endCycle, endOf[i]);
    seg.busyCycles[engineOf[i]] += endOf[i] - startOf[i];
  };
  // The preamble (program load, once) and one inference (the rest).
  uint64_t pre = program.preambleInstructions;
  auto sum = [&](SegmentStats &seg, llvm::StringRef name, uint64_t begin,
                 uint64_t end) {
    seg.name = name.str();
    seg.firstInstruction = begin;
    seg.numInstructions = end - begin;
    seg.startCycle = UINT64_MAX;
    for (uint64_t i = begin; i < end; ++i)
      addInstruction(seg, i);
    if (seg.startCycle == UINT64_MAX)
      seg.startCycle = 0;
    seg.cycles = seg.endCycle;
    seg.energy = computeEnergy(seg.events, seg.cycles, target);
  };
  s.hasProgramLoad = pre > 0;
  if (pre)
    sum(s.programLoad, "program_load", 0, pre);
  SegmentStats &total = s.total;
  sum(total, "total", pre, n);
  for (const isa::LayerInfo &info : program.layers) {
    total.macs += info.macs;
    total.rooflineCycles += info.rooflineCycles;
  }

  uint64_t frontier = 0;
  for (size_t l = 0; l < program.layers.size(); ++l) {
    const isa::LayerInfo &info = program.layers[l];
    SegmentStats seg;
    seg.name = info.name;
    seg.kind = info.kind;
    seg.firstInstruction = info.firstInstruction;
    seg.numInstructions = info.numInstructions;
    seg.macs = info.macs;
    seg.rooflineCycles = info.rooflineCycles;
    seg.startCycle = info.numInstructions ? UINT64_MAX : 0;
    for (uint64_t i = info.firstInstruction;
         i < info.firstInstruction + info.numInstructions; ++i) {
      if (layerOf[i] == int(l))
        addInstruction(seg, i);
    }
    if (seg.startCycle == UINT64_MAX)
      seg.startCycle = 0;
    seg.cycles = seg.endCycle > frontier ? seg.endCycle - frontier : 0;
    frontier = std::max(frontier, seg.endCycle);
    seg.energy = computeEnergy(seg.events, seg.cycles, target);
    s.layers.push_back(std::move(seg));
  }

  // Trace slices: runs of one layer on one engine.
  for (unsigned e = 0; e < 3; ++e) {
    size_t open = SIZE_MAX;
    for (uint64_t i : engineList[e]) { // the last phase: one inference
      if (open != SIZE_MAX && s.slices[open].layer == layerOf[i]) {
        s.slices[open].lastInstruction = i;
        s.slices[open].endCycle = endOf[i];
        ++s.slices[open].count;
        continue;
      }
      TraceSlice slice;
      slice.engine = Engine(e);
      slice.layer = layerOf[i];
      slice.firstInstruction = slice.lastInstruction = i;
      slice.count = 1;
      slice.startCycle = startOf[i];
      slice.endCycle = endOf[i];
      open = s.slices.size();
      s.slices.push_back(slice);
    }
  }
}

Error sim::schedule(SimulatorImpl &impl) { return Scheduler(impl).run(); }
