//===- FormProducts.cpp - Conv / FC layers from digit products --------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The layer former's products (Former.h): a conv or FC layer is the group
// the bit-width lowering wrote (digit products, shifts, adds, the
// `mote.rescale` conv) or a native product, plus a following clamp; its
// digit passes, weight digit planes and per-channel {bias, M, S} come from
// mote/Numerics exactly as the interpreter derives them. Synthesis: pow2
// terms fold into exact shifts, learned / residual terms get their own
// partial sums and a combine.
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

LogicalResult Former::requantRecords(Operation *op, double sx, const QuantParams &pw,
                             Value biasV, const TensorRef &out, int64_t oc,
                             Layer &l) {
  std::vector<int64_t> bias(oc, 0);
  if (biasV) {
    auto b = constValues(biasV);
    if (!b || int64_t(b->size()) != oc)
      return op->emitError("NPU lowering: bias must be a constant of ")
             << oc << " elements";
    bias = *b;
  }
  if (!termBias.empty()) {
    if (int64_t(termBias.size()) != oc)
      return op->emitError("NPU lowering: synthesis term bias must have ")
             << oc << " elements";
    for (int64_t o = 0; o < oc; ++o)
      bias[o] += termBias[o];
  }
  for (int64_t o = 0; o < oc; ++o) {
    double ratio = sx * pw.scale(o) / out.scale;
    auto m = numerics::computeScaleMultiplier(ratio);
    if (!m || bias[o] < INT32_MIN || bias[o] > INT32_MAX)
      return op->emitError("NPU lowering: requantization of output channel ")
             << o << " cannot be expressed";
    l.bias.push_back(int32_t(bias[o]));
    l.mult.push_back(m->multiplier);
    l.shift.push_back(m->shift);
  }
  return success();
}

LogicalResult Former::productGeometry(Operation *p, Layer &l, TensorRef &x) {
  if (auto conv = dyn_cast<Conv2DOp>(p)) {
    auto wt = cast<RankedTensorType>(conv.getFilter().getType());
    auto ot = cast<RankedTensorType>(conv.getOutput().getType());
    l.kh = wt.getDimSize(1), l.kw = wt.getDimSize(2), l.cg = wt.getDimSize(3);
    l.sh = conv.getStrides()[0], l.sw = conv.getStrides()[1];
    l.dh = conv.getDilations()[0], l.dw = conv.getDilations()[1];
    l.pt = conv.getPad()[0], l.pb = conv.getPad()[1];
    l.pl = conv.getPad()[2], l.pr = conv.getPad()[3];
    int64_t groups = conv.getGroups();
    l.out.h = ot.getDimSize(1), l.out.w = ot.getDimSize(2);
    l.out.c = ot.getDimSize(3);
    if (groups != 1) {
      if (groups <= 0 || l.cg * groups != x.c || l.out.c % groups)
        return p->emitError("NPU lowering: grouped convolution with ")
               << groups << " groups does not divide its " << x.c
               << " input and " << l.out.c << " output channels";
      if (l.cg == 1 && l.out.c == x.c)
        l.depthwise = true;
      else
        l.groups = groups; // per-group MATMULs (tiles within a group)
    }
    l.kindName = "conv2d";
    l.macs = l.out.h * l.out.w * l.out.c * l.kh * l.kw * l.cg;
    return success();
  }
  auto fc = cast<FullyConnectedOp>(p);
  auto wt = cast<RankedTensorType>(fc.getWeight().getType());
  l.kh = l.kw = 1;
  l.cg = wt.getDimSize(1);
  x.c = x.h * x.w * x.c;
  x.h = x.w = 1;
  l.out.h = l.out.w = 1;
  l.out.c = wt.getDimSize(0);
  l.kindName = "fully_connected";
  l.macs = l.out.c * l.cg;
  return success();
}

LogicalResult Former::productInputGeometry(Operation *p, Layer &l) {
  Value x = productInput(p);
  if (auto digit = x.getDefiningOp<DigitOp>())
    x = digit.getInput();
  FailureOr<TensorRef> in = tensor(p, x);
  if (failed(in))
    return failure();
  l.in = *in;
  return productGeometry(p, l, l.in);
}

