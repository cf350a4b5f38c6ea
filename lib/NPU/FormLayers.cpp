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

#include "Layers.h"

#include "Mote/MoteAttrUtils.h"
#include "Mote/MoteOps.h"
#include "Mote/MoteTypeUtils.h"
#include "mote/ISA/Program.h"
#include "mote/Numerics/Numerics.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include "llvm/ADT/DenseSet.h"

#include <set>

using namespace mlir;
using namespace mote;
using namespace mote::npu;

namespace {

/// A layer's name: the op's `mote.name`, its NameLoc, or its op kind and
/// source line.
std::string opName(Operation *op) {
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
Layer startLayer(Operation *op, LayerKind kind, StringRef kindName) {
  Layer l;
  l.kind = kind;
  l.kindName = kindName.str();
  l.anchor = op;
  l.name = opName(op);
  return l;
}

struct Former {
  Former(func::FuncOp func, const TargetDescription &target)
      : func(func), target(target) {}

  func::FuncOp func;
  const TargetDescription &target;
  Network net;
  llvm::DenseSet<Operation *> handled;
  /// Alias root of each value (reshape, no-op transpose).
  llvm::DenseMap<Value, Value> alias;
  /// 32-bit products and rescales left for the layer that consumes them.
  SmallVector<Operation *> deferred;
  /// The layer being formed combines pow2 synthesis terms (exact shifts).
  bool synth = false;
  /// Biases of the synthesis terms' rescale convs, shifted to the layer's
  /// accumulator scale, per output channel.
  std::vector<int64_t> termBias;

  Value root(Value v) {
    auto it = alias.find(v);
    return it == alias.end() ? v : root(it->second);
  }

  FailureOr<TensorRef> tensor(Operation *user, Value v,
                              bool batchDim = true) {
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

  std::optional<std::vector<int64_t>> constValues(Value v) {
    auto c = v.getDefiningOp<ConstantOp>();
    if (!c)
      return std::nullopt;
    std::optional<QuantParams> q = getQuantParams(v.getType());
    bool isSigned = q ? q->isSigned : true;
    return readIntElements(c.getValue(), isSigned);
  }

  /// Fuses a single-use clamp following `v` into [lo, hi]; returns the
  /// layer's output value.
  Value fuseClamp(Value v, Layer &l) {
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

  /// Per-channel requantization records as the interpreter's makeFinisher.
  LogicalResult requantRecords(Operation *op, double sx, const QuantParams &pw,
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

  /// Geometry of a product op (conv2d or fully_connected) into `l`.
  LogicalResult productGeometry(Operation *p, Layer &l, TensorRef &x) {
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

  static Value productInput(Operation *p) { return p->getOperand(0); }
  static Value productWeights(Operation *p) { return p->getOperand(1); }

  /// Whether `v` is a per-tensor 32-bit accumulator.
  static bool isAcc(Value v) {
    std::optional<QuantParams> q = getQuantParams(v.getType());
    return q && !q->isPerAxis() && q->storageBits == 32;
  }

  static LogicalResult learnedError(Operation *op) {
    return op->emitError("NPU lowering: '")
           << op->getName()
           << "' inside a bit-width-lowered product: learned/residual "
              "synthesis terms must be requantized to their int32 sum after "
              "their own products (docs/Synthesis.md)";
  }

  /// The shifts k[side] of an exact accumulator add: operand scale = result
  /// scale · 2^k, k >= 0, and Numerics' add rescale drops no bit (every
  /// multiplier is 2^30 and neither operand is scaled down to the shared
  /// scale, so the sum is a multiple of the final right shift), so the add
  /// is (lhs << k0) + (rhs << k1).
  LogicalResult exactAddShifts(AddOp add, int64_t k[2]) {
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

  /// A pow2 synthesis term's rescale conv: weight 1, per-tensor scale, a
  /// requantization ratio of exactly 1 (an identity on the accumulator) and
  /// the term's bias, which is added at the layer's scale.
  LogicalResult termRescale(Conv2DOp r, int64_t shift,
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

  /// Adds a synthesis term's bias `b` (on `owner`, its rescale conv or its
  /// product) to the layer's bias at the term's shift.
  LogicalResult addTermBias(Operation *owner, Value b, int64_t shift) {
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

  /// Collects digit products under the rescale conv's input.
  LogicalResult collect(Value v, int64_t shift, SmallVector<std::pair<Operation *, int64_t>> &products,
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

  /// One product's pass: activation digit and weight plane.
  LogicalResult addPass(Operation *p, int64_t expectShift, Layer &l,
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
    auto vals = constValues(w);
    if (!vals || !wq)
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
    int64_t lo = pass.wSigned ? -(int64_t(1) << (d - 1)) : 0;
    int64_t hi = pass.wSigned ? (int64_t(1) << (d - 1)) - 1 : (int64_t(1) << d) - 1;
    std::vector<int64_t> plane(vals->size());
    for (size_t i = 0; i < vals->size(); ++i) {
      int64_t o = i / std::max<size_t>(1, vals->size() / l.out.c);
      int64_t v = (*vals)[i] - wq->zeroPoint(o);
      if (v < lo || v > hi)
        return p->emitError("NPU lowering: weight value ")
               << v << " does not fit a " << d << "-bit digit on target '"
               << target.name << "'; run --mote-bitwidth-lowering=\"digit-bits="
               << d << "\"";
      plane[i] = v;
    }
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
        if (other == plane)
          pass.plane = key;
      l.planes.try_emplace(pass.plane, std::move(plane));
    } else {
      pass.plane = pass.wDigit;
      if (!l.planes.count(pass.wDigit))
        l.planes[pass.wDigit] = std::move(plane);
      else if (l.planes[pass.wDigit] != plane)
        return p->emitError("NPU lowering: two weight planes with digit ")
               << pass.wDigit;
    }
    l.passes.push_back(pass);
    return success();
  }

  LogicalResult convLayer(Operation *rescaleOrProduct) {
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
      Value x0 = productInput(first);
      if (auto dg = x0.getDefiningOp<DigitOp>())
        x0 = dg.getInput();
      auto xt = tensor(first, x0);
      if (failed(xt))
        return failure();
      l.in = *xt;
      if (failed(productGeometry(first, l, l.in)))
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

  /// Geometry fields that every synthesis term's product must share.
  static SmallVector<int64_t, 20> geometryKey(const Layer &g) {
    return {g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.pt, g.pb, g.pl, g.pr,
            g.cg, g.groups, g.depthwise, g.out.h, g.out.w, g.out.c};
  }

  /// A learned/residual synthesis layer (docs/Synthesis.md): `sum` is the
  /// mote.requant of the terms' int32 sum ((T_0 + T_1) + ...), each T_i a
  /// per-channel mote.requant of term i's accumulator (its rescale conv
  /// over its digit products, or a native product). Term i's passes sum
  /// into its own accumulator tile and one VEC combine finishes the terms
  /// with per-term records derived exactly as the interpreter's requant
  /// (Numerics combineTerms), so the chip is bit-exact.
  LogicalResult synthesisLayer(RequantOp sum) {
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
      Value x0 = productInput(first);
      if (auto dg = x0.getDefiningOp<DigitOp>())
        x0 = dg.getInput();
      auto xt = tensor(first, x0);
      if (failed(xt))
        return failure();
      Layer g = l;
      g.in = *xt;
      if (failed(productGeometry(first, g, g.in)))
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

  LogicalResult poolLayer(Operation *op) {
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

  /// add, sub, mul, maximum, minimum of two quantized tensors on the VEC
  /// unit, with the interpreter's rescaling (Numerics computeAddRescale,
  /// or one s_a * s_b / s_out multiplier for mul).
  LogicalResult binaryLayer(Operation *op) {
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

  /// Whether `v` is `out` broadcast per channel (its shape, right-aligned
  /// to the result's, is 1 except the channel dim) or as a scalar; returns
  /// whether its leading dim is a batch dim.
  bool bcast(Value v, const TensorRef &out, Broadcast &mode) {
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

  /// Concat: one layer copying (or requantizing) each input into its
  /// slice of the result. The result is viewed as pixels x channels with
  /// the concat axis and everything after it as the channels.
  LogicalResult concatLayer(ConcatOp op) {
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

  LogicalResult unaryLayer(Operation *op) {
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

  /// A transpose: alias if it keeps memory order, else a strided copy.
  LogicalResult transpose(TransposeOp t) {
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
    net.layers.push_back(std::move(*l));
    return success();
  }

  /// A strided DMA copy layer from the op's input to its result (byte
  /// elements, the input's range); the caller fills the copy geometry.
  FailureOr<Layer> copyLayer(Operation *op, StringRef kind) {
    Layer l = startLayer(op, LayerKind::Copy, kind);
    auto a = tensor(op, op->getOperand(0));
    auto o = tensor(op, op->getResult(0));
    if (failed(a) || failed(o))
      return failure();
    l.in = *a, l.out = *o;
    l.lo = a->qmin, l.hi = a->qmax;
    return l;
  }

  static SmallVector<int64_t> rowMajorStrides(RankedTensorType t) {
    SmallVector<int64_t> strides(t.getRank(), 1);
    for (int64_t i = t.getRank() - 2; i >= 0; --i)
      strides[i] = strides[i + 1] * t.getDimSize(i + 1);
    return strides;
  }

  /// A strided slice (ShuffleNet's channel split, crops): a strided DMA
  /// copy from the first element read. Negative steps stay on the host.
  LogicalResult sliceLayer(SliceOp sl) {
    auto inT = cast<RankedTensorType>(sl.getInput().getType());
    auto outT = cast<RankedTensorType>(sl.getOutput().getType());
    if (llvm::any_of(sl.getSteps(), [](int64_t s) { return s <= 0; }))
      return sl.emitError("NPU lowering: a slice with a negative step");
    FailureOr<Layer> l = copyLayer(sl, "slice");
    if (failed(l))
      return failure();
    SmallVector<int64_t> strides = rowMajorStrides(inT);
    for (int64_t d = 0; d < inT.getRank(); ++d) {
      l->copyShape.push_back(outT.getDimSize(d));
      l->copyStrides.push_back(strides[d] * sl.getSteps()[d]);
      l->copyBase += strides[d] * sl.getStarts()[d];
    }
    net.layers.push_back(std::move(*l));
    return success();
  }

  //===--------------------------------------------------------------------===//
  // Host segments
  //===--------------------------------------------------------------------===//

  /// The host segment being filled (an index into net.layers), if it is
  /// still the last layer: ops join it until an NPU layer follows.
  int64_t openHost = -1;
  /// The host segment (layer index) of each host op.
  llvm::DenseMap<Operation *, int64_t> hostOf;

  /// Keeps `op` on the host, in the open segment or a new one after every
  /// layer formed so far (so its operands are in DRAM when it runs).
  void addHostOp(Operation *op) {
    if (openHost < 0 || openHost + 1 != int64_t(net.layers.size())) {
      Layer l = startLayer(op, LayerKind::Host, "host");
      net.layers.push_back(std::move(l));
      openHost = int64_t(net.layers.size()) - 1;
    }
    net.layers[openHost].hostOps.push_back(op);
    hostOf[op] = openHost;
    handled.insert(op);
  }

  bool inOpenHostSegment(Value v) {
    Operation *def = v.getDefiningOp();
    auto it = def ? hostOf.find(def) : hostOf.end();
    return it != hostOf.end() && it->second == openHost &&
           openHost + 1 == int64_t(net.layers.size());
  }

  /// Builds a single-op layer; if the chip cannot run this form of the op
  /// (a broadcast the VEC unit lacks, a 16-bit operand, ...), the op stays
  /// on the host instead: the reason is dropped, the program still runs.
  LogicalResult layerOrHost(Operation *op,
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

  /// Whether every user of `v` is the function's return.
  static bool onlyReturned(Value v) {
    return llvm::all_of(v.getUsers(), [](Operation *u) {
      return llvm::isa<func::ReturnOp>(u);
    });
  }

  /// A model output the host computes (a float result, or a quantized one
  /// returned as is): written to DRAM by its segment.
  LogicalResult hostOutput(Value v, unsigned resultIndex) {
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

  /// A model input a host segment reads as is (a float prologue before the
  /// first quantize): the simulator writes it to DRAM unquantized.
  LogicalResult floatInput(BlockArgument arg, Operation *user,
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

  /// The boundary of every host segment: operands defined outside it are
  /// inputs (constants are cloned into it instead), results used outside
  /// it are outputs.
  LogicalResult finishHostSegments() {
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

  LogicalResult run() {
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
      if (llvm::isa<ReshapeOp, TransposeOp, SliceOp>(op) &&
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
};

} // namespace

FailureOr<Network> mote::npu::formLayers(func::FuncOp func,
                                         const TargetDescription &target) {
  Former f(func, target);
  if (failed(f.run()))
    return failure();
  return std::move(f.net);
}

