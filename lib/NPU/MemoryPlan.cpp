//===- MemoryPlan.cpp - Where the activation tensors live -----------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Two levels, one liveness analysis. A tensor that only NPU layers write
// and read stays in the activation buffer between them when it fits: above
// the tile slots of every layer it lives through (Emit.cpp puts a layer's
// double-buffered input and output slots at the bottom of the buffer), and
// clear of every other on-chip tensor live at the same time. Tensors are
// placed in order of the DRAM energy they save per byte (written once,
// read by each consumer), first fit. Everything else lives in DRAM above
// the constant image, 64-byte aligned, first fit with liveness-based reuse:
// a tensor's buffer is freed after the last layer that reads it, but only
// once that layer's output has been placed (a layer never reads and writes
// the same bytes). Model inputs and outputs stay in DRAM and live to the
// end so that a program can be re-run, and so do the tensors a host
// segment reads or writes (the host sees DRAM only).
//
//===----------------------------------------------------------------------===//

#include "Layers.h"
#include "Tiling.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"

#include <algorithm>

using namespace mlir;
using namespace mote;
using namespace mote::npu;

std::optional<ActivationMode> mote::npu::parseActivationMode(StringRef name) {
  if (name == "auto")
    return ActivationMode::Auto;
  if (name == "dram")
    return ActivationMode::Dram;
  return std::nullopt;
}

int64_t mote::npu::slotBytes(const Layer &l, const TargetDescription &t) {
  if (l.kind == LayerKind::Host)
    return 0;
  SramUse u = sramUse(l, t, l.th, l.tw, l.tc, l.cc);
  return 2 * u.inSlot + 2 * u.outSlot;
}

namespace {
/// Live range [first, last] in layer indices of every planned value: model
/// inputs from -1, layer outputs from their layer; last reads (I/O: the end).
llvm::DenseMap<Value, std::pair<int64_t, int64_t>>
liveRanges(const Network &net, llvm::ArrayRef<Cascade> cascades = {}) {
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
  // A cascade reads its input in every stripe and writes its output from
  // the first: both live through the whole chain.
  for (const Cascade &c : cascades) {
    if (auto it = live.find(net.layers[c.first].in.value); it != live.end())
      it->second.second = std::max(it->second.second, c.last);
    if (auto it = live.find(net.layers[c.last].out.value); it != live.end())
      it->second.first = std::min(it->second.first, c.first);
  }
  return live;
}

/// Why a tensor must live in DRAM (empty: it may live on chip): a model
/// input or output, or a host segment reads or writes it.
const char *mustBeInDram(const Network &net, Value v) {
  for (const Network::IO &io : net.io)
    if (io.value == v)
      return io.isInput ? "a model input" : "a model output";
  for (const Layer &l : net.layers)
    if (l.kind == LayerKind::Host) {
      for (Value in : layerInputs(l))
        if (in == v)
          return "read by a host segment";
      for (auto [out, bytes] : layerOutputs(l))
        if (out == v)
          return "written by a host segment";
    }
  return nullptr;
}


int64_t onChipAlignment(const TargetDescription &t) {
  return std::max<int64_t>(64, t.sram.activationBuffer.alignmentBytes);
}

int64_t onChipCapacity(const TargetDescription &t) {
  // LOAD/STORE address the buffer through 32-bit dram_addr fields, tiles
  // through 20-bit sram_addr fields: the buffer is the limit.
  return std::min<int64_t>(t.sram.activationBuffer.bytes, int64_t(1) << 20);
}

/// The highest tile-slot byte of the layers in [first, last].
int64_t slotsTop(const Network &net, const TargetDescription &t,
                 int64_t first, int64_t last) {
  int64_t top = 0;
  for (int64_t i = std::max<int64_t>(first, 0);
       i <= last && i < int64_t(net.layers.size()); ++i)
    top = std::max(top, slotBytes(net.layers[i], t));
  return top;
}
} // namespace

namespace {
struct Candidate {
  Value v;
  int64_t bytes, first, last, accesses;
};

/// An on-chip allocation: bytes [addr, end) over layers [first, last].
struct Placed {
  int64_t addr, end, first, last;
};

/// The tensors that may live on chip, most accesses per byte first.
std::vector<Candidate>
onChipCandidates(const Network &net,
                 const llvm::DenseMap<Value, std::pair<int64_t, int64_t>> &live) {
  std::vector<Candidate> candidates;
  for (const Layer &l : net.layers) {
    if (l.kind == LayerKind::Host)
      continue;
    for (auto out : layerOutputs(l)) {
      // Plain names, not structured bindings: the lambda captures them
      // (C++17; clang refuses a captured binding).
      Value v = out.first;
      int64_t bytes = out.second;
      if (mustBeInDram(net, v) ||
          llvm::any_of(candidates, [&](auto &c) { return c.v == v; }))
        continue;
      auto [first, last] = live.lookup(v);
      candidates.push_back({v, bytes, first, last, 1 + tensorReaders(net, v)});
    }
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate &a, const Candidate &b) {
                     return a.accesses > b.accesses;
                   });
  return candidates;
}

