//===- FormCopies.cpp - DMA copy layers --------------------------------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The layer former's data-movement layers (Former.h): transposes, slices
// (positive and negative steps), nearest resizes and constant pads all
// become one LayerKind::Copy, an affine map from an index space to input
// and output byte offsets (Layers.h). Every one of them is exact: the
// bytes are moved, never recomputed, so the simulator equals the
// interpreter by construction. The geometry is normalised here once, so
// that the tile pass and the emitter see the fewest, longest DMA rows.
//
//===----------------------------------------------------------------------===//

#include "Former.h"

#include "Mote/MoteAttrUtils.h"
#include "Mote/MoteOps.h"
#include "Mote/MoteTypeUtils.h"
#include "mote/Numerics/Numerics.h"

using namespace mlir;
using namespace mote;
using namespace mote::npu;
using namespace mote::npu::form_detail;

namespace {
/// LOAD/STORE/VEC field limits a copy row must respect (ISA.def: rows,
/// cols and VEC channels are 12-bit fields).
constexpr int64_t kMaxExtent = 4095;

/// The largest divisor of n that is at most `limit`.
int64_t largestDivisorAtMost(int64_t n, int64_t limit) {
  for (int64_t d = std::min(n, limit); d > 1; --d)
    if (n % d == 0)
      return d;
  return 1;
}
} // namespace

FailureOr<Layer> Former::copyLayer(Operation *op, StringRef kind) {
  Layer l = startLayer(op, LayerKind::Copy, kind);
  auto a = tensor(op, op->getOperand(0));
  auto o = tensor(op, op->getResult(0));
  if (failed(a) || failed(o))
    return failure();
  // A copy moves storage bytes: both sides must mean the same.
  if (a->scale != o->scale || a->zp != o->zp || a->isSigned != o->isSigned)
    return op->emitError("NPU lowering: a ")
           << kind << " that changes the quantized type";
  l.in = *a, l.out = *o;
  l.lo = a->qmin, l.hi = a->qmax;
  auto outT = cast<RankedTensorType>(op->getResult(0).getType());
  l.copyOutStrides = rowMajorStrides(outT);
  return l;
}

