//===- FormVectorOps.cpp - Vector-unit and DMA layers -----------------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The layer former's vector-unit and DMA layers (Former.h): pools, binary
// elementwise ops with their broadcasts, concat, LUT / clamp. The DMA
// copies (transposes, slices, nearest resizes, pads) are in FormCopies.cpp.
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

LogicalResult Former::poolLayer(Operation *op) {
  Layer l = startLayer(op, LayerKind::MaxPool, "max_pool2d");
  auto in = tensor(op, op->getOperand(0));
  auto out = tensor(op, op->getResult(0));
  if (failed(in) || failed(out))
    return failure();
  l.in = *in, l.out = *out;
  ArrayRef<int64_t> k, s, p;
  if (auto mp = dyn_cast<MaxPool2DOp>(op)) {
    l.kind = LayerKind::MaxPool;
    l.kindName = "max_pool2d";
    k = mp.getKernel(), s = mp.getStrides(), p = mp.getPad();
    if (mp.getDilations()[0] != 1 || mp.getDilations()[1] != 1)
      return op->emitError("NPU lowering: dilated max pooling is not supported");
    if (in->scale != out->scale || in->zp != out->zp || in->isSigned != out->isSigned)
      return op->emitError("NPU lowering: max pooling must keep its type");
  } else {
    auto ap = cast<AvgPool2DOp>(op);
    l.kind = LayerKind::AvgPool;
    l.kindName = "avg_pool2d";
    k = ap.getKernel(), s = ap.getStrides(), p = ap.getPad();
    bool padded = p[0] || p[1] || p[2] || p[3];
    if (padded && !ap.getCountIncludePad()) {
      // One multiplier per divisor that occurs (pad is [t, b, l, r]).
      l.excludePad = true;
      std::set<int64_t> rows, cols;
      for (int64_t oy = 0; oy < out->h; ++oy)
        rows.insert(validWindow(oy, s[0], k[0], p[0], in->h));
      for (int64_t ox = 0; ox < out->w; ++ox)
        cols.insert(validWindow(ox, s[1], k[1], p[2], in->w));
      for (int64_t cy : rows)
        for (int64_t cx : cols) {
          if (cy <= 0 || cx <= 0)
            return op->emitError("NPU lowering: an average-pooling window "
                                 "lies entirely in the padding");
          auto m = numerics::computeScaleMultiplier(
              in->scale / (out->scale * double(cy * cx)));
          if (!m)
            return op->emitError("NPU lowering: averaging ratio not "
                                 "expressible for a window of ")
                   << cy * cx;
          l.countScale[cy * cx] = {m->multiplier, m->shift};
        }
    }
    int64_t count = k[0] * k[1];
    // Windows past the padded input (ceil mode) would change the count.
    if ((out->h - 1) * s[0] + k[0] > in->h + p[0] + p[1] ||
        (out->w - 1) * s[1] + k[1] > in->w + p[2] + p[3])
      return op->emitError("NPU lowering: ceil-mode average pooling is not "
                           "supported yet");
    auto m = numerics::computeScaleMultiplier(in->scale /
                                              (out->scale * double(count)));
    if (!m)
      return op->emitError("NPU lowering: averaging ratio not expressible");
    l.mulA = m->multiplier, l.shiftA = m->shift;
  }
  l.kh = k[0], l.kw = k[1], l.sh = s[0], l.sw = s[1];
  l.pt = p[0], l.pb = p[1], l.pl = p[2], l.pr = p[3];
  l.macs = 0;
  l.lo = out->qmin, l.hi = out->qmax;
  l.out.value = fuseClamp(op->getResult(0), l);
  net.layers.push_back(std::move(l));
  return success();
}

LogicalResult Former::binaryLayer(Operation *op) {
  Layer l = startLayer(op, LayerKind::Add, op->getName().stripDialect());
  l.vop = llvm::isa<AddOp>(op)       ? isa::VecOp::Add
          : llvm::isa<SubOp>(op)     ? isa::VecOp::Sub
          : llvm::isa<MulOp>(op)     ? isa::VecOp::Mul
          : llvm::isa<MaximumOp>(op) ? isa::VecOp::Max
                                     : isa::VecOp::Min;
  auto o = tensor(op, op->getResult(0));
  if (failed(o))
    return failure();
  auto a = tensor(op, op->getOperand(0), bcast(op->getOperand(0), *o, l.bcastA));
  auto b = tensor(op, op->getOperand(1), bcast(op->getOperand(1), *o, l.bcastB));
  if (failed(a) || failed(b))
    return failure();
  if ((a->bytes() != o->bytes() && l.bcastA == Broadcast::None) ||
      (b->bytes() != o->bytes() && l.bcastB == Broadcast::None) ||
      (l.bcastA != Broadcast::None && l.bcastB != Broadcast::None))
    return op->emitError("NPU lowering: broadcasting ")
           << op->getName().stripDialect() << " of "
           << op->getOperand(0).getType() << " and "
           << op->getOperand(1).getType()
           << " is not supported (only one operand broadcast, per channel "
              "or as a scalar)";
  l.in = *a, l.in2 = *b, l.out = *o;
  for (auto [t, m] : {std::make_pair(&l.in, l.bcastA),
                      std::make_pair(&l.in2, l.bcastB)})
    if (m != Broadcast::None)
      t->h = t->w = 1, t->c = m == Broadcast::Scalar ? 1 : o->c;
  if (l.vop == isa::VecOp::Mul) {
    auto m = numerics::computeScaleMultiplier(a->scale * b->scale / o->scale);
    if (!m)
      return op->emitError("NPU lowering: product rescale not expressible");
    l.mulOut = m->multiplier, l.shiftOut = m->shift;
  } else {
    auto r = numerics::computeAddRescale(a->scale, b->scale, o->scale);
    if (!r)
      return op->emitError("NPU lowering: add rescale not expressible");
    l.mulA = r->lhs.multiplier, l.shiftA = r->lhs.shift;
    l.mulB = r->rhs.multiplier, l.shiftB = r->rhs.shift;
    l.mulOut = r->out.multiplier, l.shiftOut = r->out.shift;
  }
  l.lo = o->qmin, l.hi = o->qmax;
  l.out.value = fuseClamp(op->getResult(0), l);
  net.layers.push_back(std::move(l));
  return success();
}