/// First fit of `size` bytes live over [first, last] at or above `floor`
/// among `placed`; -1 if it does not fit below `capacity`.
int64_t firstFit(const std::vector<Placed> &placed, int64_t size,
                 int64_t floor, int64_t first, int64_t last, int64_t align,
                 int64_t capacity) {
  int64_t addr = alignTo(floor, align);
  std::vector<std::pair<int64_t, int64_t>> busy;
  for (const Placed &p : placed)
    if (p.first <= last && first <= p.last)
      busy.push_back({p.addr, p.end});
  llvm::sort(busy);
  for (auto [s, e] : busy) {
    if (addr + size <= s)
      break;
    addr = std::max(addr, alignTo(e, align));
  }
  return addr + size <= capacity ? addr : -1;
}

/// Places whole tensors (all but `skip`) first fit above the slots of
/// the layers they live through; those that do not fit stay out of `out`.
void placeWhole(const Network &net, const TargetDescription &t,
                const std::vector<Candidate> &candidates,
                const llvm::DenseSet<Value> &skip, std::vector<Placed> &placed,
                llvm::DenseMap<Value, int64_t> &out) {
  int64_t align = onChipAlignment(t), capacity = onChipCapacity(t);
  for (const Candidate &c : candidates) {
    if (skip.contains(c.v))
      continue;
    int64_t size = alignTo(std::max<int64_t>(c.bytes, 1), align);
    int64_t addr = firstFit(placed, size, slotsTop(net, t, c.first, c.last),
                            c.first, c.last, align, capacity);
    if (addr < 0)
      continue; // spills: DRAM
    placed.push_back({addr, addr + size, c.first, c.last});
    out[c.v] = addr;
  }
}

/// Whether layer k's output flows only into layer k + 1 as its input, both
/// row-local: the link a cascade can run through.
bool chainable(const Network &net, int64_t k) {
  const Layer &a = net.layers[k], &b = net.layers[k + 1];
  if (!cascadable(a) || !cascadable(b) || layerOutputs(a).size() != 1)
    return false;
  Value v = a.out.value;
  return !mustBeInDram(net, v) && tensorReaders(net, v) == 1 && b.in.value == v;
}

/// The chains worth cascading: each run of chainable links through which
/// a tensor that did not fit on chip whole passes.
std::vector<Cascade> cascadeChains(const Network &net,
                                   const llvm::DenseMap<Value, int64_t> &whole) {
  std::vector<Cascade> chains;
  int64_t n = net.layers.size();
  for (int64_t k = 0; k + 1 < n;) {
    if (!chainable(net, k)) {
      ++k;
      continue;
    }
    bool spills = false;
    int64_t end = k;
    for (; end + 1 < n && chainable(net, end); ++end)
      spills |= !whole.count(net.layers[end].out.value);
    // The whole run: its tensors then all become bands, so none that fit
    // whole before is pushed out by the bands.
    if (spills)
      chains.push_back({k, end, net.layers[end].out.h});
    k = end + 1;
  }
  return chains;
}

/// The highest tile-slot byte of a cascade's stripe layers (their tiles
/// are the layers' own, cut to the stripe's rows).
int64_t stripeSlotsTop(const Network &net, const TargetDescription &t,
                       const Cascade &c) {
  int64_t top = 0;
  for (const Stripe &st : cascadeStripes(net, c))
    for (int64_t k = c.first; k <= c.last; ++k) {
      int64_t pos = k - c.first;
      Layer sl = stripeLayer(net.layers[k], pos == 0 ? st.in : st.out[pos - 1],
                             st.out[pos], c.tileRows);
      top = std::max(top, slotBytes(sl, t));
    }
  return top;
}

/// Packed weight bytes of a layer (digit planes and records).
int64_t weightBytes(const Layer &l, const TargetDescription &t) {
  if (l.kind != LayerKind::Conv)
    return 0;
  int64_t k = l.kh * l.kw * (l.depthwise ? 1 : l.cg);
  return l.out.c * (int64_t(l.planes.size()) *
                        ((k * t.macArray.digitBits + 7) / 8) +
                    isa::kRequantRecordBytes * std::max<int64_t>(1, l.terms));
}

