//===- SimKernelTest.cpp - The fast MATMUL path against the reference -----===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The simulator's fast MATMUL path (full-width steps, SIMD kernels) must give
// the bits of the reference (Execute.cpp, one digit pass at a time, scalar).
// Random tiles at digit widths 2, 4 and 8, every sign mode of activations
// and weights, zero points, K odd and even (the kernel pads K to pairs),
// channel counts that are and are not multiples of the vector width, dense
// and depthwise, strides and dilations, full digit grids (fused), broken
// grids (executed pass by pass), operands too wide for int16, and passes
// with DMA transfers between them (fused across the independent ones); each on
// every kernel implementation the host supports.
//
//===----------------------------------------------------------------------===//

#include "../lib/Sim/MatMulKernels.h"
#include "../lib/Sim/Plan.h"
#include "../lib/Sim/VecKernels.h"

#include "mote/ISA/Program.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <climits>
#include <cstring>
#include <random>

using namespace mote;
using namespace mote::sim;

namespace {

std::vector<KernelISA> supportedISAs() {
  std::vector<KernelISA> out;
  KernelISA saved = activeKernelISA();
  for (KernelISA isa : {KernelISA::Scalar, KernelISA::AVX2,
                        KernelISA::AVX512BW, KernelISA::AVX512VNNI})
    if (setKernelISA(isa))
      out.push_back(isa);
  setKernelISA(saved);
  return out;
}

TEST(SimKernel, DotInt16MatchesScalar) {
  std::mt19937 rng(1);
  for (int trial = 0; trial < 200; ++trial) {
    size_t pixels = 1 + rng() % 40, kPairs = 1 + rng() % 70;
    size_t oPad = kKernelLanes * (1 + rng() % 3);
    std::vector<int16_t> patch(pixels * 2 * kPairs), w(kPairs * oPad * 2);
    // Full int16 range, including the -32768 corners where pmaddwd's pair
    // sum wraps.
    for (int16_t &v : patch)
      v = trial % 10 == 0 ? INT16_MIN : int16_t(rng());
    for (int16_t &v : w)
      v = trial % 10 == 0 ? INT16_MIN : int16_t(rng());
    std::vector<uint32_t> want(pixels * oPad), got(pixels * oPad);
    dotInt16With(KernelISA::Scalar, patch.data(), pixels, kPairs, w.data(),
                 oPad, want.data());
    for (KernelISA isa : supportedISAs()) {
      std::fill(got.begin(), got.end(), 0xdeadbeef);
      dotInt16With(isa, patch.data(), pixels, kPairs, w.data(), oPad,
                   got.data());
      ASSERT_EQ(want, got) << kernelISAName(isa) << " trial " << trial;
    }
  }
}

/// A random tile: geometry, activation bytes, weight planes, and the digit
/// passes over it in a random order.
struct Tile {
  Machine m;
  std::vector<Op> ops;
};

Tile randomTile(std::mt19937 &rng, unsigned d, bool depthwise, int variant) {
  Tile t;
  t.m.digitBits = d;
  for (auto &b : t.m.sram)
    b.assign(1 << 17, 0);
  auto pick = [&](uint32_t lo, uint32_t hi) {
    return lo + uint32_t(rng() % (hi - lo + 1));
  };
  Op g;
  g.kind = OpKind::MatMul;
  g.outH = pick(1, 6);
  g.outW = pick(1, 7);
  g.outC = depthwise ? pick(1, 40) : pick(1, 40);
  g.kh = pick(1, 3);
  g.kw = pick(1, 3);
  g.strideH = pick(1, 2);
  g.strideW = pick(1, 2);
  g.dilH = pick(1, 2);
  g.dilW = pick(1, 2);
  g.depthwise = depthwise;
  g.cg = depthwise ? 1 : pick(1, 19); // odd and even K
  uint32_t cn = depthwise ? g.outC : g.cg;
  g.c0 = pick(0, 3);
  g.inC = g.c0 + cn + pick(0, 2);
  uint32_t inCols = (g.outW - 1) * g.strideW + (g.kw - 1) * g.dilW + 1;
  g.inW = inCols + pick(0, 2);
  g.K = depthwise ? g.kh * g.kw : g.kh * g.kw * g.cg;
  g.inSigned = rng() % 2;
  g.inZp = g.inSigned ? int64_t(pick(0, 255)) - 128 : int64_t(pick(0, 255));
  g.actAddr = 16 * pick(0, 4);
  g.accAddr = 64 * pick(0, 4);
  // Activations: random bytes, with a border of zero points (padding) on
  // some tiles.
  uint32_t inRows = (g.outH - 1) * g.strideH + (g.kh - 1) * g.dilH + 1;
  uint8_t *act = t.m.sram[1].data() + g.actAddr;
  uint8_t zpByte = uint8_t(g.inZp);
  bool padded = rng() % 2;
  for (uint32_t y = 0; y < inRows; ++y)
    for (uint32_t x = 0; x < g.inW; ++x)
      for (uint32_t c = 0; c < g.inC; ++c) {
        bool border = padded && (y == 0 || x == 0 || y + 1 == inRows);
        act[(uint64_t(y) * g.inW + x) * g.inC + c] =
            border ? zpByte : uint8_t(rng());
      }
  // Old accumulator contents (the first pass may accumulate onto them).
  for (auto &b : t.m.sram[2])
    b = uint8_t(rng());
  // Digits: enough activation digits for a 9-bit value (more when the
  // operands should overflow int16), weight planes for 8 bits.
  unsigned nA = (9 + d - 1) / d + (variant == 2 ? 2 : 0);
  unsigned nW = (8 + d - 1) / d;
  bool topASigned = rng() % 2, topWSigned = rng() % 2;
  uint64_t rowBytes = (uint64_t(g.K) * d + 7) / 8;
  uint64_t planeBytes = (rowBytes * g.outC + 31) / 32 * 32;
  for (uint8_t &b : t.m.sram[0])
    b = uint8_t(rng());
  for (unsigned j = 0; j < nA; ++j)
    for (unsigned i = 0; i < nW; ++i) {
      Op op = g;
      op.aDigit = j;
      op.aSigned = topASigned && j + 1 == nA;
      op.wgtAddr = i * planeBytes;
      op.wSigned = topWSigned && i + 1 == nW;
      op.shift = d * (i + j);
      t.ops.push_back(op);
    }
  std::shuffle(t.ops.begin(), t.ops.end(), rng);
  if (variant == 1 && t.ops.size() > 1)
    t.ops.pop_back(); // a broken grid: executed pass by pass
  for (size_t p = 0; p < t.ops.size(); ++p)
    t.ops[p].accumulate = p > 0 || rng() % 2;
  if (variant == 3) {
    // A second tile's passes after the first (a new chain: no accumulate).
    std::vector<Op> more = t.ops;
    for (Op &op : more)
      op.accAddr += 64 * 8;
    more[0].accumulate = false;
    t.ops.insert(t.ops.end(), more.begin(), more.end());
  }
  if (variant == 4) {
    // Learned/residual synthesis terms (docs/NPU.md): the same activation
    // digits against each term's own weight planes, each term into its own
    // accumulator tile, one after the other; a term never fuses with the
    // next (different acc_addr), its own digit grid does.
    std::vector<Op> first = t.ops;
    for (unsigned term = 1; term < 3; ++term) {
      std::vector<Op> more = first;
      for (Op &op : more) {
        op.accAddr += 64 * 8 * term;
        op.wgtAddr += uint64_t(nW) * planeBytes * term;
      }
      more[0].accumulate = false;
      t.ops.insert(t.ops.end(), more.begin(), more.end());
    }
  }
  if (variant >= 5 && t.ops.size() > 2) {
    // DMA transfers between the passes (the engine works on other tiles):
    // a LOAD of weights elsewhere and a STORE from other accumulators,
    // which the plan fuses across, and (variant 6) a LOAD overwriting the
    // weight plane of the last pass, which it must not.
    t.m.dram.resize(4096);
    for (uint8_t &b : t.m.dram)
      b = uint8_t(rng());
    Op load;
    load.kind = OpKind::Load;
    load.buffer = 0;
    load.rows = 3;
    load.cols = 16;
    load.elemBytes = 1;
    load.rowStride = 40;
    load.pixStride = 1;
    load.dramAddr = pick(0, 512);
    load.sramAddr = variant == 6 ? t.ops.back().wgtAddr : 100000;
    Op store;
    store.kind = OpKind::Store;
    store.buffer = 2;
    store.rows = 2;
    store.cols = 8;
    store.elemBytes = 4;
    store.rowStride = 64;
    store.pixStride = 4;
    store.sramAddr = 64 * 100;
    store.dramAddr = 2048;
    t.ops.insert(t.ops.begin() + 1, load);
    t.ops.insert(t.ops.begin() + 2, store);
  }
  return t;
}

/// A machine in the same state as `m`, with empty scratch and caches.
Machine cloneState(const Machine &m) {
  Machine c;
  c.digitBits = m.digitBits;
  c.dram = m.dram;
  c.sram = m.sram;
  return c;
}

TEST(SimKernel, FastMatMulMatchesReference) {
  std::mt19937 rng(7);
  isa::Program empty;
  std::vector<KernelISA> isas = supportedISAs();
  KernelISA saved = activeKernelISA();
  int fused = 0, total = 0;
  for (unsigned d : {2u, 4u, 8u})
    for (bool depthwise : {false, true})
      for (int variant = 0; variant < 7; ++variant)
        for (int trial = 0; trial < 12; ++trial) {
          Tile t = randomTile(rng, d, depthwise, variant);
          Machine ref = cloneState(t.m);
          for (const Op &op : t.ops)
            ASSERT_FALSE(bool(execute(ref, op)));
          Plan plan = buildPlan(t.ops, empty, d);
          fused += plan.steps.size() < t.ops.size();
          if (variant == 5) {
            EXPECT_EQ(plan.matMulSteps, 1u)
                << "the passes fuse across the independent LOAD and STORE";
          }
          ++total;
          for (KernelISA isa : isas) {
            ASSERT_TRUE(setKernelISA(isa));
            Machine fast = cloneState(t.m);
            // Three times: the second run reuses the cached weights
            // unchecked (the weight buffer is invariant here), the third
            // checks them against the buffer first.
            // (A LOAD from an empty program's "constants" is not.)
            bool invariant = plan.weightsInvariant;
            for (int run = 0; run < 3; ++run) {
              fast.sram = t.m.sram;
              fast.dram = t.m.dram;
              for (size_t s = 0; s < plan.steps.size(); ++s) {
                if (!plan.steps[s].isMatMul()) {
                  ASSERT_FALSE(bool(execute(fast, t.ops[plan.steps[s].first])));
                  continue;
                }
                execMatMulStep(fast, fast.matMulCache, t.ops, plan.steps[s],
                               plan.matMulIndex[s], run < 2 && invariant);
              }
              ASSERT_EQ(ref.dram, fast.dram);
              ASSERT_EQ(ref.sram[0], fast.sram[0]);
              ASSERT_EQ(ref.sram[2], fast.sram[2])
                  << "d=" << d << " depthwise=" << depthwise
                  << " variant=" << variant << " trial=" << trial << " "
                  << kernelISAName(isa) << " run " << run;
            }
          }
        }
  setKernelISA(saved);
  // Full grids must really have been fused, or the test proves little.
  EXPECT_GT(fused, total / 2);
}

TEST(SimKernel, RequantizeMatchesScalar) {
  std::mt19937 rng(11);
  KernelISA saved = activeKernelISA();
  auto pick = [&](int64_t lo, int64_t hi) {
    return lo + int64_t(rng() % uint64_t(hi - lo + 1));
  };
  for (int trial = 0; trial < 400; ++trial) {
    RequantizeArgs r;
    r.pixels = uint64_t(pick(1, 9));
    // Below, at and above one vector of channels, and above the kernel's
    // on-stack operand buffer (64).
    r.channels = uint32_t(pick(1, trial % 4 == 0 ? 150 : 40));
    uint64_t n = r.pixels * r.channels;
    std::vector<int32_t> acc(n);
    int wide = trial % 5; // 0: small sums; 4: operands near int32's ends
    for (int32_t &a : acc)
      a = wide == 4 && rng() % 3 == 0
              ? (rng() % 2 ? INT32_MAX : INT32_MIN)
              : int32_t(pick(wide ? INT32_MIN / 2 : -100000,
                             wide ? INT32_MAX / 2 : 100000));
    std::vector<int64_t> bias(r.channels);
    std::vector<numerics::ScaleMultiplier> scales(r.channels);
    for (uint32_t c = 0; c < r.channels; ++c) {
      // Some biases push |acc + bias| past 2^31 (the scalar 128-bit path).
      bias[c] = wide == 4 ? pick(INT32_MIN, INT32_MAX) : pick(-5000, 5000);
      scales[c] = {int32_t(pick(0, INT32_MAX)), int32_t(pick(1, 62))};
    }
    std::vector<uint8_t> accBytes(4 * n);
    std::memcpy(accBytes.data(), acc.data(), 4 * n);
    r.acc = accBytes.data();
    r.bias = bias.data();
    r.scales = scales.data();
    r.zpOut = pick(-300, 300);
    r.clampLo = pick(-200, 100);
    r.clampHi = pick(-100, 300);
    r.outSigned = rng() % 2;
    std::vector<uint8_t> want(n, 0xAB), got(n, 0xCD);
    r.dst = want.data();
    requantizeBytesWith(KernelISA::Scalar, r);
    for (KernelISA isa : supportedISAs()) {
      std::fill(got.begin(), got.end(), 0xCD);
      r.dst = got.data();
      requantizeBytesWith(isa, r);
      ASSERT_EQ(want, got) << kernelISAName(isa) << " trial " << trial;
    }
  }
  setKernelISA(saved);
}

TEST(SimKernel, VecTableMatchesReference) {
  std::mt19937 rng(13);
  auto pick = [&](int64_t lo, int64_t hi) {
    return lo + int64_t(rng() % uint64_t(hi - lo + 1));
  };
  const isa::VecOp kinds[] = {isa::VecOp::Add, isa::VecOp::Sub,
                              isa::VecOp::Max, isa::VecOp::Min,
                              isa::VecOp::Mul, isa::VecOp::Rescale,
                              isa::VecOp::Clamp};
  for (int trial = 0; trial < 300; ++trial) {
    Op op;
    op.kind = OpKind::Vec;
    op.vop = kinds[trial % 7];
    op.outH = uint32_t(pick(1, 4));
    op.outW = uint32_t(pick(1, 6));
    op.channels = uint32_t(pick(1, 20));
    uint64_t n = uint64_t(op.outH) * op.outW * op.channels;
    op.srcA = uint64_t(pick(0, 64));
    op.srcB = 512 + uint64_t(pick(0, 64));
    // Elsewhere, in place, or overlapping the first operand from behind.
    int where = trial % 3;
    op.dst = where == 0 ? 1024 : where == 1 ? op.srcA : op.srcA + pick(1, 5);
    op.vaSigned = rng() % 2;
    op.vbSigned = rng() % 2;
    op.outSigned = rng() % 2;
    op.zpA = pick(-128, 255);
    op.zpB = pick(-128, 255);
    op.zpOut = pick(-128, 255);
    op.clampLo = pick(-300, 50);
    op.clampHi = pick(0, 300);
    op.mulA = {int32_t(pick(1, INT32_MAX)), int32_t(pick(1, 40))};
    op.mulB = {int32_t(pick(1, INT32_MAX)), int32_t(pick(1, 40))};
    op.mulOut = {int32_t(pick(1, INT32_MAX)), int32_t(pick(1, 40))};
    Machine ref;
    ref.sram[1].resize(2048);
    for (uint8_t &b : ref.sram[1])
      b = uint8_t(rng());
    Machine fast;
    fast.sram = ref.sram;
    ASSERT_FALSE(bool(execute(ref, op)));
    Step step;
    VecTableCache cache;
    planVecTable(op, step, cache);
    ASSERT_TRUE(step.vecTable) << "trial " << trial;
    execVecTable(fast, op, step);
    ASSERT_EQ(ref.sram[1], fast.sram[1])
        << "trial " << trial << " vop " << int(op.vop) << " n " << n;
  }
}

TEST(SimKernel, WeightsInvariance) {
  // A MATMUL whose weights one LOAD brings from the program's constants.
  isa::Program program;
  program.constants.assign(4096, 0);
  Op load;
  load.kind = OpKind::Load;
  load.buffer = 0;
  load.rows = 2;
  load.cols = 64;
  load.elemBytes = 1;
  load.rowStride = 64;
  load.pixStride = 1;
  load.dramAddr = 1024;
  Op mm;
  mm.kind = OpKind::MatMul;
  mm.outH = mm.outW = mm.outC = 1;
  mm.kh = mm.kw = mm.cg = mm.K = 1;
  mm.inW = mm.inC = 1;
  EXPECT_TRUE(buildPlan({load, mm}, program, 4).weightsInvariant);
  // Not when the weights come from beyond the constants or from the
  // activation buffer, or when a STORE can overwrite the constants.
  Op past = load;
  past.dramAddr = 4096 - 64;
  EXPECT_FALSE(buildPlan({past, mm}, program, 4).weightsInvariant);
  Op onChip = load;
  onChip.onChip = true;
  EXPECT_FALSE(buildPlan({onChip, mm}, program, 4).weightsInvariant);
  Op store;
  store.kind = OpKind::Store;
  store.buffer = 1;
  store.rows = 1;
  store.cols = 16;
  store.elemBytes = 1;
  store.rowStride = 16;
  store.pixStride = 1;
  store.dramAddr = 2048;
  EXPECT_FALSE(buildPlan({load, mm, store}, program, 4).weightsInvariant);
  store.dramAddr = 4096;
  EXPECT_TRUE(buildPlan({load, mm, store}, program, 4).weightsInvariant);
}

} // namespace