bool Former::isAcc(Value v) {
  std::optional<QuantParams> q = getQuantParams(v.getType());
  return q && !q->isPerAxis() && q->storageBits == 32;
}

LogicalResult Former::learnedError(Operation *op) {
  return op->emitError("NPU lowering: '")
         << op->getName()
         << "' inside a bit-width-lowered product: learned/residual "
            "synthesis terms must be requantized to their int32 sum after "
            "their own products (docs/Synthesis.md)";
}

LogicalResult Former::exactAddShifts(AddOp add, int64_t k[2]) {
  auto fail = [&]() {
    return add.emitError("NPU lowering: an add inside a bit-width-lowered "
                         "layer must combine 32-bit per-tensor accumulators "
                         "whose scales are the result's times an exact power "
                         "of two");
  };
  std::optional<QuantParams> qo = getQuantParams(add.getOutput().getType());
  if (!isAcc(add.getLhs()) || !isAcc(add.getRhs()) || !isAcc(add.getOutput()))
    return fail();
  double so = qo->scale(0);
  double sides[2] = {getQuantParams(add.getLhs().getType())->scale(0),
                     getQuantParams(add.getRhs().getType())->scale(0)};
  for (int i = 0; i < 2; ++i) {
    int e = 0;
    double f = std::frexp(sides[i] / so, &e);
    if (f != 0.5 || e < 1)
      return fail();
    k[i] = e - 1;
  }
  auto r = numerics::computeAddRescale(sides[0], sides[1], so);
  constexpr int32_t kOne = int32_t(1) << 30;
  if (!r || r->lhs.multiplier != kOne || r->rhs.multiplier != kOne ||
      r->out.multiplier != kOne || r->lhs.shift > 30 || r->rhs.shift > 30)
    return fail();
  if (k[0] || k[1])
    synth = true;
  return success();
}

LogicalResult Former::termRescale(Conv2DOp r, int64_t shift,
                          SmallVector<std::pair<Operation *, int64_t>> &products,
                          Operation *group) {
  synth = true;
  auto one = constValues(r.getFilter());
  std::optional<QuantParams> qw = getQuantParams(r.getFilter().getType());
  if (!one || !qw || qw->isPerAxis() || !isAcc(r.getInput()) ||
      llvm::any_of(*one, [](int64_t v) { return v != 1; }))
    return r.emitError("NPU lowering: a synthesis term's mote.rescale conv "
                       "must have weight 1 at a per-tensor scale");
  double ratio = getQuantParams(r.getInput().getType())->scale(0) *
                 qw->scale(0) /
                 getQuantParams(r.getOutput().getType())->scale(0);
  if (ratio != 1.0)
    return r.emitError("NPU lowering: a synthesis term's mote.rescale conv "
                       "must keep its accumulator exactly (ratio ")
           << ratio << ")";
  handled.insert(r.getFilter().getDefiningOp());
  if (Value b = r.getBias())
    if (failed(addTermBias(r, b, shift)))
      return failure();
  return collect(r.getInput(), shift, products, group);
}

LogicalResult Former::addTermBias(Operation *owner, Value b, int64_t shift) {
  auto vals = constValues(b);
  int64_t oc =
      cast<RankedTensorType>(owner->getResult(0).getType()).getShape().back();
  if (!vals || int64_t(vals->size()) != oc || shift > 31)
    return owner->emitError("NPU lowering: a synthesis term's bias must be "
                            "a constant of ")
           << oc << " elements at a shift below 32";
  handled.insert(b.getDefiningOp());
  termBias.resize(oc, 0);
  for (int64_t o = 0; o < oc; ++o)
    termBias[o] += (*vals)[o] * (int64_t(1) << shift);
  return success();
}

