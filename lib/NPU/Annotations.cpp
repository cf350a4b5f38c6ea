//===- Annotations.cpp - NPU pipeline state as IR attributes --------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Reading and writing the attributes through which the NPU passes hand
// their decisions to each other (see Annotations.h).
//
//===----------------------------------------------------------------------===//

#include "Annotations.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;
using namespace mote;
using namespace mote::npu;

static constexpr llvm::StringLiteral kLayer = "npu.layer",
                                     kLayerKind = "npu.layer_kind",
                                     kTile = "npu.tile",
                                     kLoopOrder = "npu.loop_order",
                                     kDram = "npu.dram",
                                     kSram = "npu.sram",
                                     kBand = "npu.band",
                                     kCascade = "npu.cascade",
                                     kDramInputs = "npu.dram_inputs",
                                     kConstBytes = "npu.const_bytes",
                                     kDramTop = "npu.dram_top";

LogicalResult mote::npu::preparePass(ModuleOp module, StringRef target,
                                     StringRef pass, func::FuncOp &func,
                                     std::optional<TargetDescription> &t) {
  llvm::Expected<TargetDescription> loaded = loadTarget(target);
  if (!loaded)
    return module.emitError("--") << pass << ": "
                                  << llvm::toString(loaded.takeError());
  t = std::move(*loaded);
  SmallVector<func::FuncOp> funcs(module.getOps<func::FuncOp>());
  if (funcs.size() != 1)
    return module.emitError("--")
           << pass << " expects exactly one function, found " << funcs.size();
  func = funcs.front();
  return success();
}

FailureOr<Network> mote::npu::formAnnotatedLayers(func::FuncOp func,
                                                  const TargetDescription &t) {
  FailureOr<Network> net = formLayers(func, t);
  if (failed(net))
    return failure();
  for (auto [i, l] : llvm::enumerate(net->layers))
    if (auto id = l.anchor->getAttrOfType<IntegerAttr>(kLayer))
      if (id.getInt() != int64_t(i))
        return l.anchor->emitError("npu.layer = ")
               << id.getInt() << " but this op anchors layer " << i
               << " (stale annotations: rerun --mote-npu-form-layers)";
  return net;
}

LogicalResult mote::npu::tileAnnotatedLayers(Network &net,
                                             const TargetDescription &t) {
  SmallVector<int64_t> unpinned;
  for (auto [i, l] : llvm::enumerate(net.layers)) {
    Attribute a = l.anchor->getAttr(kTile);
    if (!a) {
      if (failed(chooseTile(l, t)))
        return failure();
      unpinned.push_back(i);
      continue;
    }
    auto tile = dyn_cast<DenseI64ArrayAttr>(a);
    if (!tile || tile.size() != 4)
      return l.anchor->emitError("npu.tile must be array<i64: th, tw, tc, "
                                 "cc>, got ")
             << a;
    l.th = tile[0], l.tw = tile[1], l.tc = tile[2], l.cc = tile[3];
    if (failed(checkTile(l, t)))
      return failure();
  }
  // The tiles chosen here (not pinned) are priced on the simulator.
  if (!unpinned.empty())
    priceTiles(net, t, unpinned, net.layers.front().anchor->getContext());
  return success();
}

