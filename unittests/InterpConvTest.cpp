//===- InterpConvTest.cpp - The float conv kernel's exact summation order -===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The interpreter's float conv2d (register-blocked pixels inside the
// input, with four- or eight-float vectors, one pixel at a time at the
// borders, its filter layout cached per interpreter) against the plain
// loop it must equal bit for bit: each
// output is the bias, then x·w added tap by tap in (kh, kw, c) order,
// taps in the padding skipped. Calibration ranges and the teacher's
// statistics, and so the quantized model, depend on these floats.
// The same blocking on int32 lanes (the quantized conv's accumulation,
// AVX2 and AVX-512 builds) against the plain integer loop.
//
//===----------------------------------------------------------------------===//

#include "../lib/Interp/FloatConv.h"
#include "../lib/Interp/Kernels.h"

#include "mote/InitAllDialects.h"
#include "mote/Interp/Interpreter.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

using namespace mote;

namespace {

struct Geometry {
  int64_t n, h, w, c, o, kh, kw, sh, sw, dh, dw, pt, pb, pl, pr, groups;
  bool bias, constantFilter;
};

int64_t outSize(int64_t in, int64_t k, int64_t s, int64_t d, int64_t lo,
                int64_t hi) {
  return (in + lo + hi - d * (k - 1) - 1) / s + 1;
}

std::string shape(std::initializer_list<int64_t> dims) {
  std::string s;
  for (int64_t d : dims)
    s += std::to_string(d) + "x";
  return s + "f32";
}

/// dense<"0x..."> of the floats' little-endian bytes (exact).
std::string hexDense(const std::vector<float> &v) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "dense<\"0x";
  const auto *bytes = reinterpret_cast<const unsigned char *>(v.data());
  for (size_t i = 0; i < v.size() * 4; ++i)
    os << llvm::format_hex_no_prefix(bytes[i], 2, /*Upper=*/true);
  os << "\">";
  return s;
}

HostTensor hostTensor(std::vector<int64_t> dims, const std::vector<float> &v) {
  HostTensor t;
  t.dtype = DType::F32;
  t.shape = std::move(dims);
  t.data.resize(v.size() * 4);
  std::memcpy(t.data.data(), v.data(), t.data.size());
  return t;
}

