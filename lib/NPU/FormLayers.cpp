//===- FormLayers.cpp - Group mote ops into NPU layers --------------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Recognises the layers of a quantized, bit-width-lowered network:
//  - a conv/FC layer is the group the bit-width lowering wrote (digit
//    products, shifts, adds, the `mote.rescale` conv) or a native product,
//    plus a following clamp; its integer parameters (digit passes, weight
//    digit planes, per-channel {bias, M, S}) are derived exactly as the
//    interpreter derives them (mote/Numerics), so the chip is bit-exact;
//  - pools, adds, LUTs, clamps and non-trivial transposes are layers of
//    their own; reshapes and memory-order-preserving transposes alias;
//  - the input quantize (+ NCHW->NHWC transpose) and the output dequantize
//    become I/O descriptors;
//  - everything the chip cannot run (float work after a dequantize or
//    before a quantize, ops without an NPU form, forms the VEC unit lacks)
//    is kept on the host where it stands: consecutive host ops form a host
//    segment, placed after every layer formed before it, whose DRAM inputs
//    and outputs are its boundary (DESIGN §6).
//
//===----------------------------------------------------------------------===//

#include "Former.h"

#include "Mote/MoteAttrUtils.h"
#include "Mote/MoteOps.h"
#include "Mote/MoteTypeUtils.h"
#include "mote/ISA/Program.h"
#include "mote/Numerics/Numerics.h"

#include <set>

using namespace mlir;
using namespace mote;
using namespace mote::npu;
using namespace mote::npu::form_detail;

/// A layer's name: the op's `mote.name`, its NameLoc, or its op kind and
/// source line.
std::string form_detail::opName(Operation *op) {
  if (auto name = op->getAttrOfType<StringAttr>("mote.name"))
    return name.str();
  if (auto loc = dyn_cast<NameLoc>(op->getLoc()))
    return loc.getName().str();
  std::string s = op->getName().stripDialect().str();
  if (auto loc = dyn_cast<FileLineColLoc>(op->getLoc()))
    s += "@" + std::to_string(loc.getLine());
  return s;
}

/// A layer anchored at `op` (diagnostics, name); builders may refine the
/// kind once they know it (pool type, LUT vs clamp, dense vs conv).
Layer form_detail::startLayer(Operation *op, LayerKind kind,
                              StringRef kindName) {
  Layer l;
  l.kind = kind;
  l.kindName = kindName.str();
  l.anchor = op;
  l.name = opName(op);
  return l;
}

Value Former::root(Value v) {
  auto it = alias.find(v);
  return it == alias.end() ? v : root(it->second);
}

FailureOr<TensorRef> Former::tensor(Operation *user, Value v,
                            bool batchDim) {
  auto type = cast<RankedTensorType>(v.getType());
  std::optional<QuantParams> q = getQuantParams(type);
  if (!q || q->isPerAxis() || q->storageBits > 8)
    return user->emitError("NPU lowering: operand of '")
           << user->getName() << "' must be a per-tensor quantized tensor of "
           << "at most 8 bits, got " << type;
  TensorRef t;
  t.value = root(v);
  ArrayRef<int64_t> s = type.getShape();
  if (batchDim && !s.empty() && s[0] != 1)
    return user->emitError("NPU lowering supports batch 1 only, got ")
           << type;
  if (s.size() == 4) {
    t.h = s[1], t.w = s[2], t.c = s[3];
  } else {
    int64_t n = 1;
    for (size_t i = 1; i < s.size(); ++i)
      n *= s[i];
    t.c = n;
  }
  t.zp = q->zeroPoint(0);
  t.isSigned = q->isSigned;
  t.qmin = q->storageMin;
  t.qmax = q->storageMax;
  t.scale = q->scale(0);
  return t;
}

std::optional<std::vector<int64_t>> Former::constValues(Value v) {
  auto c = v.getDefiningOp<ConstantOp>();
  if (!c)
    return std::nullopt;
  std::optional<QuantParams> q = getQuantParams(v.getType());
  bool isSigned = q ? q->isSigned : true;
  return readIntElements(c.getValue(), isSigned);
}

Value Former::fuseClamp(Value v, Layer &l) {
  if (!v.hasOneUse())
    return v;
  auto clamp = dyn_cast<ClampOp>(*v.getUsers().begin());
  if (!clamp)
    return v;
  std::optional<QuantParams> q = getQuantParams(v.getType());
  int64_t lo = numerics::quantize(clamp.getMin().convertToFloat(), q->scale(0),
                                  q->zeroPoint(0), q->storageMin, q->storageMax);
  int64_t hi = numerics::quantize(clamp.getMax().convertToFloat(), q->scale(0),
                                  q->zeroPoint(0), q->storageMin, q->storageMax);
  l.lo = std::max(l.lo, lo);
  l.hi = std::min(l.hi, hi);
  handled.insert(clamp);
  return clamp.getOutput();
}

