//===- Emit.cpp - Emit npu instructions for formed, tiled layers ----------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Constant packing and instruction emission for a memory plan
// (MemoryPlan.cpp: activations on chip or in DRAM; an on-chip tensor is
// read and written by LOAD/STORE `on_chip` copies between its place and
// the tile slots at the bottom of the activation buffer), with the token
// protocol:
//
//  step t (one tile x input-channel chunk):
//    load:    [pop E->L if t >= 2] loads into slot t%2 ... [push L->E]
//    execute: [pop L->E] matmuls / vec ... [push E->L]
//             the first VEC writing output slot u%2 pops S->E if u >= 2,
//             the step's last instruction pushes E->S when it ends a tile
//    store:   [pop E->S] stores of tile u [push S->E]
//  layer end: execute drains S->E and pushes a barrier to load, load drains
//             E->L: the next layer's loads see this layer's stores (in DRAM
//             or on chip), and its stores follow this layer's loads.
//
// Program order is a valid serial schedule (every pop follows its push),
// so no queue depth can deadlock it; the engines overlap by running ahead.
//
//===----------------------------------------------------------------------===//

#include "Emit.h"
#include "Emitter.h"

#include "NPU/NPUOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "Mote/MoteAttrUtils.h"
#include "Mote/MoteOps.h"
#include "Mote/MoteTypeUtils.h"
#include "llvm/Support/Format.h"

using namespace mlir;
using namespace mote;
using namespace mote::npu;
using isa::Field;
using isa::Instruction;

using namespace mote::npu::emit_detail;

/// The host segment `l` as an npu.host_segment: its ops cloned into the
/// region (constants they read cloned too; the pipeline's npu.*
/// annotations dropped), block arguments for its inputs, npu.host_yield of
/// its outputs, and their DRAM addresses.
static void emitHostSegment(OpBuilder &b, const Layer &l, int64_t index,
                            const llvm::DenseMap<Value, int64_t> &dram) {
  SmallVector<int64_t> inAddrs, outAddrs;
  for (const HostValue &v : l.hostIns)
    inAddrs.push_back(dram.lookup(v.dram));
  for (const HostValue &v : l.hostOuts)
    outAddrs.push_back(dram.lookup(v.dram));
  Location loc = l.anchor->getLoc();
  auto seg = HostSegmentOp::create(b, loc, index, inAddrs, outAddrs);
  Block *body = new Block();
  seg.getBody().push_back(body);
  OpBuilder sb = OpBuilder::atBlockEnd(body);
  IRMapping map;
  for (const HostValue &v : l.hostIns)
    map.map(v.value, body->addArgument(v.value.getType(), loc));
  auto cloneOp = [&](Operation *op) {
    Operation *c = sb.clone(*op, map);
    SmallVector<StringAttr> drop;
    for (NamedAttribute a : c->getAttrs())
      if (a.getName().strref().starts_with("npu."))
        drop.push_back(a.getName());
    for (StringAttr a : drop)
      c->removeAttr(a);
  };
  for (Operation *op : l.hostOps) {
    for (Value v : op->getOperands())
      if (!map.contains(v))
        if (Operation *def = v.getDefiningOp(); def && llvm::isa<ConstantOp>(def))
          cloneOp(def);
    cloneOp(op);
  }
  SmallVector<Value> results;
  for (const HostValue &v : l.hostOuts)
    results.push_back(map.lookup(v.value));
  HostYieldOp::create(sb, loc, results);
}

int64_t mote::npu::constantBytes(Network &net, const TargetDescription &t,
                                 MLIRContext *ctx) {
  // A dry run of step generation places every constant.
  OpBuilder dry(ctx);
  Block scratch;
  dry.setInsertionPointToEnd(&scratch);
  Emitter d(t, net, dry, UnknownLoc::get(ctx));
  d.measureOnly = true;
  for (Layer &l : net.layers)
    if (l.kind != LayerKind::Host)
      d.buildSteps(l);
  return d.imageTop;
}

