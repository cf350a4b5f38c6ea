//===- BitwidthLoweringTest.cpp - Property tests of bit-width lowering ----===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The digit arithmetic is checked exhaustively; the pass by property: random
// quantized conv2d / fully_connected / matmul layers (random shapes,
// strides, pads, dilations, groups, zero points, per-channel scales, extreme
// weights and inputs) run on the reference interpreter before and after
// --mote-bitwidth-lowering at d = 2, 4, 8 must give identical bytes.
//
//===----------------------------------------------------------------------===//

#include "Mote/MoteOps.h"
#include "mote/InitAllDialects.h"
#include "mote/Interp/Interpreter.h"
#include "mote/Quant/BitwidthLowering.h"
#include "mote/Quant/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <random>
#include <sstream>

using namespace mote;
using namespace mote::quant;

namespace {

TEST(BitwidthLoweringMath, DigitsRecomposeEveryValue) {
  for (unsigned bits : {1u, 2u, 3u, 4u, 8u}) {
    for (Interval r : {Interval{-128, 127}, Interval{0, 255}, Interval{-3, 252},
                       Interval{-255, 0}, Interval{-129, 126}, Interval{-8, 7},
                       Interval{0, 15}, Interval{-32768, 32767}}) {
      std::optional<DigitPlan> plan = planDigits(r, bits);
      ASSERT_TRUE(plan);
      // The plan is minimal: one digit fewer cannot hold the range.
      if (plan->count > 1) {
        unsigned s = bits * (plan->count - 2);
        bool fewerFits =
            plan->topSigned
                ? (r.lo >> s) >= numerics::storageMin(bits, true) &&
                      (r.hi >> s) <= numerics::storageMax(bits, true)
                : (r.hi >> s) <= numerics::storageMax(bits, false);
        EXPECT_FALSE(fewerFits);
      }
      for (int64_t v = r.lo; v <= r.hi; ++v) {
        int64_t sum = 0;
        for (unsigned i = 0; i < plan->count; ++i) {
          int64_t dgt = digitOf(v, i, *plan);
          Interval dr = digitRange(r, i, *plan);
          ASSERT_GE(dgt, dr.lo);
          ASSERT_LE(dgt, dr.hi);
          bool isSigned = digitIsSigned(i, *plan);
          ASSERT_GE(dgt, numerics::storageMin(bits, isSigned));
          ASSERT_LE(dgt, numerics::storageMax(bits, isSigned));
          sum += dgt * (int64_t(1) << (bits * i));
        }
        ASSERT_EQ(sum, v) << "bits " << bits << " v " << v;
      }
    }
  }
  // Native ranges need one digit.
  EXPECT_EQ(planDigits({-8, 7}, 4)->count, 1u);
  EXPECT_EQ(planDigits({0, 15}, 4)->count, 1u);
  EXPECT_EQ(planDigits({-128, 127}, 4)->count, 2u);
  EXPECT_EQ(planDigits({0, 255}, 4)->count, 2u);
  EXPECT_FALSE(planDigits({0, 255}, 4)->topSigned);
  EXPECT_EQ(planDigits({-129, 126}, 4)->count, 3u);
}

TEST(BitwidthLoweringMath, AccumulatorBitsAndMultiplier) {
  EXPECT_EQ(signedBitsFor({-32768, 32767}), 16u);
  EXPECT_EQ(signedBitsFor({0, 32768}), 17u);
  EXPECT_EQ(signedBitsFor({-1, 0}), 2u);
  Interval r = dotRange(std::vector<int64_t>{3, -2}.data(), 2, {-128, 127});
  EXPECT_EQ(r.lo, 3 * -128 + -2 * 127);
  EXPECT_EQ(r.hi, 3 * 127 + -2 * -128);
  numerics::ScaleMultiplier m = *numerics::computeScaleMultiplier(0.0123456789);
  numerics::ScaleMultiplier n16 = narrowMultiplier(m, 16);
  EXPECT_LT(n16.multiplier, 1 << 16);
  EXPECT_GE(n16.multiplier, 1 << 15);
  EXPECT_EQ(n16.shift, m.shift - 15);
  EXPECT_NEAR(numerics::scaleMultiplierValue(n16), 0.0123456789,
              0.0123456789 * std::ldexp(1.0, -15));
  EXPECT_EQ(narrowMultiplier(m, 32).multiplier, m.multiplier);
  EXPECT_EQ(multiplierErrorBound(m, m, 1 << 20), 0);
  EXPECT_GE(multiplierErrorBound(m, n16, 1 << 20), 0);
}

//===----------------------------------------------------------------------===//
// Random layers
//===----------------------------------------------------------------------===//

std::string real(double v) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << llvm::format("%.6e", v);
  return s;
}

