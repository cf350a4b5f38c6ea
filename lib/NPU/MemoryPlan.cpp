//===- MemoryPlan.cpp - DRAM planning of activation tensors ---------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Activations live above the constant image, 64-byte aligned, first fit
// with liveness-based reuse: a tensor's buffer is freed after the last layer
// that reads it, but only once that layer's output has been placed (a layer
// never reads and writes the same DRAM). Model inputs and outputs stay live
// to the end so that a program can be re-run.
//
//===----------------------------------------------------------------------===//

#include "Layers.h"
#include "Tiling.h"

#include "llvm/ADT/STLExtras.h"

#include <algorithm>

using namespace mlir;
using namespace mote;
using namespace mote::npu;

namespace {
int64_t ioBytes(const Network::IO &io) { return io.bytes(); }

/// Live range [first, last] in layer indices of every planned value: model
/// inputs from -1, layer outputs from their layer; last reads (I/O: the end).
llvm::DenseMap<Value, std::pair<int64_t, int64_t>>
liveRanges(const Network &net) {
  llvm::DenseMap<Value, std::pair<int64_t, int64_t>> live;
  int64_t n = net.layers.size();
  for (const Network::IO &io : net.io)
    if (io.isInput)
      live[io.value] = {-1, n};
  for (int64_t i = 0; i < n; ++i) {
    const Layer &l = net.layers[i];
    for (Value v : layerInputs(l)) {
      auto it = live.find(v);
      if (it != live.end())
        it->second.second = std::max(it->second.second, i);
    }
    for (auto [v, bytes] : layerOutputs(l))
      if (!live.count(v))
        live[v] = {i, i};
  }
  for (const Network::IO &io : net.io)
    if (live.count(io.value))
      live[io.value].second = n;
  return live;
}
} // namespace

DramPlan mote::npu::planDram(const Network &net, int64_t constBytes) {
  DramPlan plan;
  plan.constBytes = constBytes;
  // Last use (layer index) of each value; inputs and outputs live to the end.
  llvm::DenseMap<Value, int64_t> lastUse;
  int64_t n = net.layers.size();
  for (int64_t i = 0; i < n; ++i)
    for (Value v : layerInputs(net.layers[i]))
      lastUse[v] = i;
  for (auto &io : net.io)
    lastUse[io.value] = n; // Inputs stay intact: the program can be re-run.
  int64_t base = alignTo(constBytes, 64);
  std::vector<std::pair<int64_t, int64_t>> live; // [start, end) in use
  std::vector<std::tuple<Value, int64_t, int64_t>> allocated; // value, addr, size
  int64_t top = base;
  auto alloc = [&](Value v, int64_t bytes) {
    bytes = alignTo(std::max<int64_t>(bytes, 1), 64);
    // First fit among the gaps of the live set.
    std::sort(live.begin(), live.end());
    int64_t addr = base;
    for (auto &[s, en] : live) {
      if (addr + bytes <= s)
        break;
      addr = std::max(addr, en);
    }
    live.push_back({addr, addr + bytes});
    allocated.push_back({v, addr, bytes});
    plan.addr[v] = addr;
    top = std::max(top, addr + bytes);
  };
  auto release = [&](Value v) {
    if (!plan.addr.count(v))
      return;
    for (auto &[val, addr, size] : allocated)
      if (val == v)
        llvm::erase_if(live, [a = addr](auto &p) { return p.first == a; });
  };
  for (auto &io : net.io)
    if (io.isInput)
      alloc(io.value, ioBytes(io));
  for (int64_t i = 0; i < n; ++i) {
    const Layer &l = net.layers[i];
    for (auto [v, bytes] : layerOutputs(l))
      if (!plan.addr.count(v))
        alloc(v, bytes);
    // Free inputs whose last use is this layer (after allocating the
    // output: a layer never reads and writes the same DRAM).
    for (Value v : layerInputs(l))
      if (v && lastUse.lookup(v) == i)
        release(v);
  }
  plan.top = top;
  return plan;
}

LogicalResult mote::npu::verifyDramPlan(const Network &net,
                                        const DramPlan &plan,
                                        Operation *where) {
  auto live = liveRanges(net);
  struct Buf {
    Value v;
    int64_t addr, bytes, first, last;
  };
  std::vector<Buf> bufs;
  auto bytesOf = [&](Value v) -> int64_t {
    for (const Network::IO &io : net.io)
      if (io.isInput && io.value == v)
        return ioBytes(io);
    for (const Layer &l : net.layers)
      for (auto [out, bytes] : layerOutputs(l))
        if (out == v)
          return bytes;
    return 0;
  };
  int64_t base = alignTo(plan.constBytes, 64);
  for (auto &[v, range] : live) {
    auto it = plan.addr.find(v);
    if (it == plan.addr.end())
      return where->emitError("NPU DRAM plan: a tensor has no address");
    int64_t bytes = bytesOf(v);
    if (it->second < base || it->second % 64 ||
        it->second + bytes > plan.top)
      return where->emitError("NPU DRAM plan: address ")
             << it->second << " of a " << bytes
             << "-byte tensor is unaligned or outside [" << base << ", "
             << plan.top << ")";
    bufs.push_back({v, it->second, bytes, range.first, range.second});
  }
  // Tensors whose live ranges meet must not share bytes (a layer's output
  // is live together with its inputs).
  for (size_t i = 0; i < bufs.size(); ++i)
    for (size_t j = i + 1; j < bufs.size(); ++j) {
      const Buf &a = bufs[i], &b = bufs[j];
      bool together = a.first <= b.last && b.first <= a.last;
      bool overlap = a.addr < b.addr + b.bytes && b.addr < a.addr + a.bytes;
      if (together && overlap)
        return where->emitError("NPU DRAM plan: tensors at ")
               << a.addr << " and " << b.addr
               << " are live together but overlap";
    }
  return success();
}
