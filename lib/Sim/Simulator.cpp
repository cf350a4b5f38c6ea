//===- Simulator.cpp - Creating and running the simulator -----------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Simulator::create checks the program against its target (hash, I/O
// descriptors) and schedules it (Schedule.cpp); run/runStorage execute the
// resolved operations (RunPlan.cpp) on a machine in its initial state, and the host I/O
// functions move tensors between the framework's layout and DRAM.
//
//===----------------------------------------------------------------------===//

#include "mote/Sim/Simulator.h"
#include "SimulatorImpl.h"

#include "mote/Numerics/Numerics.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Format.h"

#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <optional>

using namespace mote;
using namespace mote::sim;
using llvm::Error;
using llvm::Expected;
using llvm::Twine;

static Error makeError(const Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

//===----------------------------------------------------------------------===//
// I/O descriptors and host tensors
//===----------------------------------------------------------------------===//

namespace {
/// An I/O dtype as the host side sees it: the bytes in DRAM (isa::ioStorage)
/// and the HostTensor dtype of raw (--raw) values.
struct StorageType {
  DType dtype;
  unsigned bytes;
  int64_t qmin, qmax;
  bool isFloat;
};
} // namespace

static std::optional<StorageType> storageType(llvm::StringRef dtype) {
  std::optional<isa::IOStorage> s = isa::ioStorage(dtype);
  if (!s)
    return std::nullopt;
  DType host = s->isFloat     ? DType::F32
               : s->bytes == 4 ? DType::I32
               : s->isSigned   ? DType::I8
                               : DType::U8;
  return StorageType{host, s->bytes, s->qmin, s->qmax, s->isFloat};
}

static std::string shapeString(llvm::ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

static std::string ioWhat(const isa::IODesc &desc) {
  return (desc.isInput ? "input '" : "output '") + desc.name + "'";
}

Error sim::verifyIODesc(const isa::IODesc &desc, uint64_t dramBytes) {
  auto st = storageType(desc.dtype);
  if (!st)
    return makeError(ioWhat(desc) + " has DRAM dtype '" + desc.dtype +
                     "' (expected i8, u8, i32, f32, or i2..i7 / u1..u7)");
  uint64_t elements = 1;
  for (int64_t d : desc.shape) {
    if (d < 0 || d > (int64_t(1) << 32))
      return makeError(ioWhat(desc) + " has invalid shape " +
                       shapeString(desc.shape));
    elements *= uint64_t(d);
    if (elements > (uint64_t(1) << 40))
      return makeError(ioWhat(desc) + " has too many elements");
  }
  if (!desc.dramPerm.empty()) {
    if (desc.dramPerm.size() != desc.shape.size())
      return makeError(ioWhat(desc) + " has a DRAM permutation of rank " +
                       Twine(desc.dramPerm.size()) + " for a shape of rank " +
                       Twine(desc.shape.size()));
    std::vector<bool> seen(desc.shape.size());
    for (int64_t p : desc.dramPerm) {
      if (p < 0 || p >= int64_t(desc.shape.size()) || seen[p])
        return makeError(ioWhat(desc) + " has an invalid DRAM permutation " +
                         shapeString(desc.dramPerm));
      seen[p] = true;
    }
  }
  if (desc.bytes != elements * st->bytes)
    return makeError(ioWhat(desc) + " declares " + Twine(desc.bytes) +
                     " bytes but " + shapeString(desc.shape) + " x " +
                     desc.dtype + " needs " + Twine(elements * st->bytes));
  if (desc.dramAddr > dramBytes || desc.bytes > dramBytes - desc.dramAddr)
    return makeError(ioWhat(desc) + " lies at DRAM [" + Twine(desc.dramAddr) +
                     ", " + Twine(desc.dramAddr + desc.bytes) +
                     ") beyond the program's " + Twine(dramBytes) + " bytes");
  if (!(desc.scale > 0) || !std::isfinite(desc.scale))
    return makeError(ioWhat(desc) + " has a non-positive scale");
  return Error::success();
}

/// For each DRAM element (row-major in the permuted layout), the index of
/// the same element in the framework layout.
static std::vector<uint64_t> dramToFramework(const isa::IODesc &desc) {
  size_t rank = desc.shape.size();
  std::vector<uint64_t> fwStride(rank, 1);
  for (size_t i = rank; i-- > 1;)
    fwStride[i - 1] = fwStride[i] * uint64_t(desc.shape[i]);
  std::vector<uint64_t> dims(rank), strides(rank);
  for (size_t i = 0; i < rank; ++i) {
    size_t src = desc.dramPerm.empty() ? i : size_t(desc.dramPerm[i]);
    dims[i] = uint64_t(desc.shape[src]);
    strides[i] = fwStride[src];
  }
  uint64_t n = 1;
  for (uint64_t d : dims)
    n *= d;
  std::vector<uint64_t> map(n);
  std::vector<uint64_t> idx(rank, 0);
  uint64_t offset = 0;
  for (uint64_t e = 0; e < n; ++e) {
    map[e] = offset;
    for (size_t i = rank; i-- > 0;) {
      ++idx[i];
      offset += strides[i];
      if (idx[i] < dims[i])
        break;
      offset -= strides[i] * dims[i];
      idx[i] = 0;
    }
  }
  return map;
}

Expected<std::vector<uint8_t>> sim::packInput(const isa::IODesc &desc,
                                              const HostTensor &tensor,
                                              bool raw) {
  auto st = storageType(desc.dtype);
  if (!st)
    return makeError(ioWhat(desc) + ": unsupported DRAM dtype " + desc.dtype);
  if (llvm::ArrayRef<int64_t>(tensor.shape) !=
      llvm::ArrayRef<int64_t>(desc.shape))
    return makeError(ioWhat(desc) + ": expected shape " +
                     shapeString(desc.shape) + ", got " +
                     shapeString(tensor.shape));
  if (raw && tensor.isFloat() && !st->isFloat)
    return makeError(ioWhat(desc) + ": --raw expects integer storage values, "
                                    "got " +
                     dtypeName(tensor.dtype));
  if (!raw && !tensor.isFloat())
    return makeError(ioWhat(desc) + ": expected float32/float64 data in the "
                                    "framework's layout, got " +
                     dtypeName(tensor.dtype) +
                     " (use --raw to feed integer storage values)");
  std::vector<uint64_t> map = dramToFramework(desc);
  std::vector<uint8_t> bytes(desc.bytes);
  for (uint64_t e = 0; e < map.size(); ++e) {
    if (st->isFloat) {
      // A float input a host segment reads: the framework's value as is
      // (a float64 beyond float's range becomes ±inf, never UB).
      double d = tensor.getDouble(int64_t(map[e]));
      float f = std::fabs(d) > double(FLT_MAX) ? (d > 0 ? HUGE_VALF : -HUGE_VALF)
                                               : float(d);
      std::memcpy(&bytes[e * 4], &f, 4);
      continue;
    }
    int64_t q;
    if (raw) {
      q = tensor.getInt(int64_t(map[e]));
      if (q < st->qmin || q > st->qmax)
        return makeError(ioWhat(desc) + ": element " + Twine(map[e]) + " = " +
                         Twine(q) + " is outside the " + desc.dtype +
                         " storage range");
    } else {
      double x = tensor.getDouble(int64_t(map[e]));
      if (std::isnan(x))
        return makeError(ioWhat(desc) + ": element " + Twine(map[e]) +
                         " is NaN, which the quantized input cannot hold");
      q = numerics::quantize(x, desc.scale, desc.zeroPoint, st->qmin,
                             st->qmax);
    }
    if (st->bytes == 4) {
      int32_t v = int32_t(q);
      std::memcpy(&bytes[e * 4], &v, 4);
    } else {
      bytes[e] = uint8_t(q);
    }
  }
  return bytes;
}

HostTensor sim::unpackOutput(const isa::IODesc &desc,
                             llvm::ArrayRef<uint8_t> bytes, bool raw) {
  auto st = storageType(desc.dtype);
  HostTensor out;
  out.name = desc.name;
  out.shape.assign(desc.shape.begin(), desc.shape.end());
  out.dtype = raw ? st->dtype : DType::F32;
  out.data.assign(out.numElements() * dtypeSize(out.dtype), 0);
  std::vector<uint64_t> map = dramToFramework(desc);
  for (uint64_t e = 0; e < map.size(); ++e) {
    if (st->isFloat) {
      // A float output of a host segment: already the framework's value.
      std::memcpy(out.data.data() + map[e] * 4, &bytes[e * 4], 4);
      continue;
    }
    int64_t q;
    if (st->bytes == 4) {
      int32_t v;
      std::memcpy(&v, &bytes[e * 4], 4);
      q = v;
    } else {
      q = st->dtype == DType::I8 ? int64_t(int8_t(bytes[e]))
                                 : int64_t(bytes[e]);
    }
    char *dst = out.data.data() + map[e] * dtypeSize(out.dtype);
    if (raw) {
      if (st->bytes == 4) {
        int32_t v = int32_t(q);
        std::memcpy(dst, &v, 4);
      } else {
        *dst = char(q);
      }
    } else {
      float f = float(numerics::dequantize(q, desc.scale, desc.zeroPoint));
      std::memcpy(dst, &f, 4);
    }
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Simulator
//===----------------------------------------------------------------------===//

HostRunner::~HostRunner() = default;

Simulator::Simulator(std::unique_ptr<SimulatorImpl> impl)
    : impl(std::move(impl)) {}
Simulator::~Simulator() = default;

const isa::Program &Simulator::program() const { return impl->program; }
const TargetDescription &Simulator::target() const { return impl->target; }
const Stats &Simulator::stats() const { return impl->stats; }

unsigned Simulator::batchMachines() const {
  uint64_t bytes = impl->dramTouched;
  for (unsigned b = 0; b < kNumSramBuffers; ++b)
    bytes += impl->target.buffer(SramBuffer(b)).bytes;
  return unsigned(std::clamp<uint64_t>(
      (uint64_t(64) << 20) / std::max<uint64_t>(bytes, 1), 1, 8));
}

llvm::ArrayRef<const isa::IODesc *> Simulator::inputs() const {
  return impl->inputs;
}
llvm::ArrayRef<const isa::IODesc *> Simulator::outputs() const {
  return impl->outputs;
}

Expected<std::unique_ptr<Simulator>>
Simulator::create(isa::Program program, TargetDescription target,
                  llvm::StringRef what,
                  std::shared_ptr<const HostRunner> host) {
  auto impl = std::make_unique<SimulatorImpl>();
  impl->host = std::move(host);
  impl->program = std::move(program);
  impl->target = std::move(target);
  impl->what = what.str();
  const isa::Program &p = impl->program;
  const TargetDescription &t = impl->target;
  if (p.targetHash != t.hash()) {
    char have[32], want[32];
    snprintf(have, sizeof(have), "0x%016llx", (unsigned long long)p.targetHash);
    snprintf(want, sizeof(want), "0x%016llx", (unsigned long long)t.hash());
    return makeError(what + ": compiled for target '" + p.targetName +
                     "' (hash " + have + ") but simulating target '" + t.name +
                     "' (hash " + want +
                     "); pass the program's own target with --target or "
                     "recompile");
  }
  if (p.dramBytes < p.constants.size() || p.dramBytes > (uint64_t(1) << 33))
    return makeError(what + ": DRAM size " + Twine(p.dramBytes) +
                     " is smaller than the " + Twine(p.constants.size()) +
                     " constant bytes or larger than 8 GiB");
  for (const isa::IODesc &desc : p.io) {
    if (Error e = verifyIODesc(desc, p.dramBytes))
      return makeError(what + ": " + llvm::toString(std::move(e)));
    (desc.isInput ? impl->inputs : impl->outputs).push_back(&desc);
    impl->dramTouched =
        std::max(impl->dramTouched, desc.dramAddr + desc.bytes);
  }
  impl->dramTouched = std::max<uint64_t>(impl->dramTouched, p.constants.size());
  for (size_t i = 0; i < p.hostSegments.size(); ++i)
    for (bool input : {true, false})
      for (const isa::HostTensorDesc &t :
           input ? p.hostSegments[i].inputs : p.hostSegments[i].outputs) {
        if (t.dramAddr > p.dramBytes || t.bytes > p.dramBytes - t.dramAddr)
          return makeError(what + ": host segment " + Twine(i) +
                           " reads or writes DRAM beyond the program's " +
                           Twine(p.dramBytes) + " bytes");
        impl->dramTouched =
            std::max(impl->dramTouched, t.dramAddr + t.bytes);
      }
  if (Error e = schedule(*impl))
    return std::move(e);
  return std::unique_ptr<Simulator>(new Simulator(std::move(impl)));
}

Expected<std::vector<std::vector<uint8_t>>>
Simulator::runStorage(llvm::ArrayRef<std::vector<uint8_t>> inputs) const {
  auto outputs = runStorageBatch({inputs});
  if (!outputs)
    return outputs.takeError();
  return std::move(outputs->front());
}

Expected<std::vector<std::vector<std::vector<uint8_t>>>>
Simulator::runStorageBatch(
    llvm::ArrayRef<std::vector<std::vector<uint8_t>>> batch) const {
  const isa::Program &p = impl->program;
  if (!p.hostSegments.empty() && !impl->host)
    return makeError(impl->what + ": the program has " +
                     Twine(p.hostSegments.size()) +
                     " host segment(s) and this simulator was created "
                     "without a host runner (use mote-sim or motec, or "
                     "pass createInterpreterHostRunner)");
  for (const std::vector<std::vector<uint8_t>> &inputs : batch) {
    if (inputs.size() != impl->inputs.size())
      return makeError(impl->what + ": the program takes " +
                       Twine(impl->inputs.size()) + " input(s), got " +
                       Twine(inputs.size()));
    for (size_t i = 0; i < inputs.size(); ++i) {
      const isa::IODesc &desc = *impl->inputs[i];
      if (inputs[i].size() != desc.bytes)
        return makeError(impl->what + ": " + ioWhat(desc) + " needs " +
                         Twine(desc.bytes) + " bytes, got " +
                         Twine(inputs[i].size()));
    }
  }
  // Pooled machines, restored to the initial state (RunPlan.cpp), one per
  // sample.
  std::vector<std::unique_ptr<Machine>> machines;
  auto releaseAll = [&] {
    for (std::unique_ptr<Machine> &m : machines)
      releaseMachine(*impl, std::move(m));
  };
  for (const std::vector<std::vector<uint8_t>> &inputs : batch) {
    machines.push_back(acquireMachine(*impl));
    Machine &m = *machines.back();
    // The program-load preamble (resident weights) fills the weight buffer
    // before the inference. Restoring a pooled machine may have cleared
    // part of it, so it is applied again (a copy, cheap); its cost is
    // Stats::programLoad, counted once.
    for (const Op &op : impl->preambleOps)
      if (Error e = execute(m, op)) {
        releaseAll();
        return makeError(impl->what + ": " + llvm::toString(std::move(e)));
      }
    for (size_t i = 0; i < inputs.size(); ++i) {
      const isa::IODesc &desc = *impl->inputs[i];
      std::copy(inputs[i].begin(), inputs[i].end(),
                m.dram.begin() + desc.dramAddr);
    }
  }
  llvm::SmallVector<Machine *, 8> run;
  for (std::unique_ptr<Machine> &m : machines)
    run.push_back(m.get());
  if (Error e = runPlanBatch(*impl, run)) {
    releaseAll();
    return makeError(impl->what + ": " + llvm::toString(std::move(e)));
  }
  std::vector<std::vector<std::vector<uint8_t>>> results;
  for (std::unique_ptr<Machine> &m : machines) {
    std::vector<std::vector<uint8_t>> outputs;
    for (const isa::IODesc *desc : impl->outputs)
      outputs.emplace_back(m->dram.begin() + desc->dramAddr,
                           m->dram.begin() + desc->dramAddr + desc->bytes);
    results.push_back(std::move(outputs));
  }
  releaseAll();
  return results;
}

Expected<std::vector<std::vector<HostTensor>>>
Simulator::runBatch(llvm::ArrayRef<std::vector<HostTensor>> batch,
                    bool raw) const {
  std::vector<std::vector<std::vector<uint8_t>>> images;
  for (const std::vector<HostTensor> &inputs : batch) {
    if (inputs.size() != impl->inputs.size())
      return makeError(impl->what + ": the program takes " +
                       Twine(impl->inputs.size()) + " input(s), got " +
                       Twine(inputs.size()));
    images.emplace_back();
    for (size_t i = 0; i < inputs.size(); ++i) {
      auto bytes = packInput(*impl->inputs[i], inputs[i], raw);
      if (!bytes)
        return bytes.takeError();
      images.back().push_back(std::move(*bytes));
    }
  }
  auto results = runStorageBatch(images);
  if (!results)
    return results.takeError();
  std::vector<std::vector<HostTensor>> outputs;
  for (const std::vector<std::vector<uint8_t>> &sample : *results) {
    outputs.emplace_back();
    for (size_t i = 0; i < sample.size(); ++i)
      outputs.back().push_back(
          unpackOutput(*impl->outputs[i], sample[i], raw));
  }
  return outputs;
}

Expected<std::vector<HostTensor>>
Simulator::run(llvm::ArrayRef<HostTensor> inputs, bool raw) const {
  if (inputs.size() != impl->inputs.size())
    return makeError(impl->what + ": the program takes " +
                     Twine(impl->inputs.size()) + " input(s), got " +
                     Twine(inputs.size()));
  std::vector<std::vector<uint8_t>> images;
  for (size_t i = 0; i < inputs.size(); ++i) {
    auto bytes = packInput(*impl->inputs[i], inputs[i], raw);
    if (!bytes)
      return bytes.takeError();
    images.push_back(std::move(*bytes));
  }
  auto results = runStorage(images);
  if (!results)
    return results.takeError();
  std::vector<HostTensor> outputs;
  for (size_t i = 0; i < results->size(); ++i)
    outputs.push_back(unpackOutput(*impl->outputs[i], (*results)[i], raw));
  return outputs;
}