TEST(InterpConv, FloatConvIsThePlainLoopBitForBit) {
  mlir::DialectRegistry registry;
  registerAllDialects(registry);
  mlir::MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();
  std::mt19937 rng(2024);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::vector<Geometry> geometries = {
      // n  h   w  c   o kh kw sh sw dh dw pt pb pl pr g  bias  const
      {1, 9, 19, 16, 24, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, true, true},
      {2, 8, 17, 8, 13, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, true, false},
      {1, 15, 23, 3, 16, 7, 7, 2, 2, 1, 1, 3, 3, 3, 3, 1, true, true},
      {1, 6, 14, 32, 20, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, false, true},
      {1, 9, 12, 16, 16, 3, 3, 2, 2, 1, 1, 1, 0, 1, 0, 1, true, true},
      {1, 7, 16, 12, 24, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 2, true, true},
      {1, 5, 11, 8, 16, 3, 3, 1, 1, 1, 1, 0, 2, 0, 3, 2, false, false},
      {1, 6, 10, 6, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 6, true, true},
      {1, 4, 3, 8, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, true, true},
      {1, 6, 21, 16, 40, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, true, true},
      {1, 5, 13, 32, 64, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 2, false, true},
  };
  for (const Geometry &g : geometries) {
    int64_t oh = outSize(g.h, g.kh, g.sh, g.dh, g.pt, g.pb);
    int64_t ow = outSize(g.w, g.kw, g.sw, g.dw, g.pl, g.pr);
    int64_t cg = g.c / g.groups, og = g.o / g.groups;
    std::vector<float> x(g.n * g.h * g.w * g.c), w(g.o * g.kh * g.kw * cg),
        b(g.o);
    for (float &v : x)
      v = nd(rng);
    for (float &v : w)
      v = nd(rng);
    for (float &v : b)
      v = nd(rng);
    std::string xt = shape({g.n, g.h, g.w, g.c}),
                wt = shape({g.o, g.kh, g.kw, cg}), bt = shape({g.o}),
                yt = shape({g.n, oh, ow, g.o});
    std::string text;
    llvm::raw_string_ostream os(text);
    os << "func.func @f(%x: tensor<" << xt << ">";
    if (!g.constantFilter)
      os << ", %w: tensor<" << wt << ">";
    os << ") -> tensor<" << yt << "> {\n";
    if (g.constantFilter)
      os << "  %w = mote.constant " << hexDense(w) << " : tensor<" << wt
         << "> -> tensor<" << wt << ">\n";
    if (g.bias)
      os << "  %b = mote.constant " << hexDense(b) << " : tensor<" << bt
         << "> -> tensor<" << bt << ">\n";
    os << "  %y = mote.conv2d %x, %w" << (g.bias ? ", %b" : "")
       << " {strides = array<i64: " << g.sh << ", " << g.sw
       << ">, dilations = array<i64: " << g.dh << ", " << g.dw
       << ">, pad = array<i64: " << g.pt << ", " << g.pb << ", " << g.pl
       << ", " << g.pr << ">, groups = " << g.groups << "} : (tensor<" << xt
       << ">, tensor<" << wt << ">" << (g.bias ? ", tensor<" + bt + ">" : "")
       << ") -> tensor<" << yt << ">\n  return %y : tensor<" << yt
       << ">\n}\n";
    mlir::OwningOpRef<mlir::ModuleOp> module =
        mlir::parseSourceString<mlir::ModuleOp>(text, &ctx);
    ASSERT_TRUE(module) << text;
    auto fn = *module->getOps<mlir::func::FuncOp>().begin();

    // The plain loop.
    std::vector<float> want(g.n * oh * ow * g.o);
    for (int64_t n = 0; n < g.n; ++n)
      for (int64_t y = 0; y < oh; ++y)
        for (int64_t xo = 0; xo < ow; ++xo)
          for (int64_t o = 0; o < g.o; ++o) {
            float acc = g.bias ? b[o] : 0.0f;
            int64_t grp = o / og;
            for (int64_t ky = 0; ky < g.kh; ++ky) {
              int64_t iy = y * g.sh - g.pt + ky * g.dh;
              if (iy < 0 || iy >= g.h)
                continue;
              for (int64_t kx = 0; kx < g.kw; ++kx) {
                int64_t ix = xo * g.sw - g.pl + kx * g.dw;
                if (ix < 0 || ix >= g.w)
                  continue;
                for (int64_t c = 0; c < cg; ++c)
                  acc += x[((n * g.h + iy) * g.w + ix) * g.c + grp * cg + c] *
                         w[((o * g.kh + ky) * g.kw + kx) * cg + c];
              }
            }
            want[((n * oh + y) * ow + xo) * g.o + o] = acc;
          }

    // Four- and eight-float vectors (the latter where the CPU has AVX),
    // one and two threads.
    for (unsigned lanes : {4u, 8u, 0u}) {
      interp::setFloatConvLanes(lanes);
      for (unsigned threads : {1u, 2u}) {
        auto interp = interp::Interpreter::create(fn, {threads});
        ASSERT_TRUE(bool(interp)) << llvm::toString(interp.takeError());
        std::vector<HostTensor> inputs = {
            hostTensor({g.n, g.h, g.w, g.c}, x)};
        if (!g.constantFilter)
          inputs.push_back(hostTensor({g.o, g.kh, g.kw, cg}, w));
        // Twice: the second run uses the cached filter layout.
        for (int run = 0; run < 2; ++run) {
          auto out = (*interp)->run(inputs);
          ASSERT_TRUE(bool(out)) << llvm::toString(out.takeError());
          ASSERT_EQ(out->size(), 1u);
          std::vector<float> got(want.size());
          ASSERT_EQ((*out)[0].data.size(), got.size() * 4);
          std::memcpy(got.data(), (*out)[0].data.data(), got.size() * 4);
          EXPECT_EQ(std::memcmp(got.data(), want.data(), got.size() * 4), 0)
              << text << " lanes " << lanes << " threads " << threads
              << " run " << run;
        }
      }
    }
    interp::setFloatConvLanes(0);
  }
}