struct QType {
  unsigned bits = 8;
  bool isSigned = true;
  bool narrow = false;
  std::vector<double> scales;
  std::vector<int64_t> zps;
  int axis = -1;

  int64_t lo() const { return numerics::storageMin(bits, isSigned, narrow); }
  int64_t hi() const { return numerics::storageMax(bits, isSigned); }
  std::string str() const {
    std::string s = "!quant.uniform<";
    s += (isSigned ? "i" : "u") + std::to_string(bits);
    if (narrow)
      s += "<" + std::to_string(lo()) + ":" + std::to_string(hi()) + ">";
    s += ":f32";
    if (axis < 0)
      return s + ", " + real(scales[0]) + ":" + std::to_string(zps[0]) + ">";
    s += ":" + std::to_string(axis) + ", {";
    for (size_t i = 0; i < scales.size(); ++i)
      s += (i ? "," : "") + real(scales[i]) + ":" + std::to_string(zps[i]);
    return s + "}>";
  }
};

std::string tensor(const std::vector<int64_t> &shape, const std::string &elem) {
  std::string s = "tensor<";
  for (int64_t d : shape)
    s += std::to_string(d) + "x";
  return s + elem + ">";
}

/// dense<...> with nested brackets for `shape` (row-major `values`).
std::string nested(const std::vector<int64_t> &values,
                   const std::vector<int64_t> &shape, size_t dim,
                   size_t &pos) {
  std::string s = "[";
  for (int64_t i = 0; i < shape[dim]; ++i) {
    if (i)
      s += ",";
    s += dim + 1 == shape.size() ? std::to_string(values[pos++])
                                 : nested(values, shape, dim + 1, pos);
  }
  return s + "]";
}
std::string dense(const std::vector<int64_t> &values,
                  const std::vector<int64_t> &shape) {
  size_t pos = 0;
  return "dense<" + nested(values, shape, 0, pos) + ">";
}

/// A random layer as MLIR text plus the shapes/types of its arguments.
struct Layer {
  std::string text;
  std::vector<std::vector<int64_t>> argShapes;
  std::vector<QType> argTypes;
  std::string describe;
};

class LayerGen {
public:
  explicit LayerGen(uint32_t seed) : rng(seed) {}

  int64_t uniform(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  }
  double logUniform(double lo, double hi) {
    return std::exp(std::uniform_real_distribution<double>(std::log(lo),
                                                           std::log(hi))(rng));
  }

  QType activation() {
    QType t;
    int kind = uniform(0, 5);
    t.bits = kind == 5 ? 4 : (kind == 4 ? 16 : 8);
    if (t.bits == 16 && uniform(0, 1))
      t.bits = 8;
    t.isSigned = uniform(0, 1);
    t.scales = {logUniform(0.01, 0.5)};
    int64_t lo = numerics::storageMin(t.bits, t.isSigned);
    int64_t hi = numerics::storageMax(t.bits, t.isSigned);
    int64_t zp = uniform(0, 3) == 0 ? (t.isSigned ? 0 : lo) : uniform(lo, hi);
    t.zps = {zp};
    return t;
  }