void Former::addHostOp(Operation *op) {
  if (openHost < 0 || openHost + 1 != int64_t(net.layers.size())) {
    Layer l = startLayer(op, LayerKind::Host, "host");
    net.layers.push_back(std::move(l));
    openHost = int64_t(net.layers.size()) - 1;
  }
  net.layers[openHost].hostOps.push_back(op);
  hostOf[op] = openHost;
  handled.insert(op);
}

bool Former::inOpenHostSegment(Value v) {
  Operation *def = v.getDefiningOp();
  auto it = def ? hostOf.find(def) : hostOf.end();
  return it != hostOf.end() && it->second == openHost &&
         openHost + 1 == int64_t(net.layers.size());
}

LogicalResult Former::layerOrHost(Operation *op,
                          llvm::function_ref<LogicalResult()> build) {
  size_t before = net.layers.size();
  LogicalResult built = failure();
  {
    ScopedDiagnosticHandler quiet(op->getContext(),
                                  [](Diagnostic &) { return success(); });
    built = build();
  }
  if (succeeded(built))
    return success();
  net.layers.resize(before);
  addHostOp(op);
  return success();
}

bool Former::onlyReturned(Value v) {
  return llvm::all_of(v.getUsers(), [](Operation *u) {
    return llvm::isa<func::ReturnOp>(u);
  });
}

LogicalResult Former::hostOutput(Value v, unsigned resultIndex) {
  Network::IO io;
  io.isInput = false;
  io.value = v;
  io.resultIndex = resultIndex;
  auto type = cast<RankedTensorType>(v.getType());
  io.shape.assign(type.getShape().begin(), type.getShape().end());
  io.dtype = dramDtypeName(type);
  if (io.dtype.empty())
    return v.getDefiningOp()->emitError("NPU lowering: a model output of type ")
           << type << " cannot leave a host segment";
  io.elemBytes = isa::ioStorage(io.dtype)->bytes;
  if (auto q = getQuantParams(type))
    io.scale = q->scale(0), io.zp = q->zeroPoint(0);
  if (auto n = func.getResultAttrOfType<StringAttr>(resultIndex, "mote.name"))
    io.name = n.str();
  else
    io.name = "output" + std::to_string(resultIndex);
  io.layout = io.shape.size() == 4 ? "NCHW" : io.shape.size() == 2 ? "NC" : "";
  net.io.push_back(io);
  return success();
}

LogicalResult Former::floatInput(BlockArgument arg, Operation *user,
                         const HostValue &hv) {
  for (const Network::IO &io : net.io)
    if (io.isInput && io.value == arg)
      return success();
  for (Operation *u : arg.getUsers())
    if (llvm::isa<QuantizeOp>(u))
      return user->emitError("NPU lowering: model input ")
             << arg.getArgNumber() << " is read both quantized and by "
             << "this host op; quantize it once, before every use";
  Network::IO io;
  io.isInput = true;
  io.value = arg;
  io.resultIndex = arg.getArgNumber();
  auto type = cast<RankedTensorType>(arg.getType());
  io.shape.assign(type.getShape().begin(), type.getShape().end());
  io.dtype = hv.dtype;
  io.elemBytes = isa::ioStorage(hv.dtype)->bytes;
  if (auto q = getQuantParams(type))
    io.scale = q->scale(0), io.zp = q->zeroPoint(0);
  if (auto n = func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "mote.name"))
    io.name = n.str();
  else
    io.name = "input" + std::to_string(arg.getArgNumber());
  if (auto lay = func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "mote.layout"))
    io.layout = lay.str();
  net.io.push_back(io);
  return success();
}

LogicalResult Former::finishHostSegments() {
  for (auto [index, l] : llvm::enumerate(net.layers)) {
    if (l.kind != LayerKind::Host)
      continue;
    auto inside = [&, index = index](Operation *op) {
      auto it = op ? hostOf.find(op) : hostOf.end();
      return it != hostOf.end() && it->second == int64_t(index);
    };
    auto describe = [&](Value v, Operation *where) -> FailureOr<HostValue> {
      HostValue hv;
      hv.value = v;
      hv.dram = root(v);
      hv.dtype = dramDtypeName(v.getType());
      if (hv.dtype.empty())
        return where->emitError("NPU lowering: a tensor of type ")
               << v.getType() << " cannot cross the boundary of a host "
               << "segment (per-tensor, at most 8-bit, i32 or f32 only)";
      hv.bytes = cast<RankedTensorType>(v.getType()).getNumElements() *
                 isa::ioStorage(hv.dtype)->bytes;
      return hv;
    };
    llvm::DenseSet<Value> seenIn;
    for (Operation *op : l.hostOps) {
      for (Value v : op->getOperands()) {
        Operation *def = v.getDefiningOp();
        if (inside(def) || (def && llvm::isa<ConstantOp>(def)) ||
            !seenIn.insert(v).second)
          continue;
        auto hv = describe(v, op);
        if (failed(hv))
          return failure();
        if (auto arg = dyn_cast<BlockArgument>(v))
          if (failed(floatInput(arg, op, *hv)))
            return failure();
        l.hostIns.push_back(*hv);
      }
      for (Value r : op->getResults()) {
        if (llvm::all_of(r.getUsers(), inside))
          continue;
        auto hv = describe(r, op);
        if (failed(hv))
          return failure();
        l.hostOuts.push_back(*hv);
      }
    }
  }
  return success();
}