LogicalResult Former::collect(Value v, int64_t shift, SmallVector<std::pair<Operation *, int64_t>> &products,
                      Operation *group) {
  Operation *def = v.getDefiningOp();
  if (!def)
    return group->emitError("NPU lowering: unexpected block argument in a "
                            "bit-width-lowered layer");
  handled.insert(def);
  if (auto r = dyn_cast<ReshapeOp>(def))
    return collect(r.getInput(), shift, products, group);
  if (auto add = dyn_cast<AddOp>(def)) {
    int64_t k[2];
    if (failed(exactAddShifts(add, k)))
      return failure();
    if (failed(collect(add.getLhs(), shift + k[0], products, group)))
      return failure();
    return collect(add.getRhs(), shift + k[1], products, group);
  }
  if (auto conv = dyn_cast<Conv2DOp>(def);
      conv && conv->hasAttr("mote.rescale") && isAcc(conv.getOutput()))
    return termRescale(conv, shift, products, group);
  if (llvm::isa<RequantOp>(def))
    return learnedError(def);
  if (auto mul = dyn_cast<MulOp>(def)) {
    for (int side = 0; side < 2; ++side) {
      Value c = def->getOperand(side), other = def->getOperand(1 - side);
      auto vals = constValues(c);
      if (!vals || vals->size() != 1 || (*vals)[0] <= 0 ||
          ((*vals)[0] & ((*vals)[0] - 1)))
        continue;
      handled.insert(c.getDefiningOp());
      return collect(other, shift + llvm::Log2_64((*vals)[0]), products,
                     group);
    }
    return def->emitError("NPU lowering: a multiplication inside a "
                          "bit-width-lowered layer must be by a power of two");
  }
  if (llvm::isa<Conv2DOp, FullyConnectedOp>(def) &&
      (def->hasAttr("mote.digits") ||
       (synth && !def->hasAttr("mote.rescale") && isAcc(def->getResult(0))))) {
    // A term's product may carry the term's bias itself (learned
    // synthesis puts it there): it joins the layer's bias at the
    // product's shift, exactly like a rescale conv's.
    if (def->getNumOperands() > 2 &&
        failed(addTermBias(def, def->getOperand(2), shift)))
      return failure();
    products.push_back({def, shift});
    return success();
  }
  return def->emitError("NPU lowering: unexpected op inside the "
                        "bit-width-lowered layer of ")
         << group->getName();
}