  QType weight(int64_t channels, int axis, unsigned bits) {
    QType t;
    t.bits = bits;
    t.isSigned = true;
    t.narrow = uniform(0, 1);
    bool perAxis = uniform(0, 3) != 0;
    int64_t n = perAxis ? channels : 1;
    t.axis = perAxis ? axis : -1;
    for (int64_t c = 0; c < n; ++c) {
      t.scales.push_back(logUniform(0.001, 0.05));
      // Weight zero points are 0 in Mote's quantizer; test others too.
      t.zps.push_back(uniform(0, 4) == 0 ? uniform(-3, 3) : 0);
    }
    return t;
  }

  std::vector<int64_t> weightValues(const QType &t, int64_t numel) {
    std::vector<int64_t> v(numel);
    int style = uniform(0, 5);
    for (int64_t i = 0; i < numel; ++i) {
      switch (style) {
      case 0: v[i] = t.hi(); break;                          // all max
      case 1: v[i] = uniform(0, 1) ? t.lo() : t.hi(); break; // extremes
      default: v[i] = uniform(t.lo(), t.hi()); break;
      }
    }
    return v;
  }

  QType output(const QType &in, const QType &w, bool allowRaw) {
    QType t;
    if (allowRaw && uniform(0, 6) == 0) {
      t.bits = 32;
      t.isSigned = true;
      t.axis = w.axis >= 0 ? -2 : -1; // fixed up by the caller
      for (double s : w.scales)
        t.scales.push_back(in.scales[0] * s);
      t.zps.assign(t.scales.size(), 0);
      return t;
    }
    t.bits = uniform(0, 3) == 0 ? 4 : 8;
    t.isSigned = uniform(0, 1);
    t.scales = {logUniform(0.01, 2.0)};
    t.zps = {uniform(numerics::storageMin(t.bits, t.isSigned),
                     numerics::storageMax(t.bits, t.isSigned))};
    return t;
  }

  Layer conv() {
    Layer l;
    int64_t n = uniform(1, 2), h = uniform(1, 7), w = uniform(1, 7);
    int64_t kh = uniform(1, 3), kw = uniform(1, 3);
    int64_t sh = uniform(1, 2), sw = uniform(1, 2), dh = uniform(1, 2),
            dw = uniform(1, 2);
    int64_t pt = uniform(0, 2), pb = uniform(0, 2), pl = uniform(0, 2),
            pr = uniform(0, 2);
    int64_t ekh = dh * (kh - 1) + 1, ekw = dw * (kw - 1) + 1;
    if (h + pt + pb < ekh)
      pb += ekh - (h + pt + pb);
    if (w + pl + pr < ekw)
      pr += ekw - (w + pl + pr);
    int64_t oh = (h + pt + pb - ekh) / sh + 1, ow = (w + pl + pr - ekw) / sw + 1;
    int gkind = uniform(0, 2);
    int64_t groups, c, o;
    if (gkind == 0) { // plain
      groups = 1, c = uniform(1, 5), o = uniform(1, 6);
    } else if (gkind == 1) { // depthwise
      c = uniform(1, 6), groups = c, o = c;
    } else { // grouped
      groups = 2, c = 2 * uniform(1, 3), o = 2 * uniform(1, 3);
    }
    int64_t cg = c / groups;
    QType in = activation();
    QType wt = weight(o, 0, uniform(0, 4) == 0 ? 4 : 8);
    QType out = output(in, wt, true);
    if (out.axis == -2)
      out.axis = 3;
    std::vector<int64_t> inShape{n, h, w, c}, wShape{o, kh, kw, cg},
        outShape{n, oh, ow, o};
    std::string inT = tensor(inShape, in.str()), wT = tensor(wShape, wt.str()),
                outT = tensor(outShape, out.str());
    std::ostringstream s;
    s << "func.func @main(%x: " << inT << ") -> " << outT << " {\n";
    s << "  %w = mote.constant " << dense(weightValues(wt, o * kh * kw * cg), wShape)
      << " : " << tensor(wShape, "i" + std::to_string(wt.bits)) << " -> " << wT
      << "\n";
    std::string biasArg, biasT;
    if (uniform(0, 2)) {
      QType b;
      b.bits = 32;
      b.axis = wt.axis >= 0 ? 0 : -1;
      for (double sw : wt.scales)
        b.scales.push_back(in.scales[0] * sw);
      b.zps.assign(b.scales.size(), 0);
      std::vector<int64_t> bv(o);
      for (int64_t &v : bv)
        v = uniform(-100000, 100000);
      biasT = tensor({o}, b.str());
      s << "  %b = mote.constant " << dense(bv, {o}) << " : tensor<" << o
        << "xi32> -> " << biasT << "\n";
      biasArg = ", %b";
      biasT = ", " + biasT;
    }
    s << "  %y = mote.conv2d %x, %w" << biasArg << " {strides = array<i64: "
      << sh << ", " << sw << ">, dilations = array<i64: " << dh << ", " << dw
      << ">, pad = array<i64: " << pt << ", " << pb << ", " << pl << ", " << pr
      << ">, groups = " << groups << " : i64} : (" << inT << ", " << wT
      << biasT << ") -> " << outT << "\n";
    s << "  return %y : " << outT << "\n}\n";
    l.text = s.str();
    l.argShapes = {inShape};
    l.argTypes = {in};
    return l;
  }

