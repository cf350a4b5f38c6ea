//===- Equalize.cpp - Cross-layer equalization of float weights -----------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Data-free cross-layer equalization (Nagel et al., "Data-Free Quantization
// Through Weight Equalization and Bias Correction", ICCV 2019). Per-channel
// weight scales already absorb the spread between a layer's output
// channels, but not between the input channels a filter mixes; balancing
// the ranges of consecutive layers narrows the latter and is exact in real
// arithmetic because ReLU and pooling commute with positive scales.
//
//===----------------------------------------------------------------------===//

#include "mote/Quant/Passes.h"

#include "Mote/MoteAttrUtils.h"
#include "Mote/MoteOps.h"
#include "mote/Quant/Refinement.h"
#include "mote/Quant/RemarkStream.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <limits>

namespace mote {
#define GEN_PASS_DEF_MOTEEQUALIZE
#include "mote/Quant/Passes.h.inc"
} // namespace mote

using namespace mlir;
using namespace mote;

namespace {

/// A conv2d / fully_connected with constant float weights (and bias), its
/// values held in memory while the pairs are balanced.
struct Layer {
  Operation *op = nullptr;
  RankedTensorType weightType;
  std::vector<float> weights;
  std::optional<std::vector<float>> bias;
  /// Output channels O (axis 0) and values per output channel.
  int64_t outChannels = 0, perOutput = 0;
  /// Input channel layout: weight[o, ..., cg] with cg the innermost index
  /// (OHWI conv, [O, K] fully_connected), `groups` groups of `inPerGroup`.
  int64_t groups = 1, inPerGroup = 0;
  bool changed = false;

  int64_t inChannels() const { return groups * inPerGroup; }
};

/// A pair A → B whose channel i of A feeds channel i of B.
struct Pair {
  unsigned first, second;
  /// Ops between A and B whose ranges the rescaling changes.
  SmallVector<Operation *> chain;
};

static std::optional<std::vector<float>> floatConstant(Value v) {
  auto c = v.getDefiningOp<ConstantOp>();
  if (!c)
    return std::nullopt;
  auto type = dyn_cast<RankedTensorType>(c.getType());
  if (!type || !type.getElementType().isF32())
    return std::nullopt;
  return readFloatElements(c.getValue());
}

static std::optional<Layer> asLayer(Operation *op) {
  Layer l;
  l.op = op;
  Value weight, bias;
  if (auto conv = dyn_cast<Conv2DOp>(op)) {
    weight = conv.getFilter();
    bias = conv.getBias();
    l.groups = conv.getGroups();
  } else if (auto fc = dyn_cast<FullyConnectedOp>(op)) {
    weight = fc.getWeight();
    bias = fc.getBias();
  } else {
    return std::nullopt;
  }
  auto type = dyn_cast<RankedTensorType>(weight.getType());
  auto values = floatConstant(weight);
  if (!type || !values || !type.hasStaticShape() || type.getRank() < 2 ||
      l.groups < 1)
    return std::nullopt;
  l.weightType = type;
  l.weights = std::move(*values);
  l.outChannels = type.getDimSize(0);
  if (l.outChannels <= 0 || l.outChannels % l.groups != 0)
    return std::nullopt;
  l.perOutput = type.getNumElements() / l.outChannels;
  l.inPerGroup = type.getDimSize(type.getRank() - 1);
  if (bias) {
    l.bias = floatConstant(bias);
    if (!l.bias || int64_t(l.bias->size()) != l.outChannels)
      return std::nullopt;
  }
  return l;
}

/// True for a clamp that is exactly ReLU: max(x, 0). A finite upper bound
/// (ReLU6) does not commute with a per-channel scale.
static bool isRelu(ClampOp clamp) {
  return clamp.getMin().isZero() && clamp.getMax().isInfinity() &&
         !clamp.getMax().isNegative();
}

/// Follows channel c of `op`'s input to its result: the new channel axis,
/// or nullopt if the op mixes channels or does not commute with a positive
/// per-channel scale. `axis` is the channel axis of the input.
static std::optional<int64_t> channelAxisThrough(Operation *op,
                                                 int64_t axis) {
  if (op->getNumOperands() != 1 || op->getNumResults() != 1)
    return std::nullopt;
  auto in = dyn_cast<RankedTensorType>(op->getOperand(0).getType());
  auto out = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!in || !out || !in.hasStaticShape() || !out.hasStaticShape())
    return std::nullopt;
  bool last = axis == in.getRank() - 1;
  if (auto clamp = dyn_cast<ClampOp>(op))
    return isRelu(clamp) ? std::optional<int64_t>(axis) : std::nullopt;
  if (isa<MaxPool2DOp, AvgPool2DOp>(op))
    return last ? std::optional<int64_t>(axis) : std::nullopt;
  if (auto transpose = dyn_cast<TransposeOp>(op)) {
    ArrayRef<int64_t> perms = transpose.getPerms();
    for (auto [i, p] : llvm::enumerate(perms))
      if (p == axis)
        return int64_t(i);
    return std::nullopt;
  }
  if (isa<ReshapeOp>(op)) {
    int64_t channels = in.getDimSize(axis);
    // Innermost dimension kept: element i stays in channel i mod C.
    if (last && out.getShape().back() == channels)
      return out.getRank() - 1;
    // Only the channel dimension is not 1, before and after.
    auto onlyDim = [&](RankedTensorType t) -> std::optional<int64_t> {
      std::optional<int64_t> found;
      for (int64_t d = 0; d < t.getRank(); ++d)
        if (t.getDimSize(d) != 1) {
          if (found || t.getDimSize(d) != channels)
            return std::nullopt;
          found = d;
        }
      return found;
    };
    if (onlyDim(in) == std::optional<int64_t>(axis))
      return onlyDim(out);
    return std::nullopt;
  }
  return std::nullopt;
}