/// Whether cascading with these stripes saves DRAM traffic: streamed
/// weights are loaded again by every stripe, which must cost less than
/// the intermediates' round trip through DRAM it avoids.
bool worthCascading(const Network &net, const TargetDescription &t,
                    const Cascade &c, bool residentWeights) {
  if (residentWeights)
    return true;
  int64_t stripes = int64_t(cascadeStripes(net, c).size());
  int64_t reloaded = 0, saved = 0;
  for (int64_t k = c.first; k <= c.last; ++k)
    reloaded += (stripes - 1) * weightBytes(net.layers[k], t);
  for (int64_t k = c.first; k < c.last; ++k)
    saved += 2 * net.layers[k].out.bytes();
  return reloaded < saved;
}

/// Chooses the tallest stripe whose band buffers fit and places them,
/// cutting the stripe layers' tiles to fewer rows where their slots would
/// leave no room; false if not even one-row stripes of one-row tiles fit.
bool placeBands(const Network &net, const TargetDescription &t, Cascade &c,
                std::vector<Placed> &placed, MemoryPlan &plan,
                bool residentWeights) {
  int64_t align = onChipAlignment(t), capacity = onChipCapacity(t);
  int64_t rows = net.layers[c.last].out.h;
  for (int64_t d = 1;; d *= 2) {
    c.stripeRows = (rows + d - 1) / d;
    std::vector<int64_t> sizes = bandSizes(net, c);
    for (int64_t tileRows : {int64_t(0), int64_t(4), int64_t(2), int64_t(1)}) {
      c.tileRows = tileRows;
      int64_t floor = stripeSlotsTop(net, t, c);
      std::vector<Placed> trial = placed;
      std::vector<int64_t> addrs;
      for (int64_t bytes : sizes) {
        int64_t size = alignTo(std::max<int64_t>(bytes, 1), align);
        int64_t addr =
            firstFit(trial, size, floor, c.first, c.last, align, capacity);
        if (addr < 0)
          break;
        trial.push_back({addr, addr + size, c.first, c.last});
        addrs.push_back(addr);
      }
      if (addrs.size() != sizes.size())
        continue;
      // Shorter stripes only reload more: the first fit decides.
      if (!worthCascading(net, t, c, residentWeights))
        return false;
      placed = std::move(trial);
      for (size_t k = 0; k < sizes.size(); ++k) {
        Value v = net.layers[c.first + k].out.value;
        plan.onChip[v] = addrs[k];
        plan.bandBytes[v] = sizes[k];
      }
      return true;
    }
    if (c.stripeRows == 1)
      return false;
  }
}
} // namespace

int64_t mote::npu::tensorBytes(const Network &net, Value v) {
  for (const Network::IO &io : net.io)
    if (io.isInput && io.value == v)
      return io.bytes();
  for (const Layer &l : net.layers)
    for (auto [out, bytes] : layerOutputs(l))
      if (out == v)
        return bytes;
  return 0;
}

int64_t mote::npu::tensorReaders(const Network &net, Value v) {
  int64_t n = 0;
  for (const Layer &l : net.layers)
    n += llvm::count(layerInputs(l), v);
  return n;
}

llvm::DenseMap<Value, std::pair<int64_t, int64_t>>
mote::npu::planLiveRanges(const Network &net, const MemoryPlan &plan) {
  auto live = liveRanges(net, plan.cascades);
  for (const Cascade &c : plan.cascades)
    for (int64_t k = c.first; k < c.last; ++k)
      live[net.layers[k].out.value] = {c.first, c.last};
  return live;
}