  Layer fc() {
    Layer l;
    int64_t rows = uniform(1, 4), k = uniform(1, 40), o = uniform(1, 8);
    QType in = activation();
    QType wt = weight(o, 0, uniform(0, 4) == 0 ? 4 : 8);
    QType out = output(in, wt, true);
    if (out.axis == -2)
      out.axis = 1;
    std::vector<int64_t> inShape{rows, k}, wShape{o, k}, outShape{rows, o};
    std::string inT = tensor(inShape, in.str()), wT = tensor(wShape, wt.str()),
                outT = tensor(outShape, out.str());
    std::ostringstream s;
    s << "func.func @main(%x: " << inT << ") -> " << outT << " {\n";
    s << "  %w = mote.constant " << dense(weightValues(wt, o * k), wShape) << " : "
      << tensor(wShape, "i" + std::to_string(wt.bits)) << " -> " << wT << "\n";
    s << "  %y = mote.fully_connected %x, %w : (" << inT << ", " << wT
      << ") -> " << outT << "\n";
    s << "  return %y : " << outT << "\n}\n";
    l.text = s.str();
    l.argShapes = {inShape};
    l.argTypes = {in};
    return l;
  }

  Layer matmul() {
    Layer l;
    int64_t b = uniform(1, 2), m = uniform(1, 4), k = uniform(1, 12),
            n = uniform(1, 5);
    bool constRhs = uniform(0, 2) != 0;
    QType in = activation();
    QType wt;
    if (constRhs) {
      wt = weight(n, 1, uniform(0, 4) == 0 ? 4 : 8);
    } else {
      wt = activation();
    }
    QType out = output(in, wt, constRhs);
    if (out.axis == -2)
      out.axis = 2;
    std::vector<int64_t> inShape{b, m, k}, wShape{k, n}, outShape{b, m, n};
    std::string inT = tensor(inShape, in.str()), wT = tensor(wShape, wt.str()),
                outT = tensor(outShape, out.str());
    std::ostringstream s;
    if (constRhs) {
      s << "func.func @main(%x: " << inT << ") -> " << outT << " {\n";
      s << "  %w = mote.constant " << dense(weightValues(wt, k * n), wShape) << " : "
        << tensor(wShape, "i" + std::to_string(wt.bits)) << " -> " << wT
        << "\n";
      l.argShapes = {inShape};
      l.argTypes = {in};
    } else {
      s << "func.func @main(%x: " << inT << ", %w: " << wT << ") -> " << outT
        << " {\n";
      l.argShapes = {inShape, wShape};
      l.argTypes = {in, wt};
    }
    s << "  %y = mote.matmul %x, %w : (" << inT << ", " << wT << ") -> "
      << outT << "\n";
    s << "  return %y : " << outT << "\n}\n";
    l.text = s.str();
    return l;
  }