FailureOr<MemoryPlan>
mote::npu::planAnnotatedMemory(Network &net, const TargetDescription &t,
                               func::FuncOp func, ActivationMode mode) {
  int64_t constBytes = constantBytes(net, t, func.getContext());
  auto inputs = func->getAttrOfType<DenseI64ArrayAttr>(kDramInputs);
  if (!inputs)
    return planMemory(net, t, constBytes, mode);
  MemoryPlan plan;
  auto cb = func->getAttrOfType<IntegerAttr>(kConstBytes);
  auto top = func->getAttrOfType<IntegerAttr>(kDramTop);
  if (!cb || !top)
    return func.emitError("npu.dram_inputs needs npu.const_bytes and "
                          "npu.dram_top");
  plan.constBytes = cb.getInt(), plan.top = top.getInt();
  size_t k = 0;
  for (const Network::IO &io : net.io)
    if (io.isInput) {
      if (int64_t(k) >= int64_t(inputs.size()))
        return func.emitError("npu.dram_inputs has ")
               << inputs.size() << " addresses for more inputs";
      plan.addr[io.value] = inputs[k++];
    }
  for (const Layer &l : net.layers) {
    if (l.kind == LayerKind::Host) {
      auto outs = l.anchor->getAttrOfType<DenseI64ArrayAttr>(kDram);
      if (!outs || outs.size() != int64_t(l.hostOuts.size()))
        return l.anchor->emitError("npu.dram of a host segment must list one "
                                   "address per output (")
               << l.hostOuts.size() << "; rerun --mote-npu-plan-memory)";
      for (auto [hv, addr] : llvm::zip(l.hostOuts, outs.asArrayRef()))
        plan.addr[hv.dram] = addr;
      continue;
    }
    // An output kept on chip has its activation-buffer address instead.
    auto onChip = l.anchor->getAttrOfType<IntegerAttr>(kSram);
    auto a = l.anchor->getAttrOfType<IntegerAttr>(kDram);
    if (onChip && a)
      return l.anchor->emitError("npu.dram and npu.sram both set: a layer's "
                                 "output lives in DRAM or on chip, not both");
    if (!onChip && !a)
      return l.anchor->emitError("npu.dram (or npu.sram) missing on this "
                                 "layer's op while the function has "
                                 "npu.dram_inputs (rerun "
                                 "--mote-npu-plan-memory)");
    auto &map = onChip ? plan.onChip : plan.addr;
    int64_t at = onChip ? onChip.getInt() : a.getInt();
    auto it = map.find(l.out.value);
    if (it != map.end() && it->second != at)
      return l.anchor->emitError("npu.dram disagrees with the address of the "
                                 "same tensor");
    map[l.out.value] = at;
    if (auto band = l.anchor->getAttrOfType<IntegerAttr>(kBand))
      plan.bandBytes[l.out.value] = band.getInt();
  }
  for (auto [i, l] : llvm::enumerate(net.layers))
    if (Attribute a = l.anchor->getAttr(kCascade)) {
      auto c = dyn_cast<DenseI64ArrayAttr>(a);
      if (!c || c.size() != 3)
        return l.anchor->emitError("npu.cascade must be array<i64: last "
                                   "layer, stripe rows, tile rows>, got ")
               << a;
      plan.cascades.push_back({int64_t(i), c[0], c[1], c[2]});
    }
  if (plan.constBytes < constBytes)
    return func.emitError("npu.const_bytes = ")
           << plan.constBytes << " but the constants need " << constBytes
           << " bytes (stale annotations: rerun --mote-npu-plan-memory)";
  if (failed(verifyMemoryPlan(net, t, plan, func)))
    return failure();
  return plan;
}

void mote::npu::annotateLayers(const Network &net) {
  for (auto [i, l] : llvm::enumerate(net.layers)) {
    Builder b(l.anchor->getContext());
    l.anchor->setAttr(kLayer, b.getI64IntegerAttr(i));
    l.anchor->setAttr(kLayerKind, b.getStringAttr(l.kindName));
  }
}

void mote::npu::annotateTiles(const Network &net) {
  for (const Layer &l : net.layers) {
    Builder b(l.anchor->getContext());
    l.anchor->setAttr(kTile, b.getDenseI64ArrayAttr({l.th, l.tw, l.tc, l.cc}));
    l.anchor->setAttr(kLoopOrder, b.getStringAttr("oc,oh,ow,ic"));
  }
}

void mote::npu::annotateMemory(const Network &net, const MemoryPlan &plan,
                               func::FuncOp func) {
  Builder b(func.getContext());
  auto cascadeAttrs = [&] {
    for (const Cascade &c : plan.cascades)
      net.layers[c.first].anchor->setAttr(
          kCascade,
          b.getDenseI64ArrayAttr({c.last, c.stripeRows, c.tileRows}));
  };
  SmallVector<int64_t> inputs;
  for (const Network::IO &io : net.io)
    if (io.isInput)
      inputs.push_back(plan.addr.lookup(io.value));
  func->setAttr(kDramInputs, b.getDenseI64ArrayAttr(inputs));
  func->setAttr(kConstBytes, b.getI64IntegerAttr(plan.constBytes));
  func->setAttr(kDramTop, b.getI64IntegerAttr(plan.top));
  for (const Layer &l : net.layers) {
    if (l.kind == LayerKind::Host) {
      SmallVector<int64_t> outs;
      for (const HostValue &hv : l.hostOuts)
        outs.push_back(plan.addr.lookup(hv.dram));
      l.anchor->setAttr(kDram, b.getDenseI64ArrayAttr(outs));
      continue;
    }
    l.anchor->removeAttr(kDram);
    l.anchor->removeAttr(kSram);
    l.anchor->removeAttr(kBand);
    l.anchor->removeAttr(kCascade);
    if (auto band = plan.bandBytes.find(l.out.value);
        band != plan.bandBytes.end())
      l.anchor->setAttr(kBand, b.getI64IntegerAttr(band->second));
    if (auto it = plan.onChip.find(l.out.value); it != plan.onChip.end())
      l.anchor->setAttr(kSram, b.getI64IntegerAttr(it->second));
    else
      l.anchor->setAttr(kDram,
                        b.getI64IntegerAttr(plan.addr.lookup(l.out.value)));
  }
  cascadeAttrs();
}