LogicalResult Former::addPass(Operation *p, int64_t expectShift, Layer &l,
                      Value &xRoot) {
  unsigned d = target.macArray.digitBits;
  DigitPass pass;
  Value x = productInput(p);
  if (auto digit = x.getDefiningOp<DigitOp>()) {
    if (uint64_t(digit.getBits()) != uint64_t(d))
      return digit.emitError("NPU lowering: digit width ")
             << digit.getBits() << " differs from target '" << target.name
             << "' digit_bits " << d
             << "; run --mote-bitwidth-lowering=\"digit-bits=" << d << "\"";
    handled.insert(digit);
    pass.aDigit = digit.getIndex();
    pass.aSigned = getQuantParams(digit.getType())->isSigned;
    x = digit.getInput();
  } else {
    std::optional<QuantParams> q = getQuantParams(x.getType());
    pass.aSigned = q->storageMin - q->zeroPoint(0) < 0;
  }
  if (xRoot && xRoot != x)
    return p->emitError("NPU lowering: digit products of one layer read "
                        "different activations");
  xRoot = x;
  Value w = productWeights(p);
  auto wq = getQuantParams(w.getType());
  auto cst = w.getDefiningOp<ConstantOp>();
  // The plane's values are checked here, straight from the constant's
  // bytes, and read when emission packs them (DigitPlaneValues); values
  // that do not fit a digit are reported below, after the checks that
  // precede them.
  DigitPlane plane;
  std::optional<int64_t> misfit;
  if (cst && wq) {
    unsigned dBits = target.macArray.digitBits;
    int64_t lo = wq->isSigned ? -(int64_t(1) << (dBits - 1)) : 0;
    int64_t hi = wq->isSigned ? (int64_t(1) << (dBits - 1)) - 1
                              : (int64_t(1) << dBits) - 1;
    int64_t n = cst.getValue().getNumElements();
    int64_t per = std::max<int64_t>(1, n / l.out.c);
    bool perAxis = wq->isPerAxis();
    int64_t zp0 = wq->zeroPoint(0);
    // Readable storage of at most d bits with zero points 0 (the planes
    // bit-width lowering makes) fits a digit by its type: nothing to scan.
    auto storage = dyn_cast<IntegerType>(cst.getValue().getElementType());
    bool fitsByType =
        storage && storage.getWidth() <= dBits &&
        llvm::all_of(wq->zeroPoints, [](int64_t zp) { return zp == 0; }) &&
        (rawIntElements(cst.getValue()) ||
         llvm::isa<DenseElementsAttr>(cst.getValue()));
    if (fitsByType ||
        forEachIntElement(cst.getValue(), wq->isSigned,
                          [&](int64_t i, int64_t raw) {
                            int64_t v =
                                raw - (perAxis ? wq->zeroPoint(i / per) : zp0);
                            if ((v < lo || v > hi) && !misfit)
                              misfit = v;
                          }))
      plane = std::make_shared<const DigitPlaneValues>(
          cst.getValue(), wq->isSigned, wq->zeroPoints, l.out.c);
    else
      cst = nullptr;
  }
  if (!cst || !wq)
    return p->emitError("NPU lowering: weights must be a quantized constant");
  handled.insert(w.getDefiningOp());
  pass.wSigned = wq->isSigned;
  if (auto digits = p->getAttrOfType<DenseI64ArrayAttr>("mote.digits")) {
    if (digits.size() != 2 || digits[0] != pass.aDigit)
      return p->emitError("NPU lowering: mote.digits disagrees with the "
                          "activation digit");
    pass.wDigit = digits[1];
  } else if (auto digits = p->getAttrOfType<ArrayAttr>("mote.digits")) {
    pass.wDigit = cast<IntegerAttr>(digits[1]).getInt();
  }
  // Pow2 synthesis terms add their exact term shift on top of the digit
  // shift; without terms the shift is exactly the digit shift.
  int64_t digitShift = int64_t(d) * (pass.aDigit + pass.wDigit);
  if (synth ? expectShift < digitShift : expectShift != digitShift)
    return p->emitError("NPU lowering: product shift ")
           << expectShift << " is not " << (synth ? "at least " : "")
           << "digit_bits * (i + j) = " << digitShift;
  if (expectShift > 63)
    return p->emitError("NPU lowering: product shift ")
           << expectShift << " exceeds the MATMUL shift field (63)";
  pass.shift = expectShift;
  // Digit values must fit d bits (signed or unsigned).
  if (misfit)
    return p->emitError("NPU lowering: weight value ")
           << *misfit << " does not fit a " << d << "-bit digit on target '"
           << target.name << "'; run --mote-bitwidth-lowering=\"digit-bits="
           << d << "\"";
  auto xq = getQuantParams(x.getType());
  int64_t vlo = xq->storageMin - xq->zeroPoint(0);
  int64_t vhi = xq->storageMax - xq->zeroPoint(0);
  if (!p->hasAttr("mote.digits") &&
      (vlo < -(int64_t(1) << (d - 1)) ||
       vhi > (pass.aSigned ? (int64_t(1) << (d - 1)) - 1
                           : (int64_t(1) << d) - 1)))
    return p->emitError("NPU lowering: activation range [")
           << vlo << ", " << vhi << "] does not fit a " << d
           << "-bit digit on target '" << target.name
           << "'; run --mote-bitwidth-lowering=\"digit-bits=" << d << "\"";
  if (synth) {
    // Several terms have weight digit 0: key the planes by content.
    pass.plane = int64_t(l.planes.size());
    for (auto &[key, other] : l.planes)
      if (other->sameValues(*plane))
        pass.plane = key;
    if (!l.planes.count(pass.plane))
      l.planes.emplace(pass.plane, std::move(plane));
  } else {
    pass.plane = pass.wDigit;
    if (!l.planes.count(pass.wDigit))
      l.planes.emplace(pass.wDigit, std::move(plane));
    else if (!l.planes[pass.wDigit]->sameValues(*plane))
      return p->emitError("NPU lowering: two weight planes with digit ")
             << pass.wDigit;
  }
  l.passes.push_back(pass);
  return success();
}