  /// Random storage values; style 0/1 are all-min / all-max.
  HostTensor input(const std::vector<int64_t> &shape, const QType &t,
                   int style) {
    HostTensor h = HostTensor::zeros(DType::I32, shape);
    auto *p = reinterpret_cast<int32_t *>(h.data.data());
    for (int64_t i = 0; i < h.numElements(); ++i)
      p[i] = static_cast<int32_t>(
          style == 0 ? t.lo()
                     : (style == 1 ? t.hi()
                                   : (style == 2 ? (uniform(0, 1) ? t.lo()
                                                                  : t.hi())
                                                 : uniform(t.lo(), t.hi()))));
    return h;
  }

  std::mt19937 rng;
};

std::vector<HostTensor> runOrFail(mlir::func::FuncOp fn,
                                  llvm::ArrayRef<HostTensor> inputs) {
  auto out = interp::run(fn, inputs, {/*threads=*/1});
  if (!out) {
    ADD_FAILURE() << llvm::toString(out.takeError());
    return {};
  }
  return std::move(*out);
}

TEST(BitwidthLoweringPass, RandomLayersAreBitIdentical) {
  mlir::DialectRegistry registry;
  registerAllDialects(registry);
  mlir::MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();
  ctx.disableMultithreading();
  LayerGen gen(20240611);
  int64_t tensorsCompared = 0, layersLowered = 0;
  for (int iter = 0; iter < 600; ++iter) {
    int kind = iter % 3;
    Layer l = kind == 0 ? gen.conv() : (kind == 1 ? gen.fc() : gen.matmul());
    unsigned d = std::vector<unsigned>{2, 4, 8}[gen.uniform(0, 2)];
    mlir::OwningOpRef<mlir::ModuleOp> module =
        mlir::parseSourceString<mlir::ModuleOp>(l.text, &ctx);
    ASSERT_TRUE(module) << l.text;
    auto fn = *module->getOps<mlir::func::FuncOp>().begin();

    std::vector<std::vector<HostTensor>> inputs;
    for (int t = 0; t < 14; ++t) {
      std::vector<HostTensor> args;
      for (size_t a = 0; a < l.argShapes.size(); ++a)
        args.push_back(gen.input(l.argShapes[a], l.argTypes[a], t < 3 ? t : 3));
      inputs.push_back(std::move(args));
    }
    std::vector<std::vector<HostTensor>> before;
    for (auto &args : inputs)
      before.push_back(runOrFail(fn, args));

    mlir::PassManager pm(&ctx);
    MoteBitwidthLoweringOptions options;
    options.digitBits = d;
    options.quiet = true;
    pm.addNestedPass<mlir::func::FuncOp>(createMoteBitwidthLowering(options));
    ASSERT_TRUE(mlir::succeeded(pm.run(*module))) << l.text;
    fn = *module->getOps<mlir::func::FuncOp>().begin();
    bool lowered = false;
    fn.walk([&](DigitOp) { lowered = true; });
    fn.walk([&](mlir::Operation *op) {
      if (op->hasAttr("mote.rescale"))
        lowered = true;
    });
    layersLowered += lowered;
    for (size_t t = 0; t < inputs.size(); ++t) {
      std::vector<HostTensor> after = runOrFail(fn, inputs[t]);
      ASSERT_EQ(after.size(), before[t].size());
      for (size_t r = 0; r < after.size(); ++r) {
        ASSERT_EQ(after[r].dtype, before[t][r].dtype);
        ASSERT_EQ(after[r].data, before[t][r].data)
            << "d=" << d << " input " << t << "\n"
            << l.text;
        ++tensorsCompared;
      }
    }
  }
  // The generator must actually exercise the lowering.
  EXPECT_GT(layersLowered, 400);
  EXPECT_GE(tensorsCompared, 8000);
}

} // namespace