/// Max |w| of A's output channel `o`.
static double outputRange(const Layer &a, int64_t o) {
  double r = 0.0;
  const float *w = a.weights.data() + o * a.perOutput;
  for (int64_t i = 0; i < a.perOutput; ++i)
    r = std::max(r, std::fabs(static_cast<double>(w[i])));
  return r;
}

/// Calls f(index) for every weight of B that multiplies input channel `c`.
template <typename F>
static void forInputChannel(const Layer &b, int64_t c, F f) {
  int64_t g = c / b.inPerGroup, cg = c % b.inPerGroup;
  int64_t outPerGroup = b.outChannels / b.groups;
  for (int64_t o = g * outPerGroup; o < (g + 1) * outPerGroup; ++o)
    for (int64_t i = cg; i < b.perOutput; i += b.inPerGroup)
      f(o * b.perOutput + i);
}

struct MoteEqualizePass
    : public mote::impl::MoteEqualizeBase<MoteEqualizePass> {
  using MoteEqualizeBase::MoteEqualizeBase;

  void runOnOperation() override;
};

void MoteEqualizePass::runOnOperation() {
  func::FuncOp fn = getOperation();
  if (fn.isExternal())
    return;
  std::vector<Layer> layers;
  llvm::DenseMap<Operation *, unsigned> index;
  fn.walk([&](Operation *op) {
    if (auto l = asLayer(op)) {
      index[op] = layers.size();
      layers.push_back(std::move(*l));
    }
  });

  std::vector<Pair> pairs;
  for (auto [i, a] : llvm::enumerate(layers)) {
    Value cur = a.op->getResult(0);
    auto curType = dyn_cast<RankedTensorType>(cur.getType());
    if (!curType || curType.getRank() == 0)
      continue;
    int64_t axis = curType.getRank() - 1;
    SmallVector<Operation *> chain;
    while (cur.hasOneUse()) {
      Operation *user = *cur.getUsers().begin();
      auto it = index.find(user);
      if (it != index.end()) {
        const Layer &b = layers[it->second];
        if (user->getOperand(0) == cur &&
            axis == cast<RankedTensorType>(cur.getType()).getRank() - 1 &&
            b.inChannels() == a.outChannels)
          pairs.push_back({unsigned(i), it->second, chain});
        break;
      }
      std::optional<int64_t> next = channelAxisThrough(user, axis);
      if (!next)
        break;
      axis = *next;
      chain.push_back(user);
      cur = user->getResult(0);
    }
  }

  unsigned rounds = 0;
  for (; rounds < iterations && !pairs.empty(); ++rounds) {
    double worst = 0.0;
    for (const Pair &p : pairs) {
      Layer &a = layers[p.first], &b = layers[p.second];
      for (int64_t c = 0; c < a.outChannels; ++c) {
        double r1 = outputRange(a, c), r2 = 0.0;
        forInputChannel(b, c, [&](int64_t i) {
          r2 = std::max(r2, std::fabs(static_cast<double>(b.weights[i])));
        });
        double s = mote::quant::equalizationScale(r1, r2);
        if (s == 1.0)
          continue;
        worst = std::max(worst, std::fabs(std::log(s)));
        float *w = a.weights.data() + c * a.perOutput;
        for (int64_t i = 0; i < a.perOutput; ++i)
          w[i] = static_cast<float>(w[i] / s);
        if (a.bias)
          (*a.bias)[c] = static_cast<float>((*a.bias)[c] / s);
        forInputChannel(b, c, [&](int64_t i) {
          b.weights[i] = static_cast<float>(b.weights[i] * s);
        });
        a.changed = b.changed = true;
      }
    }
    if (worst < 1e-3) {
      ++rounds;
      break;
    }
  }

  // Write the new weights as fresh constants (the old ones may be shared).
  OpBuilder builder(fn.getContext());
  bool droppedRanges = false;
  for (Layer &l : layers) {
    if (!l.changed)
      continue;
    builder.setInsertionPoint(l.op);
    Value weight = l.op->getOperand(1);
    Operation *oldWeight = weight.getDefiningOp();
    weight = ConstantOp::create(
        builder, weight.getLoc(), l.weightType,
        makeFloatElements(l.weightType, l.weights, "equalized_weight"));
    l.op->setOperand(1, weight);
    if (oldWeight->use_empty())
      oldWeight->erase();
    if (l.bias) {
      Value bias = l.op->getOperand(2);
      Operation *oldBias = bias.getDefiningOp();
      auto type = cast<RankedTensorType>(bias.getType());
      bias = ConstantOp::create(
          builder, bias.getLoc(), type,
          makeFloatElements(type, *l.bias, "equalized_bias"));
      l.op->setOperand(2, bias);
      if (oldBias->use_empty())
        oldBias->erase();
    }
  }
  // Ranges recorded on rescaled values no longer hold.
  for (const Pair &p : pairs) {
    SmallVector<Operation *> rescaled{layers[p.first].op};
    rescaled.append(p.chain.begin(), p.chain.end());
    for (Operation *op : rescaled)
      if (op->removeAttr(kCalibAttr))
        droppedRanges = true;
  }
  if (droppedRanges)
    fn.emitWarning() << "mote-equalize: dropped stale mote.calib ranges of "
                        "rescaled values; run --mote-calibrate after "
                        "--mote-equalize";
  mote::quant::RemarkStream(mote::quant::reportLocation(fn))
      << "equalize: @" << fn.getSymName() << ": " << pairs.size()
      << " layer pairs, " << rounds << " rounds\n";
}

} // namespace