LogicalResult mote::npu::emitProgram(Network &net, const TargetDescription &t,
                                     const MemoryPlan &plan, ModuleOp module,
                                     Location loc, WeightMode weights) {
  OpBuilder b(module.getContext());
  b.setInsertionPointToEnd(module.getBody());
  auto program =
      ProgramOp::create(b, loc, getTargetAttr(module.getContext(), t), 0);
  Block *body = new Block();
  program.getBody().push_back(body);
  OpBuilder pb = OpBuilder::atBlockEnd(body);
  Emitter e(t, net, pb, loc);
  // Constants first: place every conv's blocks in a dry run so that the
  // activation plan starts after them. The dry run also places resident
  // weights; `auto` streams them when they do not fit the weight buffer.
  // Only the real emission packs the weights (the dry runs measure).
  std::vector<Emitter::ResidentLoad> preamble;
  int64_t residentBytes = 0;
  decltype(e.packed) dryPacked;
  int64_t imageBytes = 0;
  for (bool tryResident : {true, false}) {
    if (tryResident && weights == WeightMode::Stream)
      continue;
    OpBuilder dry(module.getContext());
    Block scratch;
    dry.setInsertionPointToEnd(&scratch);
    Emitter d(t, net, dry, loc);
    d.residentWeights = tryResident;
    d.measureOnly = true;
    for (Layer &l : net.layers)
      if (l.kind != LayerKind::Host)
        d.buildSteps(l);
    scratch.clear();
    int64_t capacity = std::min<int64_t>(t.sram.weightBuffer.bytes, 1 << 20);
    if (tryResident && d.residentTop > capacity) {
      if (weights == WeightMode::Resident)
        return emitError(loc, "NPU lowering: --weights=resident: the packed "
                              "weights need ")
               << d.residentTop << " bytes of the weight_buffer, which has "
               << t.sram.weightBuffer.bytes << " bytes on target '" << t.name
               << "' (use --weights=stream or --weights=auto)";
      continue;
    }
    imageBytes = d.imageTop;
    dryPacked = std::move(d.packed);
    e.residentWeights = tryResident;
    preamble = d.residentLoads;
    residentBytes = d.residentTop;
    break;
  }
  if (alignTo(imageBytes, 64) > alignTo(plan.constBytes, 64))
    return emitError(loc, "NPU lowering: the DRAM plan starts activations "
                          "at ")
           << alignTo(plan.constBytes, 64) << " but the constants need "
           << imageBytes << " bytes (stale npu.dram attributes?)";
  e.dram = plan.addr;
  e.onChip = plan.onChip;
  e.dramTop = plan.top;
  for (Layer &l : net.layers)
    for (Value v : layerInputs(l))
      if (v && !e.dram.count(v) && !e.onChip.count(v) &&
          !(l.kind != LayerKind::Host && v.getDefiningOp<mote::ConstantOp>()))
        return l.anchor->emitError("NPU lowering: an operand of this ")
               << l.kindName << " is computed by no NPU layer or host "
               << "segment and is no model input (a constant activation?)";
  // The real emission packs the constants into the same places.
  // Data segments, I/O descriptors, host ops.
  OpBuilder top = OpBuilder::atBlockEnd(body);
  for (auto &io : net.io) {
    int64_t bytes = io.bytes();
    if (!e.dram.count(io.value))
      return emitError(loc, "NPU lowering: I/O tensor '") << io.name
             << "' has no DRAM buffer (an output computed by no layer?)";
    IOOp::create(top, loc, top.getStringAttr(io.name),
                 top.getBoolAttr(io.isInput),
                 top.getDenseI64ArrayAttr(io.shape),
                 top.getDenseI64ArrayAttr(io.perm),
                 top.getStringAttr(io.layout), top.getStringAttr(io.dtype),
                 top.getI64IntegerAttr(e.dram[io.value]),
                 top.getI64IntegerAttr(bytes), top.getF64FloatAttr(io.scale),
                 top.getI64IntegerAttr(io.zp));
  }
  // The program-load preamble: every resident block, once. The layers
  // start from reset registers, so the register shadow starts afresh.
  if (e.residentWeights && !preamble.empty()) {
    auto load = ProgramLoadOp::create(top, loc, residentBytes);
    Block *lb = new Block();
    load.getBody().push_back(lb);
    OpBuilder lbld = OpBuilder::atBlockEnd(lb);
    std::vector<Instruction> loads;
    for (const Emitter::ResidentLoad &r : preamble)
      e.loadBlock(loads, r.sram, r.dram, r.bytes);
    for (const Instruction &i : loads)
      createInstruction(lbld, loc, i);
    e.regs.clear();
  }
  int64_t segments = 0;
  auto emitLayer = [&](const Layer &l, const std::string &name) {
    e.buildSteps(l);
    int64_t digitMacs = l.macs * std::max<size_t>(1, l.passes.size());
    auto layer =
        LayerOp::create(top, loc, name, l.kindName, l.macs, digitMacs, 0, 0);
    layer->setAttr("tile", top.getDenseI64ArrayAttr({l.th, l.tw, l.tc, l.cc}));
    layer->setAttr("loop_order", top.getStringAttr("oc,oh,ow,ic"));
    Block *lb = new Block();
    layer.getBody().push_back(lb);
    OpBuilder lbld = OpBuilder::atBlockEnd(lb);
    e.b = &lbld;
    e.emitSteps();
  };
  for (int64_t i = 0, n = net.layers.size(); i < n; ++i) {
    Layer &l = net.layers[i];
    if (l.kind == LayerKind::Host) {
      emitHostSegment(top, l, segments++, e.dram);
      continue;
    }
    const Cascade *cascade = nullptr;
    for (const Cascade &c : plan.cascades)
      if (c.first == i)
        cascade = &c;
    if (!cascade) {
      emitLayer(l, l.name);
      continue;
    }
    // Stripe by stripe, every layer of the chain on its bands: the first
    // reads its input rows where the tensor lies, the last writes its
    // output rows there, the others read and write band buffers.
    std::vector<Stripe> stripes = cascadeStripes(net, *cascade);
    for (size_t si = 0; si < stripes.size(); ++si) {
      const Stripe &st = stripes[si];
      for (int64_t k = cascade->first; k <= cascade->last; ++k) {
        const Layer &kl = net.layers[k];
        int64_t pos = k - cascade->first;
        RowRange in = pos == 0 ? st.in : st.out[pos - 1];
        RowRange out = st.out[pos];
        e.stripePlace.clear();
        Addr inAt = pos == 0 ? e.at(kl.in.value) + in.lo * kl.in.w * kl.in.c
                             : Addr(e.onChip.lookup(kl.in.value), true);
        Addr outAt = k == cascade->last
                         ? e.at(kl.out.value) + out.lo * kl.out.w * kl.out.c
                         : Addr(e.onChip.lookup(kl.out.value), true);
        e.stripePlace[kl.in.value] = inAt;
        e.stripePlace[kl.out.value] = outAt;
        emitLayer(stripeLayer(kl, in, out, cascade->tileRows),
                  kl.name + " (stripe " + std::to_string(si + 1) + "/" +
                      std::to_string(stripes.size()) + ")");
      }
    }
    e.stripePlace.clear();
    i = cascade->last;
  }
  if (e.imageTop != imageBytes || e.packed != dryPacked)
    return emitError(loc, "NPU lowering: internal error: constant image "
                          "differs between planning and emission");
  const std::vector<uint8_t> &image = e.image;
  // Data segment (one, the whole constant image) before everything.
  OpBuilder front = OpBuilder::atBlockBegin(body);
  if (!image.empty()) {
    auto type = RankedTensorType::get({int64_t(image.size())}, front.getI8Type());
    auto data = DenseElementsAttr::get(
        type, ArrayRef<char>(reinterpret_cast<const char *>(image.data()), image.size()));
    DataOp::create(front, loc, 0, cast<ElementsAttr>(data));
  }
  OpBuilder end = OpBuilder::atBlockEnd(body);
  createInstruction(end, loc, isa::make(isa::Opcode::Finish));
  program.setDramBytes(std::max<int64_t>(e.dramTop, int64_t(image.size())));
  return success();
}

std::optional<WeightMode> mote::npu::parseWeightMode(llvm::StringRef name) {
  if (name == "auto")
    return WeightMode::Auto;
  if (name == "resident")
    return WeightMode::Resident;
  if (name == "stream")
    return WeightMode::Stream;
  return std::nullopt;
}