LogicalResult Former::convLayer(Operation *rescaleOrProduct) {
  // kindName is set by productGeometry (conv2d / fully_connected).
  Layer l = startLayer(rescaleOrProduct, LayerKind::Conv, "");
  Value xRoot;
  Operation *first;
  Value biasV;
  double sx;
  QuantParams pw;
  Value outV = rescaleOrProduct->getResult(0);
  synth = false;
  termBias.clear();
  // Pow2 synthesis: the per-channel scale conv reads the sum of the terms'
  // 32-bit accumulators.
  bool scaleConv = llvm::isa<Conv2DOp>(rescaleOrProduct) &&
                   isAcc(rescaleOrProduct->getOperand(0));
  if (rescaleOrProduct->hasAttr("mote.rescale") || scaleConv) {
    auto r = cast<Conv2DOp>(rescaleOrProduct);
    auto ft = cast<RankedTensorType>(r.getFilter().getType());
    if (scaleConv &&
        (ft.getRank() != 4 || ft.getDimSize(1) != 1 || ft.getDimSize(2) != 1 ||
         ft.getDimSize(3) != 1 || int64_t(r.getGroups()) != ft.getDimSize(0) ||
         llvm::any_of(r.getStrides(), [](int64_t v) { return v != 1; }) ||
         llvm::any_of(r.getPad(), [](int64_t v) { return v != 0; })))
      return r.emitError("NPU lowering: a convolution of a 32-bit "
                         "accumulator must be a depthwise 1x1 scale conv");
    SmallVector<std::pair<Operation *, int64_t>> products;
    if (failed(collect(r.getInput(), 0, products, r)))
      return failure();
    if (products.empty())
      return r.emitError("NPU lowering: no digit products feed this rescale");
    first = products.front().first;
    if (failed(productInputGeometry(first, l)))
      return failure();
    for (auto &[p, s] : products)
      if (failed(addPass(p, s, l, xRoot)))
        return failure();
    // The rescale: weight 1, per-channel scales s_w[o], the bias.
    auto one = constValues(r.getFilter());
    if (!one || llvm::any_of(*one, [](int64_t v) { return v != 1; }))
      return r.emitError("NPU lowering: a mote.rescale conv must have weight 1");
    handled.insert(r.getFilter().getDefiningOp());
    pw = *getQuantParams(r.getFilter().getType());
    sx = getQuantParams(r.getInput().getType())->scale(0);
    biasV = r.getBias();
  } else {
    first = rescaleOrProduct;
    auto xt = tensor(first, productInput(first));
    if (failed(xt))
      return failure();
    l.in = *xt;
    if (failed(productGeometry(first, l, l.in)) ||
        failed(addPass(first, 0, l, xRoot)))
      return failure();
    pw = *getQuantParams(productWeights(first).getType());
    sx = l.in.scale;
    biasV = first->getNumOperands() > 2 ? first->getOperand(2) : Value();
  }
  if (biasV && biasV.getDefiningOp())
    handled.insert(biasV.getDefiningOp());
  auto ot = tensor(rescaleOrProduct, outV);
  if (failed(ot))
    return failure();
  int64_t oh = l.out.h, ow = l.out.w, oc = l.out.c;
  l.out = *ot;
  l.out.h = oh, l.out.w = ow, l.out.c = oc;
  if (l.out.bytes() != ot->bytes())
    return rescaleOrProduct->emitError("NPU lowering: layer output shape mismatch");
  if (failed(requantRecords(rescaleOrProduct, sx, pw, biasV, l.out, oc, l)))
    return failure();
  l.lo = l.out.qmin, l.hi = l.out.qmax;
  Value result = fuseClamp(outV, l);
  l.out.value = result;
  handled.insert(rescaleOrProduct);
  net.layers.push_back(std::move(l));
  return success();
}

SmallVector<int64_t, 20> Former::geometryKey(const Layer &g) {
  return {g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.pt, g.pb, g.pl, g.pr,
          g.cg, g.groups, g.depthwise, g.out.h, g.out.w, g.out.c};
}