bool Former::bcast(Value v, const TensorRef &out, Broadcast &mode) {
  auto t = cast<RankedTensorType>(v.getType());
  int64_t n = t.getNumElements();
  mode = Broadcast::None;
  if (n == out.bytes())
    return true;
  if (n == 1) {
    mode = Broadcast::Scalar;
    return false;
  }
  bool ones = llvm::all_of(t.getShape().drop_back(),
                           [](int64_t d) { return d == 1; });
  if (ones && !t.getShape().empty() && t.getShape().back() == out.c)
    mode = Broadcast::Channel;
  return mode == Broadcast::None;
}

LogicalResult Former::concatLayer(ConcatOp op) {
  Layer l = startLayer(op, LayerKind::Concat, "concat");
  auto o = tensor(op, op.getOutput());
  if (failed(o))
    return failure();
  auto ot = cast<RankedTensorType>(op.getOutput().getType());
  int64_t axis = op.getAxis();
  if (axis < 0 || axis >= ot.getRank())
    return op.emitError("NPU lowering: concat axis out of range");
  auto view = [&](RankedTensorType t, TensorRef &r) {
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < axis; ++d)
      outer *= t.getDimSize(d);
    for (int64_t d = axis; d < t.getRank(); ++d)
      inner *= t.getDimSize(d);
    if (t.getRank() == 4 && axis == 3)
      r.h = t.getDimSize(1), r.w = t.getDimSize(2);
    else
      r.h = 1, r.w = outer;
    r.c = inner;
  };
  l.out = *o;
  view(ot, l.out);
  for (Value in : op.getInputs()) {
    auto t = tensor(op, in);
    if (failed(t))
      return failure();
    TensorRef r = *t;
    view(cast<RankedTensorType>(in.getType()), r);
    std::pair<int64_t, int64_t> m = {0, 0};
    if (in.getType() != op.getOutput().getType() &&
        cast<RankedTensorType>(in.getType()).getElementType() != ot.getElementType()) {
      auto sm = numerics::computeScaleMultiplier(r.scale / o->scale);
      if (!sm)
        return op.emitError("NPU lowering: concat input scale ratio not "
                            "expressible");
      m = {sm->multiplier, sm->shift};
    }
    l.ins.push_back(r);
    l.insScale.push_back(m);
  }
  l.in = l.ins.front();
  l.lo = o->qmin, l.hi = o->qmax;
  l.out.value = op.getOutput();
  net.layers.push_back(std::move(l));
  return success();
}

LogicalResult Former::unaryLayer(Operation *op) {
  Layer l = startLayer(op, LayerKind::Lut, "lut");
  auto a = tensor(op, op->getOperand(0));
  auto o = tensor(op, op->getResult(0));
  if (failed(a) || failed(o))
    return failure();
  l.in = *a, l.out = *o;
  l.lo = o->qmin, l.hi = o->qmax;
  if (auto lut = dyn_cast<LutOp>(op)) {
    l.kind = LayerKind::Lut;
    l.kindName = "lut";
    auto t = readIntElements(lut.getTable(), o->isSigned);
    if (!t)
      return op->emitError("NPU lowering: cannot read the table");
    // mote.lut indexes by q - storage_min(input) (16 entries for i4);
    // VEC LUT by q - qmin of the input's byte (-128 or 0), 256 entries:
    // entry i belongs to q = a->qmin + i.
    int64_t byteMin = a->isSigned ? -128 : 0;
    l.table.assign(256, 0);
    for (size_t i = 0; i < t->size(); ++i) {
      int64_t slot = a->qmin + int64_t(i) - byteMin;
      if (slot < 0 || slot >= 256)
        return op->emitError("NPU lowering: a ")
               << t->size() << "-entry table does not fit the 8-bit LUT";
      l.table[slot] = uint8_t(numerics::saturate((*t)[i], o->qmin, o->qmax));
    }
  } else {
    auto clamp = cast<ClampOp>(op);
    l.kind = LayerKind::Clamp;
    l.kindName = "clamp";
    l.lo = numerics::quantize(clamp.getMin().convertToFloat(), a->scale, a->zp,
                              a->qmin, a->qmax);
    l.hi = numerics::quantize(clamp.getMax().convertToFloat(), a->scale, a->zp,
                              a->qmin, a->qmax);
  }
  net.layers.push_back(std::move(l));
  return success();
}