LogicalResult Former::run() {
  for (Operation &opRef : func.getBody().front()) {
    Operation *op = &opRef;
    if (handled.contains(op))
      continue;
    if (llvm::isa<ConstantOp>(op))
      continue;
    // Members of bit-width-lowered groups: taken by their rescale conv.
    if (llvm::isa<DigitOp>(op) || op->hasAttr("mote.digits"))
      continue;
    if (llvm::isa<AddOp, MulOp, ReshapeOp>(op) &&
        isQuantizedTensor(op->getResult(0).getType()) &&
        getQuantParams(op->getResult(0).getType())->storageBits == 32)
      continue;
    // Learned/residual synthesis: the terms' requants to the int32 sum
    // are taken by the requant of the sum, which forms the layer.
    if (llvm::isa<RequantOp>(op) && isQuantizedTensor(op->getOperand(0).getType()) &&
        getQuantParams(op->getOperand(0).getType())->storageBits == 32) {
      if (getQuantParams(op->getResult(0).getType())->storageBits == 32) {
        deferred.push_back(op);
        continue;
      }
      if (failed(synthesisLayer(cast<RequantOp>(op))))
        return failure();
      continue;
    }
    // Pow2 synthesis terms (products and their rescale convs): taken by
    // the scale conv that consumes their sum.
    if (llvm::isa<Conv2DOp, FullyConnectedOp>(op) &&
        isQuantizedTensor(op->getResult(0).getType()) &&
        getQuantParams(op->getResult(0).getType())->storageBits == 32) {
      deferred.push_back(op);
      continue;
    }
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      for (OpOperand &use : ret->getOpOperands())
        if (Operation *def = use.get().getDefiningOp())
          if (hostOf.count(def) &&
              failed(hostOutput(use.get(), use.getOperandNumber())))
            return failure();
      continue;
    }
    // A quantize of a computed float value (after a host op).
    if (auto q = dyn_cast<QuantizeOp>(op);
        q && !llvm::isa<BlockArgument>(q.getInput())) {
      addHostOp(op);
      continue;
    }
    if (auto q = dyn_cast<QuantizeOp>(op)) {
      auto arg = cast<BlockArgument>(q.getInput());
      Network::IO io;
      io.isInput = true;
      io.resultIndex = arg.getArgNumber();
      io.value = q.getOutput();
      auto it = cast<RankedTensorType>(q.getInput().getType());
      io.shape.assign(it.getShape().begin(), it.getShape().end());
      if (auto n = func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "mote.name"))
        io.name = n.str();
      if (auto lay = func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "mote.layout"))
        io.layout = lay.str();
      // Absorb a layout transpose into the descriptor.
      if (q.getOutput().hasOneUse())
        if (auto t = dyn_cast<TransposeOp>(*q.getOutput().getUsers().begin())) {
          io.perm.assign(t.getPerms().begin(), t.getPerms().end());
          io.value = t.getOutput();
          handled.insert(t);
        }
      auto qp = getQuantParams(q.getOutput().getType());
      if (!qp || qp->isPerAxis() || qp->storageBits > 8)
        return op->emitError("NPU lowering: inputs must be quantized per "
                             "tensor to at most 8 bits");
      io.scale = qp->scale(0), io.zp = qp->zeroPoint(0);
      io.dtype = mote::isa::ioDtypeName(qp->storageBits, qp->isSigned);
      net.io.push_back(io);
      continue;
    }
    // A dequantize feeding anything but the return starts float work on
    // the host.
    if (auto dq = dyn_cast<DequantizeOp>(op);
        dq && !onlyReturned(dq.getOutput())) {
      addHostOp(op);
      continue;
    }
    if (auto dq = dyn_cast<DequantizeOp>(op)) {
      Network::IO io;
      io.isInput = false;
      Value v = dq.getInput();
      auto ot = cast<RankedTensorType>(dq.getOutput().getType());
      io.shape.assign(ot.getShape().begin(), ot.getShape().end());
      io.value = root(v);
      auto qp = getQuantParams(v.getType());
      if (!qp || qp->isPerAxis() || qp->storageBits > 8)
        return op->emitError("NPU lowering: outputs must be quantized per "
                             "tensor to at most 8 bits");
      io.scale = qp->scale(0), io.zp = qp->zeroPoint(0);
      io.dtype = mote::isa::ioDtypeName(qp->storageBits, qp->isSigned);
      for (OpOperand &use : dq.getOutput().getUses())
        if (auto ret = dyn_cast<func::ReturnOp>(use.getOwner())) {
          io.resultIndex = use.getOperandNumber();
          if (auto n = func.getResultAttrOfType<StringAttr>(
                  use.getOperandNumber(), "mote.name"))
            io.name = n.str();
        }
      if (io.name.empty())
        io.name = "output" + std::to_string(io.resultIndex);
      io.layout = io.shape.size() == 4 ? "NCHW" : io.shape.size() == 2 ? "NC" : "";
      net.io.push_back(io);
      continue;
    }
    // Float work (after a dequantize, or a model's float prologue) and
    // anything else the chip cannot run below stays on the host.
    if (llvm::any_of(op->getResultTypes(),
                     [](Type t) { return !isQuantizedTensor(t); }) ||
        llvm::any_of(op->getOperandTypes(),
                     [](Type t) { return !isQuantizedTensor(t); })) {
      addHostOp(op);
      continue;
    }
    if (auto c = dyn_cast<Conv2DOp>(op)) {
      if (c->hasAttr("mote.rescale") || !c->hasAttr("mote.digits")) {
        if (failed(convLayer(op)))
          return failure();
        continue;
      }
    }
    if (llvm::isa<FullyConnectedOp>(op) && !op->hasAttr("mote.digits")) {
      if (failed(convLayer(op)))
        return failure();
      continue;
    }
    if (llvm::isa<MaxPool2DOp, AvgPool2DOp>(op)) {
      (void)layerOrHost(op, [&] { return poolLayer(op); });
      continue;
    }
    if (llvm::isa<AddOp, SubOp, MulOp, MaximumOp, MinimumOp>(op) &&
        getQuantParams(op->getResult(0).getType())->storageBits <= 8) {
      (void)layerOrHost(op, [&] { return binaryLayer(op); });
      continue;
    }
    if (auto c = dyn_cast<ConcatOp>(op)) {
      (void)layerOrHost(op, [&] { return concatLayer(c); });
      continue;
    }
    if (llvm::isa<LutOp, ClampOp>(op)) {
      (void)layerOrHost(op, [&] { return unaryLayer(op); });
      continue;
    }
    // Data movement of a tensor the open host segment computes stays in
    // that segment (no round trip through DRAM for a reshape).
    if (llvm::isa<ReshapeOp, TransposeOp, SliceOp, ResizeOp, PadOp>(op) &&
        inOpenHostSegment(op->getOperand(0))) {
      addHostOp(op);
      continue;
    }
    if (auto r = dyn_cast<ReshapeOp>(op)) {
      alias[r.getOutput()] = r.getInput();
      continue;
    }
    if (auto t = dyn_cast<TransposeOp>(op)) {
      (void)layerOrHost(op, [&] { return transpose(t); });
      continue;
    }
    if (auto sl = dyn_cast<SliceOp>(op)) {
      (void)layerOrHost(op, [&] { return sliceLayer(sl); });
      continue;
    }
    if (auto r = dyn_cast<ResizeOp>(op)) {
      (void)layerOrHost(op, [&] { return resizeLayer(r); });
      continue;
    }
    if (auto p = dyn_cast<PadOp>(op)) {
      (void)layerOrHost(op, [&] { return padLayer(p); });
      continue;
    }
    if (!handled.contains(op))
      addHostOp(op);
  }
  for (Operation *op : deferred)
    if (!handled.contains(op))
      return op->emitError("NPU lowering: the 32-bit result of '")
             << op->getName() << "' does not feed a layer's scale conv";
  // Resolve aliases of layer outputs and I/O values.
  for (Layer &l : net.layers) {
    l.in.value = root(l.in.value);
    if (l.in2.value)
      l.in2.value = root(l.in2.value);
    for (TensorRef &t : l.ins)
      t.value = root(t.value);
  }
  for (Network::IO &io : net.io)
    io.value = root(io.value);
  if (failed(finishHostSegments()))
    return failure();
  // Outputs in the function's result order (the simulator returns them
  // in descriptor order).
  std::stable_sort(net.io.begin(), net.io.end(),
                   [](const Network::IO &a, const Network::IO &b) {
                     return a.isInput != b.isInput
                                ? a.isInput
                                : a.resultIndex < b.resultIndex;
                   });
  return success();
}

FailureOr<Network> mote::npu::formLayers(func::FuncOp func,
                                         const TargetDescription &target) {
  Former f(func, target);
  if (failed(f.run()))
    return failure();
  return std::move(f.net);
}