LogicalResult Former::synthesisLayer(RequantOp sum) {
  Layer l = startLayer(sum, LayerKind::Conv, "");
  synth = true; // every term has digit-0 planes: key planes by content
  termBias.clear();
  Value sumV = sum.getInput();
  std::optional<QuantParams> qs = getQuantParams(sumV.getType());
  if (!isAcc(sumV) || qs->zeroPoint(0) != 0)
    return sum.emitError("NPU lowering: a synthesis layer's term sum must "
                         "be a per-tensor int32 with zero point 0");
  // The left-deep sum, in the interpreter's order.
  SmallVector<RequantOp> terms;
  for (Value v = sumV;;) {
    Operation *def = v.getDefiningOp();
    if (auto add = dyn_cast_or_null<AddOp>(def)) {
      if (add.getLhs().getType() != add.getOutput().getType() ||
          add.getRhs().getType() != add.getOutput().getType() ||
          !add.getRhs().getDefiningOp<RequantOp>())
        return add.emitError("NPU lowering: a synthesis term sum must add "
                             "requantized int32 terms of one type");
      handled.insert(add);
      terms.push_back(add.getRhs().getDefiningOp<RequantOp>());
      v = add.getLhs();
      continue;
    }
    auto rq = dyn_cast_or_null<RequantOp>(def);
    if (!rq)
      return sum.emitError("NPU lowering: a synthesis term sum must be "
                           "built of mote.requant terms and mote.add");
    terms.push_back(rq);
    break;
  }
  std::reverse(terms.begin(), terms.end());
  constexpr int64_t kMaxTerms = 8; // VEC_TERMS (ISA.def)
  if (int64_t(terms.size()) > kMaxTerms)
    return sum.emitError("NPU lowering: layer '")
           << l.name << "' has " << terms.size()
           << " synthesis terms; the VEC combine takes at most " << kMaxTerms;
  l.terms = int64_t(terms.size());
  Value xRoot;
  SmallVector<int64_t, 20> key;
  for (size_t ti = 0; ti < terms.size(); ++ti) {
    RequantOp rq = terms[ti];
    handled.insert(rq);
    std::optional<QuantParams> qa = getQuantParams(rq.getInput().getType());
    auto at = cast<RankedTensorType>(rq.getInput().getType());
    if (!qa || qa->storageBits != 32 ||
        (qa->isPerAxis() && qa->axis != at.getRank() - 1))
      return rq.emitError("NPU lowering: a synthesis term must requantize "
                          "an int32 accumulator (per tensor or per output "
                          "channel)");
    Operation *def = rq.getInput().getDefiningOp();
    while (auto r = dyn_cast_or_null<ReshapeOp>(def)) {
      handled.insert(r);
      def = r.getInput().getDefiningOp();
    }
    termBias.clear();
    SmallVector<std::pair<Operation *, int64_t>> products;
    Value biasV;
    if (auto conv = dyn_cast_or_null<Conv2DOp>(def);
        conv && conv->hasAttr("mote.rescale")) {
      // A 32-bit result is not requantized: the conv is acc + bias.
      auto one = constValues(conv.getFilter());
      auto ft = cast<RankedTensorType>(conv.getFilter().getType());
      if (!one || llvm::any_of(*one, [](int64_t v) { return v != 1; }) ||
          ft.getRank() != 4 || ft.getDimSize(1) != 1 ||
          ft.getDimSize(2) != 1 || ft.getDimSize(3) != 1 ||
          int64_t(conv.getGroups()) != ft.getDimSize(0))
        return conv.emitError("NPU lowering: a synthesis term's rescale "
                              "must be a depthwise 1x1 conv of weight 1");
      handled.insert(conv);
      handled.insert(conv.getFilter().getDefiningOp());
      biasV = conv.getBias();
      if (failed(collect(conv.getInput(), 0, products, conv)))
        return failure();
    } else if (def && llvm::isa<Conv2DOp, FullyConnectedOp>(def)) {
      handled.insert(def);
      products.push_back({def, 0});
      biasV = def->getNumOperands() > 2 ? def->getOperand(2) : Value();
    } else {
      return rq.emitError("NPU lowering: a synthesis term must requantize "
                          "a product or its rescale conv");
    }
    if (products.empty())
      return rq.emitError("NPU lowering: a synthesis term has no products");
    Operation *first = products.front().first;
    Layer g = l;
    if (failed(productInputGeometry(first, g)))
      return failure();
    if (ti == 0) {
      g.passes.clear();
      // The terms' products are clones of the source layer: its name.
      g.name = opName(first);
      l = std::move(g);
      key = geometryKey(l);
    } else if (geometryKey(g) != key) {
      return first->emitError("NPU lowering: the terms of synthesis layer '")
             << l.name << "' have different geometries";
    }
    size_t before = l.passes.size();
    for (auto &pr : products)
      if (failed(addPass(pr.first, pr.second, l, xRoot)))
        return failure();
    for (size_t k = before; k < l.passes.size(); ++k)
      l.passes[k].term = int64_t(ti);
    // The term's record per channel, as the interpreter's requant.
    int64_t oc = l.out.c;
    std::vector<int64_t> bias(oc, 0);
    if (biasV) {
      auto b = constValues(biasV);
      if (!b || int64_t(b->size()) != oc)
        return rq.emitError("NPU lowering: a synthesis term's bias must be "
                            "a constant of ")
               << oc << " elements";
      handled.insert(biasV.getDefiningOp());
      bias = *b;
    }
    if (!termBias.empty() && int64_t(termBias.size()) != oc)
      return rq.emitError("NPU lowering: synthesis term bias must have ")
             << oc << " elements";
    if (qa->isPerAxis() && int64_t(qa->scales.size()) != oc)
      return rq.emitError("NPU lowering: a synthesis term has ")
             << qa->scales.size() << " channel scales for " << oc
             << " output channels";
    for (int64_t o = 0; o < oc; ++o) {
      int64_t b = bias[o] + (termBias.empty() ? 0 : termBias[o]);
      auto m = numerics::computeScaleMultiplier(qa->scale(o) / qs->scale(0));
      if (!m || qa->zeroPoint(o) != 0 || b < INT32_MIN || b > INT32_MAX)
        return rq.emitError("NPU lowering: term ")
               << ti << " of synthesis layer '" << l.name
               << "' cannot be expressed for output channel " << o
               << " (ratio, zero point or bias out of range)";
      l.combBias.push_back(int32_t(b));
      l.combMult.push_back(m->multiplier);
      l.combShift.push_back(m->shift);
    }
  }
  termBias.clear();
  auto ot = tensor(sum, sum.getOutput());
  if (failed(ot))
    return failure();
  int64_t oh = l.out.h, ow = l.out.w, oc = l.out.c;
  l.out = *ot;
  l.out.h = oh, l.out.w = ow, l.out.c = oc;
  if (l.out.bytes() != ot->bytes())
    return sum.emitError("NPU lowering: layer output shape mismatch");
  auto m = numerics::computeScaleMultiplier(qs->scale(0) / l.out.scale);
  if (!m)
    return sum.emitError("NPU lowering: the term sum's requantization "
                         "ratio of layer '")
           << l.name << "' has no 32-bit multiplier";
  l.mulOut = m->multiplier, l.shiftOut = m->shift;
  l.lo = l.out.qmin, l.hi = l.out.qmax;
  l.out.value = fuseClamp(sum.getOutput(), l);
  handled.insert(sum);
  synth = false;
  net.layers.push_back(std::move(l));
  return success();
}

const std::vector<int16_t> &mote::npu::DigitPlaneValues::values() const {
  if (!decoded) {
    int64_t n = attr.getNumElements();
    int64_t per = std::max<int64_t>(1, n / channels);
    bool perAxis = zeroPoints.size() > 1;
    decoded.emplace();
    decoded->reserve(n);
    forEachIntElement(attr, isSigned, [&](int64_t i, int64_t raw) {
      decoded->push_back(
          int16_t(raw - zeroPoints[perAxis ? i / per : 0]));
    });
  }
  return *decoded;
}

bool mote::npu::DigitPlaneValues::sameValues(
    const DigitPlaneValues &other) const {
  if (attr == other.attr && isSigned == other.isSigned &&
      zeroPoints == other.zeroPoints && channels == other.channels)
    return true;
  return values() == other.values();
}