MemoryPlan mote::npu::planMemory(const Network &net,
                                 const TargetDescription &t,
                                 int64_t constBytes, ActivationMode mode) {
  MemoryPlan plan;
  plan.constBytes = constBytes;
  auto live = liveRanges(net);
  int64_t n = net.layers.size();

  // On chip: every tensor only NPU layers touch, most DRAM energy saved
  // per byte first (each byte is written once and read by every reader;
  // the saving per byte is the same DRAM-vs-SRAM difference for each).
  // Where a chain of row-local layers passes tensors that do not fit, the
  // chain is cascaded: its intermediates get band buffers, placed first.
  if (mode == ActivationMode::Auto) {
    std::vector<Candidate> candidates = onChipCandidates(net, live);
    std::vector<Placed> placed;
    llvm::DenseMap<Value, int64_t> whole;
    placeWhole(net, t, candidates, {}, placed, whole);
    std::vector<Cascade> chains = cascadeChains(net, whole);
    if (chains.empty()) {
      plan.onChip = std::move(whole);
    } else {
      placed.clear();
      llvm::DenseSet<Value> bands;
      // Weights stay resident when the constants fit the weight buffer
      // (as emission decides with --weights=auto); else stripes reload them.
      bool resident = constBytes <= int64_t(t.sram.weightBuffer.bytes);
      for (Cascade c : chains)
        if (placeBands(net, t, c, placed, plan, resident)) {
          plan.cascades.push_back(c);
          for (int64_t k = c.first; k < c.last; ++k)
            bands.insert(net.layers[k].out.value);
        }
      llvm::DenseMap<Value, int64_t> rest;
      candidates = onChipCandidates(net, liveRanges(net, plan.cascades));
      placeWhole(net, t, candidates, bands, placed, rest);
      for (auto &[v, addr] : rest)
        plan.onChip[v] = addr;
    }
  }

  // DRAM: the rest. A cascade's layers run interleaved, stripe by stripe:
  // its outputs are allocated when it starts and its inputs freed when it
  // ends.
  llvm::DenseMap<Value, int64_t> lastUse;
  std::vector<int64_t> allocAt(n), groupEnd(n);
  for (int64_t i = 0; i < n; ++i)
    allocAt[i] = groupEnd[i] = i;
  for (const Cascade &c : plan.cascades)
    for (int64_t k = c.first; k <= c.last; ++k)
      allocAt[k] = c.first, groupEnd[k] = c.last;
  for (int64_t i = 0; i < n; ++i)
    for (Value v : layerInputs(net.layers[i]))
      lastUse[v] = groupEnd[i];
  for (auto &io : net.io)
    lastUse[io.value] = n; // Inputs stay intact: the program can be re-run.
  int64_t base = alignTo(constBytes, 64);
  std::vector<std::pair<int64_t, int64_t>> busy; // [start, end) in use
  std::vector<std::tuple<Value, int64_t, int64_t>> allocated; // value, addr, size
  int64_t top = base;
  auto alloc = [&](Value v, int64_t bytes) {
    bytes = alignTo(std::max<int64_t>(bytes, 1), 64);
    // First fit among the gaps of the live set.
    std::sort(busy.begin(), busy.end());
    int64_t addr = base;
    for (auto &[s, en] : busy) {
      if (addr + bytes <= s)
        break;
      addr = std::max(addr, en);
    }
    busy.push_back({addr, addr + bytes});
    allocated.push_back({v, addr, bytes});
    plan.addr[v] = addr;
    top = std::max(top, addr + bytes);
  };
  auto release = [&](Value v) {
    if (!plan.addr.count(v))
      return;
    for (auto &[val, addr, size] : allocated)
      if (val == v)
        llvm::erase_if(busy, [a = addr](auto &p) { return p.first == a; });
  };
  for (auto &io : net.io)
    if (io.isInput)
      alloc(io.value, io.bytes());
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t k = i; k < n && allocAt[k] == i; ++k)
      for (auto [v, bytes] : layerOutputs(net.layers[k]))
        if (!plan.addr.count(v) && !plan.onChip.count(v))
          alloc(v, bytes);
    // Free inputs whose last use is this layer (after allocating the
    // output: a layer never reads and writes the same DRAM).
    for (Value v : layerInputs(net.layers[i]))
      if (v && lastUse.lookup(v) == i)
        release(v);
  }
  plan.top = top;
  return plan;
}