#ifdef MOTE_INTERP_AVX
TEST(InterpConv, Int32BlockedMatchesLoop) {
  std::mt19937 rng(5);
  auto pick = [&](int64_t lo, int64_t hi) {
    return lo + int64_t(rng() % uint64_t(hi - lo + 1));
  };
  bool avx2 = __builtin_cpu_supports("avx2");
  bool avx512 = __builtin_cpu_supports("avx512f");
  if (!avx2 && !avx512)
    GTEST_SKIP() << "the host has neither AVX2 nor AVX-512F";
  for (int trial = 0; trial < 200; ++trial) {
    interp::ConvGeometry g;
    g.n = pick(1, 2);
    g.g = pick(1, 3);
    g.cg = pick(1, 9);
    // Below, at and above one and two vectors of 8 and 16 lanes.
    g.og = pick(1, 40);
    g.c = g.g * g.cg;
    g.o = g.g * g.og;
    g.kh = pick(1, 3), g.kw = pick(1, 3);
    g.sh = pick(1, 2), g.sw = pick(1, 2), g.dh = pick(1, 2), g.dw = pick(1, 2);
    g.pt = pick(0, 2), g.pl = pick(0, 2);
    g.h = pick(1, 7) + (g.kh - 1) * g.dh, g.w = pick(1, 9) + (g.kw - 1) * g.dw;
    int64_t pb = pick(0, 2), pr = pick(0, 2);
    g.oh = (g.h + g.pt + pb - (g.kh - 1) * g.dh - 1) / g.sh + 1;
    g.ow = (g.w + g.pl + pr - (g.kw - 1) * g.dw - 1) / g.sw + 1;
    std::vector<int32_t> x(g.n * g.h * g.w * g.c),
        wt(g.g * g.kh * g.kw * g.cg * g.og);
    for (int32_t &v : x)
      v = int32_t(pick(-255, 255));
    for (int32_t &v : wt)
      v = int32_t(pick(-127, 127));
    std::vector<int32_t> init(g.n * g.oh * g.ow * g.o);
    for (int32_t &v : init)
      v = int32_t(pick(-1000, 1000));
    std::vector<int32_t> want = init;
    for (int64_t n = 0; n < g.n; ++n)
      for (int64_t y = 0; y < g.oh; ++y)
        for (int64_t xo = 0; xo < g.ow; ++xo)
          for (int64_t o = 0; o < g.o; ++o) {
            int64_t grp = o / g.og, j = o % g.og;
            int32_t &acc = want[((n * g.oh + y) * g.ow + xo) * g.o + o];
            for (int64_t ky = 0; ky < g.kh; ++ky)
              for (int64_t kx = 0; kx < g.kw; ++kx) {
                int64_t iy = y * g.sh - g.pt + ky * g.dh;
                int64_t ix = xo * g.sw - g.pl + kx * g.dw;
                if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w)
                  continue;
                for (int64_t c = 0; c < g.cg; ++c)
                  acc += x[((n * g.h + iy) * g.w + ix) * g.c + grp * g.cg + c] *
                         wt[(((grp * g.kh + ky) * g.kw + kx) * g.cg + c) *
                                g.og + j];
              }
          }
    // The columns whose windows lie inside the input along w.
    int64_t lo = std::min<int64_t>((g.pl + g.sw - 1) / g.sw, g.ow);
    int64_t last = g.w - 1 + g.pl - (g.kw - 1) * g.dw;
    int64_t hi = last < 0 ? 0 : std::min<int64_t>(g.ow, last / g.sw + 1);
    hi = std::max(hi, lo);
    for (int isa = 0; isa < 2; ++isa) {
      if (isa == 0 ? !avx2 : !avx512)
        continue;
      std::vector<int32_t> got = init;
      (isa == 0 ? interp::int32ConvRowsAvx2 : interp::int32ConvRowsAvx512)(
          g, x.data(), wt.data(), got.data(), lo, hi, 0, g.n * g.oh);
      ASSERT_EQ(want, got) << "trial " << trial << (isa ? " avx512" : " avx2")
                           << " og " << g.og << " groups " << g.g;
    }
  }
}
#endif

} // namespace