SmallVector<int64_t> Former::rowMajorStrides(RankedTensorType t) {
  SmallVector<int64_t> strides(t.getRank(), 1);
  for (int64_t i = t.getRank() - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * t.getDimSize(i + 1);
  return strides;
}

LogicalResult Former::finishCopy(Layer &l) {
  struct Dim {
    int64_t n, in, out;
  };
  SmallVector<Dim> dims;
  for (size_t d = 0; d < l.copyShape.size(); ++d) {
    if (l.copyShape[d] == 0)
      return l.anchor->emitError("NPU lowering: an empty ") << l.kindName;
    if (l.copyShape[d] != 1)
      dims.push_back({l.copyShape[d], l.copyStrides[d], l.copyOutStrides[d]});
  }
  // Merge a dimension into the one before it where both walk on as one.
  SmallVector<Dim> merged;
  for (const Dim &d : dims) {
    if (!merged.empty() && merged.back().in == d.in * d.n &&
        merged.back().out == d.out * d.n) {
      merged.back() = {merged.back().n * d.n, d.in, d.out};
      continue;
    }
    merged.push_back(d);
  }
  // The innermost run contiguous on both sides is the DMA element; one
  // longer than a VEC channel count is cut at a divisor.
  l.copyElem = 1;
  if (!merged.empty() && merged.back().in == 1 && merged.back().out == 1) {
    Dim last = merged.pop_back_val();
    int64_t elem = largestDivisorAtMost(last.n, kMaxExtent);
    l.copyElem = elem;
    if (last.n / elem > 1)
      merged.push_back({last.n / elem, elem, elem});
  }
  while (merged.size() < 2)
    merged.insert(merged.begin(), Dim{1, 0, 0});
  l.copyShape.clear(), l.copyStrides.clear(), l.copyOutStrides.clear();
  for (const Dim &d : merged) {
    l.copyShape.push_back(d.n);
    l.copyStrides.push_back(d.in);
    l.copyOutStrides.push_back(d.out);
  }
  if (l.copyShape.back() > kMaxExtent)
    return l.anchor->emitError("NPU lowering: a ")
           << l.kindName << " row of " << l.copyShape.back()
           << " elements exceeds the DMA's " << kMaxExtent;
  net.layers.push_back(std::move(l));
  return success();
}

LogicalResult Former::transpose(TransposeOp t) {
  auto inT = cast<RankedTensorType>(t.getInput().getType());
  ArrayRef<int64_t> perm = t.getPerms();
  int64_t last = -1;
  bool keeps = true;
  for (int64_t p : perm) {
    if (inT.getDimSize(p) == 1)
      continue;
    keeps &= p > last;
    last = p;
  }
  if (keeps) {
    alias[t.getOutput()] = t.getInput();
    return success();
  }
  FailureOr<Layer> l = copyLayer(t, "transpose");
  if (failed(l))
    return failure();
  SmallVector<int64_t> strides = rowMajorStrides(inT);
  for (int64_t p : perm) {
    l->copyShape.push_back(inT.getDimSize(p));
    l->copyStrides.push_back(strides[p]);
  }
  return finishCopy(*l);
}

LogicalResult Former::sliceLayer(SliceOp sl) {
  auto inT = cast<RankedTensorType>(sl.getInput().getType());
  auto outT = cast<RankedTensorType>(sl.getOutput().getType());
  FailureOr<Layer> l = copyLayer(sl, "slice");
  if (failed(l))
    return failure();
  SmallVector<int64_t> strides = rowMajorStrides(inT);
  for (int64_t d = 0; d < inT.getRank(); ++d) {
    l->copyShape.push_back(outT.getDimSize(d));
    l->copyStrides.push_back(strides[d] * sl.getSteps()[d]);
    l->copyBase += strides[d] * sl.getStarts()[d];
  }
  return finishCopy(*l);
}

LogicalResult Former::resizeLayer(ResizeOp r) {
  if (r.getMode() != "nearest")
    return interpolateLayer(r);
  auto inT = cast<RankedTensorType>(r.getInput().getType());
  auto outT = cast<RankedTensorType>(r.getOutput().getType());
  FailureOr<Layer> l = copyLayer(r, "resize");
  if (failed(l))
    return failure();
  SmallVector<int64_t> inStrides = rowMajorStrides(inT);
  SmallVector<int64_t> outStrides = rowMajorStrides(outT);
  l->copyOutStrides.clear();
  for (int64_t d = 0; d < inT.getRank(); ++d) {
    SmallVector<ResizeTap> taps = r.getTaps(d);
    int64_t n = taps.size();
    // Output index o reads i0 + (o / k) * s: k repeats of each input
    // index (an up-scale), s apart (a down-scale when k = 1).
    int64_t k = 1;
    while (k < n && taps[k].i0 == taps[0].i0)
      ++k;
    int64_t s = k < n ? taps[k].i0 - taps[0].i0 : 0;
    bool affine = n % k == 0;
    for (int64_t o = 0; o < n && affine; ++o)
      affine = taps[o].i0 == taps[0].i0 + (o / k) * s;
    if (!affine)
      return r.emitError("NPU lowering: nearest resize of dimension ")
             << d << " is not a whole-number scale";
    l->copyBase += taps[0].i0 * inStrides[d];
    l->copyShape.push_back(n / k);
    l->copyStrides.push_back(s * inStrides[d]);
    l->copyOutStrides.push_back(k * outStrides[d]);
    l->copyShape.push_back(k);
    l->copyStrides.push_back(0);
    l->copyOutStrides.push_back(outStrides[d]);
  }
  return finishCopy(*l);
}

LogicalResult Former::padLayer(PadOp p) {
  auto inT = cast<RankedTensorType>(p.getInput().getType());
  FailureOr<Layer> l = copyLayer(p, "pad");
  if (failed(l))
    return failure();
  ArrayRef<int64_t> pads = p.getPads();
  SmallVector<int64_t> inStrides = rowMajorStrides(inT);
  for (int64_t d = 0; d < inT.getRank(); ++d) {
    l->copyShape.push_back(inT.getDimSize(d));
    l->copyStrides.push_back(inStrides[d]);
    l->copyOutBase += pads[2 * d] * l->copyOutStrides[d];
  }
  l->copyFill = true;
  l->copyFillValue = numerics::quantize(p.getValue().convertToFloat(),
                                        l->out.scale, l->out.zp, l->out.qmin,
                                        l->out.qmax);
  return finishCopy(*l);
}

LogicalResult Former::interpolateLayer(ResizeOp r) {
  auto inT = cast<RankedTensorType>(r.getInput().getType());
  auto outT = cast<RankedTensorType>(r.getOutput().getType());
  if (inT.getRank() != 4)
    return r.emitError("NPU lowering: linear resize of a rank-")
           << inT.getRank() << " tensor (NHWC only)";
  Layer l = startLayer(r, LayerKind::Interpolate, "resize");
  auto a = tensor(r, r.getInput());
  auto o = tensor(r, r.getOutput());
  if (failed(a) || failed(o))
    return failure();
  l.in = *a, l.out = *o;
  l.lo = o->qmin, l.hi = o->qmax;
  // Batch and channels must map every output index to itself.
  for (unsigned d : {0u, 3u}) {
    SmallVector<ResizeTap> taps = r.getTaps(d);
    if (inT.getDimSize(d) != outT.getDimSize(d) || ResizeOp::isWeighted(taps))
      return r.emitError("NPU lowering: linear resize along dimension ")
             << d << " (only H and W)";
    for (size_t i = 0; i < taps.size(); ++i)
      if (taps[i].selected() != int64_t(i))
        return r.emitError("NPU lowering: linear resize moves dimension ")
               << d;
  }
  auto build = [&](unsigned d, std::vector<Layer::InterpTap> &out,
                   bool &weighted) {
    SmallVector<ResizeTap> taps = r.getTaps(d);
    weighted = ResizeOp::isWeighted(taps);
    for (const ResizeTap &t : taps) {
      if (weighted) {
        int64_t w1 = numerics::resizeWeight(t.w1);
        out.push_back(
            {t.i0, t.i1, (int64_t(1) << numerics::kResizeWeightBits) - w1, w1});
      } else {
        out.push_back({t.selected(), t.selected(), 0, 0});
      }
    }
  };
  build(1, l.tapsY, l.weightedY);
  build(2, l.tapsX, l.weightedX);
  if (!l.weightedY && !l.weightedX)
    return r.emitError("NPU lowering: a linear resize that selects only");
  net.layers.push_back(std::move(l));
  return success();
}