LogicalResult mote::npu::verifyMemoryPlan(const Network &net,
                                          const TargetDescription &t,
                                          const MemoryPlan &plan,
                                          Operation *where) {
  auto live = liveRanges(net, plan.cascades);
  struct Buf {
    Value v;
    int64_t addr, bytes, first, last;
    bool onChip;
  };
  std::vector<Buf> bufs;
  /// The layer that writes `v`, for messages.
  auto producer = [&](Value v) -> std::string {
    for (const Layer &l : net.layers)
      for (auto [out, bytes] : layerOutputs(l))
        if (out == v)
          return "the output of layer '" + l.name + "'";
    return "a model input";
  };
  int64_t base = alignTo(plan.constBytes, 64);
  int64_t align = onChipAlignment(t), capacity = onChipCapacity(t);
  // In program order (inputs, then layer by layer), so that messages do not
  // depend on hashing.
  SmallVector<Value> order;
  for (const Network::IO &io : net.io)
    if (io.isInput)
      order.push_back(io.value);
  for (const Layer &l : net.layers)
    for (auto [out, bytes] : layerOutputs(l))
      if (!llvm::is_contained(order, out))
        order.push_back(out);
  // Cascades: chains of row-local links, and a band buffer for each
  // intermediate as large as its widest stripe; the band lives through the
  // whole chain.
  llvm::DenseMap<Value, std::pair<int64_t, int64_t>> bandLive;
  std::vector<std::pair<Cascade, int64_t>> bandFloor;
  int64_t n = net.layers.size();
  for (const Cascade &c : plan.cascades) {
    if (c.first < 0 || c.last >= n || c.first >= c.last ||
        c.stripeRows < 1 || c.stripeRows > net.layers[c.last].out.h ||
        c.tileRows < 0)
      return where->emitError("NPU memory plan: cascade [")
             << c.first << ", " << c.last << "] with stripes of "
             << c.stripeRows << " rows is not a chain of this network's "
             << "layers";
    for (int64_t k = c.first; k < c.last; ++k)
      if (!chainable(net, k))
        return where->emitError("NPU memory plan: a cascade cannot run "
                                "through the output of layer '")
               << net.layers[k].name << "' (it needs row-local layers and "
               << "a tensor only the next layer reads)";
    std::vector<int64_t> sizes = bandSizes(net, c);
    for (int64_t k = c.first; k < c.last; ++k) {
      Value v = net.layers[k].out.value;
      if (!plan.onChip.count(v) || plan.bandBytes.lookup(v) < sizes[k - c.first])
        return where->emitError("NPU memory plan: the band buffer of layer '")
               << net.layers[k].name << "' in the activation_buffer needs "
               << sizes[k - c.first] << " bytes for stripes of "
               << c.stripeRows << " rows";
      bandLive[v] = {c.first, c.last};
    }
    bandFloor.push_back({c, stripeSlotsTop(net, t, c)});
  }
  for (auto &[v, bytes] : plan.bandBytes)
    if (!bandLive.count(v))
      return where->emitError("NPU memory plan: a band buffer belongs to no "
                              "cascade");
  for (Value v : order) {
    auto range = live.lookup(v);
    int64_t bytes = tensorBytes(net, v);
    if (auto band = bandLive.find(v); band != bandLive.end()) {
      range = band->second;
      bytes = plan.bandBytes.lookup(v);
    }
    if (auto it = plan.onChip.find(v); it != plan.onChip.end()) {
      if (const char *why = mustBeInDram(net, v))
        return where->emitError("NPU memory plan: ")
               << producer(v) << " is " << why
               << " and must live in DRAM, not in the activation_buffer";
      // A band lies above its stripe layers' slots (their tiles are cut
      // to the stripe's rows); a whole tensor above the layers' own.
      int64_t slots = slotsTop(net, t, range.first, range.second);
      if (bandLive.count(v))
        for (auto &[c, floor] : bandFloor)
          if (c.first == range.first && c.last == range.second)
            slots = floor;
      if (it->second % align || it->second < slots ||
          it->second + bytes > capacity)
        return where->emitError("NPU memory plan: ")
               << producer(v) << " at activation_buffer address "
               << it->second << " (" << bytes << " bytes) must be "
               << align << "-byte aligned, above the " << slots
               << " bytes of tile slots of the layers it lives through and "
               << "inside the " << capacity << "-byte activation_buffer";
      bufs.push_back({v, it->second, bytes, range.first, range.second, true});
      continue;
    }
    auto it = plan.addr.find(v);
    if (it == plan.addr.end())
      return where->emitError("NPU memory plan: ")
             << producer(v) << " has no address";
    if (it->second < base || it->second % 64 ||
        it->second + bytes > plan.top)
      return where->emitError("NPU DRAM plan: address ")
             << it->second << " of a " << bytes
             << "-byte tensor is unaligned or outside [" << base << ", "
             << plan.top << ")";
    bufs.push_back({v, it->second, bytes, range.first, range.second, false});
  }
  // Tensors whose live ranges meet must not share bytes (a layer's output
  // is live together with its inputs).
  for (size_t i = 0; i < bufs.size(); ++i)
    for (size_t j = i + 1; j < bufs.size(); ++j) {
      const Buf &a = bufs[i], &b = bufs[j];
      bool together = a.first <= b.last && b.first <= a.last;
      bool overlap = a.addr < b.addr + b.bytes && b.addr < a.addr + a.bytes;
      if (a.onChip == b.onChip && together && overlap)
        return where->emitError("NPU memory plan: ")
               << producer(a.v) << " and " << producer(b.v) << " at "
               << (a.onChip ? "activation_buffer" : "DRAM") << " addresses "
               << a.addr << " and " << b.addr
               << " are live together but overlap";
    }
  return success();
}
