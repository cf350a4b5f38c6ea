//===- CostModel.cpp - Energy and latency estimate of quantized IR --------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// One formula for every configuration: the bit widths come from the IR's
// types, so a uniform int8 model, a mixed plan and a synthesized model are
// charged alike (DESIGN §5, docs/MixedPrecision.md).
//
//===----------------------------------------------------------------------===//

#include "mote/Quant/CostModel.h"

#include "Mote/MoteOps.h"
#include "Mote/MoteTypeUtils.h"

#include "llvm/ADT/StringMap.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace mote;
using namespace mote::quant;

const LayerCost *FunctionCost::find(StringRef key) const {
  for (const LayerCost &l : layers)
    if (l.key == key)
      return &l;
  return nullptr;
}


static std::string layerKey(Operation *op) {
  if (auto attr = op->getAttrOfType<StringAttr>(kLayerAttr))
    return attr.str();
  return locationName(op->getLoc());
}

/// Storage bits of a quantized tensor type, 0 for anything else.
static unsigned storageBits(Type type) {
  std::optional<QuantParams> q = getQuantParams(type);
  return q ? q->storageBits : 0;
}

static double numElements(Type type) {
  auto t = dyn_cast<RankedTensorType>(type);
  if (!t || !t.hasStaticShape())
    return 0;
  return double(t.getNumElements());
}

/// Bytes of a constant operand (weights, bias) if `v` is a quantized
/// constant, else 0.
static double constantBytes(Value v) {
  if (!v || !v.getDefiningOp<ConstantOp>())
    return 0;
  return numElements(v.getType()) * storageBits(v.getType()) / 8.0;
}

/// The reduction length K of a product, or 0 if `op` is not one.
static int64_t reductionLength(Operation *op) {
  if (auto conv = dyn_cast<Conv2DOp>(op)) {
    auto filter = cast<RankedTensorType>(conv.getFilter().getType());
    return filter.getRank() == 4 ? filter.getDimSize(1) * filter.getDimSize(2) *
                                       filter.getDimSize(3)
                                 : 0;
  }
  if (auto fc = dyn_cast<FullyConnectedOp>(op)) {
    auto w = cast<RankedTensorType>(fc.getWeight().getType());
    return w.getRank() == 2 ? w.getDimSize(1) : 0;
  }
  if (auto mm = dyn_cast<MatMulOp>(op)) {
    auto lhs = cast<RankedTensorType>(mm.getLhs().getType());
    return lhs.getRank() >= 1 ? lhs.getDimSize(lhs.getRank() - 1) : 0;
  }
  return 0;
}

FunctionCost mote::quant::estimateCost(func::FuncOp fn,
                                 const TargetDescription &target) {
  FunctionCost cost;
  llvm::StringMap<size_t> index;
  const auto &e = target.energy;
  double constantPJPerByte = e.dram.readPJPerByte +
                             e.weightBuffer.writePJPerByte +
                             e.weightBuffer.readPJPerByte;
  double activationPJPerByte =
      e.activationBuffer.writePJPerByte + e.activationBuffer.readPJPerByte;
  double peak = double(target.peakDigitMacsPerCycle());
  double bandwidth = target.dram.bandwidthBytesPerCycle;

  fn.walk([&](Operation *op) {
    if (isa<ConstantOp, ReshapeOp, DigitOp, func::ReturnOp>(op) ||
        op->getNumResults() != 1)
      return;
    Type resultType = op->getResult(0).getType();
    unsigned outBits = storageBits(resultType);
    LayerCost delta;
    if (int64_t k = reductionLength(op)) {
      Value input = op->getOperand(0), weight = op->getOperand(1);
      unsigned aBits = storageBits(input.getType());
      unsigned wBits = storageBits(weight.getType());
      // Products on i32 accumulators are the rescaling convs of synthesis
      // and bit-width lowering: vector work, not MAC-array passes.
      bool rescale = op->hasAttr("mote.rescale") || aBits > 16;
      if (aBits && wBits && !rescale) {
        delta.macs = numElements(resultType) * double(k);
        delta.digitMacs =
            delta.macs * double(target.macPassesFor(aBits, wBits));
        delta.macPJ = delta.digitMacs * target.energyPerDigitMacPJ();
        delta.constantBytes = constantBytes(weight);
        if (op->getNumOperands() > 2)
          delta.constantBytes += constantBytes(op->getOperand(2));
        delta.constantPJ = delta.constantBytes * constantPJPerByte;
        delta.cycles = std::max(std::ceil(delta.digitMacs / peak),
                                std::ceil(delta.constantBytes / bandwidth));
      }
    }
    // Activations: every narrow quantized result is written to and read
    // back from the activation buffer once; i32 accumulators stay in the
    // accumulator buffer.
    if (outBits && outBits <= 16) {
      delta.activationBytes = numElements(resultType) * outBits / 8.0;
      delta.activationPJ = delta.activationBytes * activationPJPerByte;
    }
    if (delta.energyPJ() == 0.0 && delta.cycles == 0.0)
      return;
    std::string key = layerKey(op);
    auto [it, inserted] = index.try_emplace(key, cost.layers.size());
    if (inserted) {
      cost.layers.emplace_back();
      cost.layers.back().key = key;
    }
    for (LayerCost *l : {&cost.layers[it->second], &cost.total}) {
      l->macs += delta.macs;
      l->digitMacs += delta.digitMacs;
      l->constantBytes += delta.constantBytes;
      l->activationBytes += delta.activationBytes;
      l->macPJ += delta.macPJ;
      l->constantPJ += delta.constantPJ;
      l->activationPJ += delta.activationPJ;
      l->cycles += delta.cycles;
    }
  });
  return cost;
}
