//===- WeightSQNR.cpp - Weight SQNR of synthesis choices -------------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//

#include "WeightSQNR.h"

#include "Mote/MoteAttrUtils.h"
#include "Mote/MoteOps.h"
#include "Mote/MoteTypeUtils.h"
#include "mote/Quant/Synthesis.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>

using namespace mlir;
using namespace mote;
using namespace mote::compare;

std::optional<SynthConfig> mote::compare::parseSynthConfig(StringRef text) {
  std::string lower = text.lower();
  auto [k, b] = StringRef(lower).split('x');
  SynthConfig c;
  if (k.getAsInteger(10, c.terms) || b.getAsInteger(10, c.bits) ||
      c.terms < 1 || c.terms > 8 || c.bits < 1 || c.bits > 8)
    return std::nullopt;
  return c;
}

namespace {
/// A layer's float weight, output channel major.
struct FloatWeight {
  std::string name;
  int64_t channels = 0;
  std::vector<double> values;
};

/// The framework node's name (MoteTypeUtils' locationName), else "#index".
std::string layerName(Operation *op, unsigned index) {
  std::string name = locationName(op->getLoc());
  return name.empty() ? "#" + std::to_string(index) : name;
}

std::vector<FloatWeight> floatWeights(func::FuncOp fn) {
  std::vector<FloatWeight> out;
  unsigned index = 0;
  fn.walk([&](Operation *op) {
    Value w;
    if (auto conv = dyn_cast<Conv2DOp>(op))
      w = conv.getFilter();
    else if (auto fc = dyn_cast<FullyConnectedOp>(op))
      w = fc.getWeight();
    else
      return;
    unsigned at = index++;
    auto c = w.getDefiningOp<ConstantOp>();
    auto type = dyn_cast<RankedTensorType>(w.getType());
    if (!c || !type || !isa<FloatType>(type.getElementType()))
      return;
    std::optional<std::vector<float>> values = readFloatElements(c.getValue());
    if (!values)
      return;
    FloatWeight fw;
    fw.name = layerName(op, at);
    fw.channels = type.getDimSize(0);
    fw.values.assign(values->begin(), values->end());
    if (fw.channels > 0)
      out.push_back(std::move(fw));
  });
  return out;
}
} // namespace

llvm::json::Array
mote::compare::reportWeightSQNR(func::FuncOp floatFn,
                                ArrayRef<SynthConfig> configs,
                                llvm::raw_ostream &os) {
  std::vector<FloatWeight> weights = floatWeights(floatFn);
  llvm::json::Array all;
  auto db = [](double v) {
    return std::isinf(v) ? std::string("exact")
                         : llvm::formatv("{0:F2}", v).str();
  };
  for (const SynthConfig &cfg : configs) {
    os << llvm::format("weight SQNR (dB) at %u bits: uniform %u-bit, "
                       "residual and learned %u x %u-bit terms, per output "
                       "channel on the float weights\n",
                       cfg.terms * cfg.bits, cfg.terms * cfg.bits, cfg.terms,
                       cfg.bits)
       << llvm::format("  %-32s %9s %9s %9s\n", "layer", "uniform", "residual",
                       "learned");
    llvm::json::Array layers;
    for (const FloatWeight &fw : weights) {
      int64_t per = int64_t(fw.values.size()) / fw.channels;
      std::vector<double> uni, res, lrn;
      for (int64_t o = 0; o < fw.channels; ++o) {
        ArrayRef<double> w(fw.values.data() + o * per, per);
        for (auto [fit, dst] :
             {std::pair{quant::fitUniform(w, cfg.terms * cfg.bits), &uni},
              std::pair{quant::fitResidual(w, cfg.terms, cfg.bits), &res},
              std::pair{quant::fitLearned(w, cfg.terms, cfg.bits), &lrn}}) {
          std::vector<double> r = fit.reconstruct();
          dst->insert(dst->end(), r.begin(), r.end());
        }
      }
      quant::SynthesisLayerReport rep;
      rep.name = fw.name;
      rep.chosen = "-";
      rep.uniform = rep.pow2 = quant::sqnrDb(fw.values, uni);
      rep.residual = quant::sqnrDb(fw.values, res);
      rep.learned = quant::sqnrDb(fw.values, lrn);
      os << llvm::format("  %-32s %9s %9s %9s\n", fw.name.c_str(),
                         db(rep.uniform).c_str(), db(rep.residual).c_str(),
                         db(rep.learned).c_str());
      llvm::json::Object o = quant::toJSON(rep);
      o.erase("chosen");
      o.erase("sqnr_pow2_db");
      layers.push_back(std::move(o));
    }
    all.push_back(llvm::json::Object{{"terms", int64_t(cfg.terms)},
                                     {"bits", int64_t(cfg.bits)},
                                     {"layers", std::move(layers)}});
  }
  return all;
}
