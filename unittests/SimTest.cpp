//===- SimTest.cpp - Unit tests of the Mote NPU simulator -----------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Each instruction's semantics against a direct computation written here
// (digits and signedness, zero-point borders, requantization, add, pools,
// LUT), the timing formulas, and the clean rejection of deadlocks, token
// overflow, out-of-bounds accesses and a wrong target.
//
//===----------------------------------------------------------------------===//

#include "mote/ISA/ISA.h"
#include "mote/ISA/Program.h"
#include "mote/Sim/Simulator.h"
#include "mote/Target/TargetDescription.h"

#include "gtest/gtest.h"

#include <cstring>
#include <random>

using namespace mote;
using namespace mote::isa;

namespace {

TargetDescription defaultTarget() {
  auto t = loadTarget("mote-default");
  if (!t) {
    ADD_FAILURE() << llvm::toString(t.takeError());
    return TargetDescription();
  }
  return *t;
}

/// Builds a program whose DRAM holds `constants` and one i32 or i8 output.
struct Builder {
  Program p;
  explicit Builder(const TargetDescription &t, uint64_t dramBytes) {
    p.targetName = t.name;
    p.targetHash = t.hash();
    p.dramBytes = dramBytes;
  }
  void add(const Instruction &inst) {
    auto word = encode(inst);
    if (!word) {
      ADD_FAILURE() << llvm::toString(word.takeError());
      return;
    }
    p.instructions.push_back(*word);
  }
  void cfg(Engine e, uint8_t reg, int64_t value, bool popPrev = false) {
    Instruction i = make(Opcode::Config);
    i.set(Field::Config_engine, int64_t(e)).set(Field::Config_reg, reg);
    i.set(Field::Config_value, value);
    i.set(Field::Header_pop_prev, popPrev);
    add(i);
  }
  void output(const std::string &name, uint64_t addr, uint64_t elements,
              const std::string &dtype) {
    IODesc d;
    d.name = name;
    d.isInput = false;
    d.shape = {int64_t(elements)};
    d.dtype = dtype;
    d.dramAddr = addr;
    d.bytes = elements * (dtype == "i32" ? 4 : 1);
    p.io.push_back(d);
  }
};

Instruction load(unsigned buffer, uint64_t sram, uint64_t dram, uint64_t rows,
                 uint64_t cols, uint64_t eb) {
  Instruction i = make(Opcode::Load);
  i.set(Field::Load_buffer, buffer).set(Field::Load_sram_addr, sram);
  i.set(Field::Load_dram_addr, dram).set(Field::Load_rows, rows);
  i.set(Field::Load_cols, cols).set(Field::Load_elem_bytes, eb);
  return i;
}

Instruction store(unsigned buffer, uint64_t sram, uint64_t dram,
                  uint64_t rows, uint64_t cols, uint64_t eb) {
  Instruction i = make(Opcode::Store);
  i.set(Field::Store_buffer, buffer).set(Field::Store_sram_addr, sram);
  i.set(Field::Store_dram_addr, dram).set(Field::Store_rows, rows);
  i.set(Field::Store_cols, cols).set(Field::Store_elem_bytes, eb);
  return i;
}

Instruction vec(VecOp op, uint64_t a, uint64_t b, uint64_t dst, uint64_t h,
                uint64_t w, uint64_t c) {
  Instruction i = make(Opcode::Vec);
  i.set(Field::Vec_op, int64_t(op)).set(Field::Vec_src_a, a);
  i.set(Field::Vec_src_b, b).set(Field::Vec_dst_addr, dst);
  i.set(Field::Vec_out_h, h).set(Field::Vec_out_w, w);
  i.set(Field::Vec_channels, c);
  return i;
}

Instruction finish() { return make(Opcode::Finish); }

/// A SYNC on `engine` with the given token flags set.
Instruction sync(Engine engine, std::initializer_list<Field> flags) {
  Instruction i = make(Opcode::Sync);
  i.set(Field::Sync_engine, int64_t(engine));
  for (Field f : flags)
    i.set(f, 1);
  return i;
}

/// Runs a program without inputs; returns its outputs' DRAM images.
std::vector<std::vector<uint8_t>> runProgram(Program p,
                                             const TargetDescription &t,
                                             sim::Stats *stats = nullptr) {
  auto s = sim::Simulator::create(std::move(p), t, "test");
  if (!s) {
    ADD_FAILURE() << llvm::toString(s.takeError());
    return {};
  }
  if (stats)
    *stats = (*s)->stats();
  auto out = (*s)->runStorage({});
  if (!out) {
    ADD_FAILURE() << llvm::toString(out.takeError());
    return {};
  }
  return *out;
}

std::string createError(Program p, const TargetDescription &t) {
  auto s = sim::Simulator::create(std::move(p), t, "test");
  if (s)
    return "";
  return llvm::toString(s.takeError());
}

int32_t i32At(const std::vector<uint8_t> &bytes, size_t i) {
  int32_t v;
  std::memcpy(&v, &bytes[4 * i], 4);
  return v;
}

/// TOSA single-round apply_scale, written out independently of Numerics.h.
int64_t refScale(int64_t v, int64_t m, int64_t s) {
  __int128 r = (__int128)v * m + ((__int128)1 << (s - 1));
  return int64_t(r >> s);
}
int64_t clampTo(int64_t v, int64_t lo, int64_t hi) {
  return v < lo ? lo : v > hi ? hi : v;
}

} // namespace

//===----------------------------------------------------------------------===//
// MATMUL: digit passes of a dense and a depthwise tile with a zp border.
//===----------------------------------------------------------------------===//

/// A 3x3 conv (pad 1 filled by LOAD with the zero point) of an int8 input
/// with int8 weights, as 2 activation digits x 2 weight digits of 4 bits
/// (top digits signed), each shifted into the int32 accumulators.
static void checkConvTile(bool depthwise, unsigned seed) {
  TargetDescription t = defaultTarget();
  std::mt19937 rng(seed);
  const int H = 5, W = 4, C = 3, KH = 3, KW = 3, stride = depthwise ? 2 : 1;
  const int O = depthwise ? C : 5, Cg = depthwise ? 1 : C;
  const int HP = H + 2, WP = W + 2;
  const int OH = (HP - KH) / stride + 1, OW = (WP - KW) / stride + 1;
  const int zp = -3, K = KH * KW * Cg;
  std::vector<int8_t> x(H * W * C);
  std::vector<int8_t> w(O * K);
  for (int8_t &v : x)
    v = int8_t(int(rng() % 256) - 128);
  for (int8_t &v : w)
    v = int8_t(int(rng() % 255) - 127);

  // DRAM: x at 0, weight digit planes at 64 and 128 (4-bit, packed), out.
  uint64_t rowBytes = (K * 4 + 7) / 8;
  std::vector<uint8_t> dram(512 + OH * OW * O * 4, 0);
  std::memcpy(dram.data(), x.data(), x.size());
  for (int plane = 0; plane < 2; ++plane)
    for (int o = 0; o < O; ++o)
      for (int k = 0; k < K; ++k) {
        int v = w[o * K + k];
        int digit = plane == 0 ? (v & 15) : (v >> 4);
        dram[64 + plane * 128 + o * rowBytes + k / 2] |=
            uint8_t((digit & 15) << (4 * (k % 2)));
      }
  uint64_t outAddr = 512;
  Builder b(t, dram.size());
  b.p.constants.assign(dram.begin(), dram.begin() + 512);
  b.output("acc", outAddr, uint64_t(OH) * OW * O, "i32");
  b.add(load(0, 0, 64, 1, 1, O * rowBytes));
  b.add(load(0, 128, 192, 1, 1, O * rowBytes));
  b.cfg(Engine::Load, reg::LD_ROW_STRIDE, W * C);
  b.cfg(Engine::Load, reg::LD_PIX_STRIDE, C);
  b.cfg(Engine::Load, reg::LD_PAD_VALUE, zp);
  Instruction ld = load(1, 0, 0, H, W, C);
  ld.set(Field::Load_pad_top, 1).set(Field::Load_pad_bottom, 1);
  ld.set(Field::Load_pad_left, 1).set(Field::Load_pad_right, 1);
  ld.set(Field::Header_push_next, 1);
  b.add(ld);
  b.cfg(Engine::Execute, reg::MM_IN_W, WP, /*popPrev=*/true);
  b.cfg(Engine::Execute, reg::MM_IN_C, C);
  b.cfg(Engine::Execute, reg::MM_IN_CG, Cg);
  b.cfg(Engine::Execute, reg::MM_KH, KH);
  b.cfg(Engine::Execute, reg::MM_KW, KW);
  b.cfg(Engine::Execute, reg::MM_STRIDE_H, stride);
  b.cfg(Engine::Execute, reg::MM_STRIDE_W, stride);
  b.cfg(Engine::Execute, reg::MM_IN_ZP, zp);
  b.cfg(Engine::Execute, reg::MM_IN_SIGNED, 1);
  // v = q - zp is in [-125, 130]: 3 digits (top signed) cover it.
  int pass = 0;
  for (int a = 0; a < 3; ++a)
    for (int j = 0; j < 2; ++j, ++pass) {
      Instruction mm = make(Opcode::MatMul);
      mm.set(Field::MatMul_wgt_addr, j * 128);
      mm.set(Field::MatMul_out_h, OH).set(Field::MatMul_out_w, OW);
      mm.set(Field::MatMul_out_c, O).set(Field::MatMul_a_digit, a);
      mm.set(Field::MatMul_a_signed, a == 2).set(Field::MatMul_w_digit, j);
      mm.set(Field::MatMul_w_signed, j == 1);
      mm.set(Field::MatMul_shift, 4 * (a + j));
      mm.set(Field::MatMul_accumulate, pass > 0);
      mm.set(Field::MatMul_depthwise, depthwise);
      if (pass == 5)
        mm.set(Field::Header_push_next, 1);
      b.add(mm);
    }
  b.cfg(Engine::Store, reg::ST_ROW_STRIDE, OW * O * 4, /*popPrev=*/true);
  b.cfg(Engine::Store, reg::ST_PIX_STRIDE, O * 4);
  b.add(store(2, 0, outAddr, OH, OW, O * 4));
  b.add(finish());

  sim::Stats stats;
  auto out = runProgram(b.p, t, &stats);
  ASSERT_EQ(out.size(), 1u);
  for (int oy = 0; oy < OH; ++oy)
    for (int ox = 0; ox < OW; ++ox)
      for (int o = 0; o < O; ++o) {
        int64_t s = 0;
        for (int ky = 0; ky < KH; ++ky)
          for (int kx = 0; kx < KW; ++kx)
            for (int c = 0; c < Cg; ++c) {
              int iy = oy * stride + ky - 1, ix = ox * stride + kx - 1;
              int ch = depthwise ? o : c;
              int q = (iy < 0 || iy >= H || ix < 0 || ix >= W)
                          ? zp
                          : x[(iy * W + ix) * C + ch];
              s += int64_t(q - zp) * w[o * K + (ky * KW + kx) * Cg + c];
            }
        EXPECT_EQ(i32At(out[0], (oy * OW + ox) * O + o), s)
            << "at " << oy << "," << ox << "," << o;
      }
  // Events and the MATMUL latency formula.
  uint64_t passMacs = uint64_t(OH) * OW * O * K;
  EXPECT_EQ(stats.total.events.digitMacs, 6 * passMacs);
  EXPECT_EQ(stats.total.events.accumulatorUpdates, 6u * OH * OW * O);
  uint64_t mmCycles = uint64_t(OH) * OW * ((O + 15) / 16) * ((K + 15) / 16) +
                      16 + 16;
  EXPECT_EQ(stats.total.busyCycles[1], 6 * mmCycles + 9);
}

TEST(SimMatMul, DenseDigitsSignednessPadding) { checkConvTile(false, 1); }
TEST(SimMatMul, DepthwiseStrideDigits) { checkConvTile(true, 2); }

//===----------------------------------------------------------------------===//
// VEC
//===----------------------------------------------------------------------===//

namespace {
/// Loads `a` (int32 if aAcc) and `b` bytes, runs one VEC and stores the
/// result bytes (or int32) to DRAM.
struct VecCase {
  TargetDescription t = defaultTarget();
  std::vector<int32_t> acc;         ///< Accumulator operand (if used).
  std::vector<int8_t> a, b;         ///< Byte operands.
  std::vector<uint8_t> weights;     ///< Records / table.
  std::vector<std::pair<uint8_t, int64_t>> regs;
  bool dAcc = false;

  std::vector<uint8_t> run(VecOp op, uint64_t h, uint64_t w, uint64_t c,
                           bool aAcc, uint64_t outElems) {
    std::vector<uint8_t> dram(4096, 0);
    // std::copy, not memcpy: an empty operand's data() may be null, and
    // memcpy(dst, nullptr, 0) is undefined behaviour (UBSan reports it).
    for (size_t i = 0; i < acc.size(); ++i)
      std::memcpy(dram.data() + 4 * i, &acc[i], 4);
    std::copy(a.begin(), a.end(), dram.begin() + 1024);
    std::copy(b.begin(), b.end(), dram.begin() + 1536);
    std::copy(weights.begin(), weights.end(), dram.begin() + 2048);
    Builder bld(t, dram.size());
    bld.p.constants = dram;
    bld.output("y", 3072, outElems, dAcc ? "i32" : "i8");
    if (!acc.empty())
      bld.add(load(2, 0, 0, 1, 1, acc.size() * 4));
    if (!a.empty())
      bld.add(load(1, 0, 1024, 1, 1, a.size()));
    if (!b.empty())
      bld.add(load(1, 512, 1536, 1, 1, b.size()));
    Instruction last = load(0, 0, 2048, 1, 1, std::max<size_t>(1, weights.size()));
    last.set(Field::Header_push_next, 1);
    bld.add(last);
    bld.cfg(Engine::Execute, reg::VEC_OUT_SIGNED, 1, /*popPrev=*/true);
    bld.cfg(Engine::Execute, reg::VEC_A_SIGNED, 1);
    bld.cfg(Engine::Execute, reg::VEC_B_SIGNED, 1);
    for (auto [r, v] : regs)
      bld.cfg(Engine::Execute, r, v);
    Instruction v = vec(op, 0, op == VecOp::Requantize || op == VecOp::Lut
                                   ? 0
                                   : 512,
                        2048, h, w, c);
    v.set(Field::Vec_a_acc, aAcc).set(Field::Vec_b_acc, 0);
    v.set(Field::Vec_d_acc, dAcc).set(Field::Header_push_next, 1);
    if (dAcc)
      v.set(Field::Vec_dst_addr, 1024);
    bld.add(v);
    Instruction st = store(dAcc ? 2 : 1, dAcc ? 1024 : 2048, 3072, 1, 1,
                           outElems * (dAcc ? 4 : 1));
    st.set(Field::Header_pop_prev, 1);
    bld.add(st);
    bld.add(finish());
    auto out = runProgram(bld.p, t);
    return out.empty() ? std::vector<uint8_t>() : out[0];
  }
};
} // namespace

TEST(SimVec, RequantizePerChannel) {
  VecCase vc;
  std::mt19937 rng(3);
  const int C = 4, N = 6;
  for (int i = 0; i < N * C; ++i)
    vc.acc.push_back(int32_t(rng() % 2000001) - 1000000);
  int32_t bias[C] = {5, -700, 0, 12345}, mul[C], shift[C] = {16, 17, 18, 20};
  for (int c = 0; c < C; ++c)
    mul[c] = int32_t((1u << 30) + rng() % (1u << 30));
  for (int c = 0; c < C; ++c)
    for (int32_t v : {bias[c], mul[c], shift[c]})
      for (int k = 0; k < 4; ++k)
        vc.weights.push_back(uint8_t(uint32_t(v) >> (8 * k)));
  vc.regs = {{reg::VEC_ZP_OUT, 7},
             {reg::VEC_CLAMP_LO, -100},
             {reg::VEC_CLAMP_HI, 90}};
  auto y = vc.run(VecOp::Requantize, 2, 3, C, /*aAcc=*/true, N * C);
  ASSERT_EQ(y.size(), size_t(N * C));
  for (int i = 0; i < N * C; ++i) {
    int c = i % C;
    int64_t want = clampTo(refScale(int64_t(vc.acc[i]) + bias[c], mul[c],
                                    shift[c]) + 7, -100, 90);
    EXPECT_EQ(int8_t(y[i]), want) << i;
  }
}

TEST(SimVec, AddMaxMinRescale) {
  std::mt19937 rng(4);
  const int N = 32;
  std::vector<int8_t> a(N), b(N);
  for (int i = 0; i < N; ++i) {
    a[i] = int8_t(int(rng() % 256) - 128);
    b[i] = int8_t(int(rng() % 256) - 128);
  }
  int64_t ma = 1518500250, sa = 10, mb = 1073741824, sb = 11,
          mo = 1431655765, so = 21;
  for (VecOp op : {VecOp::Add, VecOp::Max, VecOp::Min, VecOp::Rescale}) {
    VecCase vc;
    vc.a = a;
    vc.b = b;
    vc.regs = {{reg::VEC_ZP_A, 3},    {reg::VEC_ZP_B, -5},
               {reg::VEC_ZP_OUT, -2}, {reg::VEC_MUL_A, ma},
               {reg::VEC_SHIFT_A, sa}, {reg::VEC_MUL_B, mb},
               {reg::VEC_SHIFT_B, sb}, {reg::VEC_MUL_OUT, mo},
               {reg::VEC_SHIFT_OUT, so}, {reg::VEC_CLAMP_LO, -128},
               {reg::VEC_CLAMP_HI, 127}};
    if (op == VecOp::Rescale)
      vc.regs[4].second = 31; // VEC_SHIFT_A: a real rescale ratio.
    auto y = vc.run(op, 1, 4, 8, false, N);
    ASSERT_EQ(y.size(), size_t(N));
    for (int i = 0; i < N; ++i) {
      int64_t want;
      if (op == VecOp::Rescale) {
        want = clampTo(refScale(a[i] - 3, ma, 31) - 2, -128, 127);
      } else {
        int64_t va = refScale(a[i] - 3, ma, sa), vb = refScale(b[i] + 5, mb, sb);
        int64_t v = op == VecOp::Add   ? va + vb
                    : op == VecOp::Max ? std::max(va, vb)
                                       : std::min(va, vb);
        want = clampTo(refScale(v, mo, so) - 2, -128, 127);
      }
      EXPECT_EQ(int8_t(y[i]), want) << "op " << int(op) << " at " << i;
    }
  }
}

TEST(SimVec, Pools) {
  // 4x5 input tile of 3 channels, 2x2 windows, stride 2 x 1 -> 2x4 outputs.
  const int IH = 4, IW = 5, C = 3, KH = 2, KW = 2, SH = 2, SW = 1;
  const int OH = 2, OW = 4;
  std::mt19937 rng(5);
  std::vector<int8_t> a(IH * IW * C);
  for (int8_t &v : a)
    v = int8_t(int(rng() % 256) - 128);
  for (VecOp op : {VecOp::MaxPool, VecOp::AvgPool}) {
    VecCase vc;
    vc.a = a;
    vc.regs = {{reg::VEC_IN_W, IW},       {reg::VEC_POOL_KH, KH},
               {reg::VEC_POOL_KW, KW},    {reg::VEC_POOL_SH, SH},
               {reg::VEC_POOL_SW, SW},    {reg::VEC_ZP_A, -4},
               {reg::VEC_ZP_OUT, 1},      {reg::VEC_MUL_A, 1073741824},
               {reg::VEC_SHIFT_A, 32},    {reg::VEC_CLAMP_LO, -128},
               {reg::VEC_CLAMP_HI, 127}};
    auto y = vc.run(op, OH, OW, C, false, OH * OW * C);
    ASSERT_EQ(y.size(), size_t(OH * OW * C));
    for (int oy = 0; oy < OH; ++oy)
      for (int ox = 0; ox < OW; ++ox)
        for (int c = 0; c < C; ++c) {
          int64_t mx = -1000, sum = 0;
          for (int ky = 0; ky < KH; ++ky)
            for (int kx = 0; kx < KW; ++kx) {
              int v = a[((oy * SH + ky) * IW + ox * SW + kx) * C + c];
              mx = std::max<int64_t>(mx, v);
              sum += v + 4;
            }
          // Multiplier 2^30 / 2^32 = 1/4: the average of 4.
          int64_t want = op == VecOp::MaxPool
                             ? mx
                             : clampTo(refScale(sum, 1073741824, 32) + 1,
                                       -128, 127);
          EXPECT_EQ(int8_t(y[(oy * OW + ox) * C + c]), want);
        }
  }
}

TEST(SimVec, LutAndClampToAccumulator) {
  VecCase vc;
  for (int i = 0; i < 256; ++i)
    vc.a.push_back(int8_t(i - 128));
  for (int i = 0; i < 256; ++i)
    vc.weights.push_back(uint8_t((i * 37 + 11) & 255));
  auto y = vc.run(VecOp::Lut, 16, 16, 1, false, 256);
  ASSERT_EQ(y.size(), 256u);
  for (int i = 0; i < 256; ++i) // q - qmin(int8) = i
    EXPECT_EQ(y[i], uint8_t((i * 37 + 11) & 255));

  VecCase clamp;
  clamp.a = {-100, -5, 0, 5, 100, 127, -128, 3};
  clamp.dAcc = true;
  clamp.regs = {{reg::VEC_CLAMP_LO, -6}, {reg::VEC_CLAMP_HI, 50}};
  auto z = clamp.run(VecOp::Clamp, 1, 1, 8, false, 8);
  ASSERT_EQ(z.size(), 32u);
  for (int i = 0; i < 8; ++i)
    EXPECT_EQ(i32At(z, i), clampTo(clamp.a[i], -6, 50));
}

//===----------------------------------------------------------------------===//
// Timing, tokens and validation
//===----------------------------------------------------------------------===//

TEST(SimTiming, LoadLatencyAndOverlap) {
  TargetDescription t = defaultTarget();
  Builder b(t, 1024);
  b.p.constants.assign(1024, 1);
  b.add(load(1, 0, 0, 1, 1, 64));   // 100 + 64/8 = 108 cycles
  b.add(load(1, 64, 64, 1, 1, 640)); // 100 + 80 = 180 cycles
  b.add(finish());
  sim::Stats stats;
  runProgram(b.p, t, &stats);
  EXPECT_EQ(stats.total.busyCycles[0], 108u + 180u);
  // The store engine's FINISH overlaps the loads (no token between them).
  EXPECT_EQ(stats.total.cycles, 288u);
  EXPECT_EQ(stats.total.events.dramReadBytes, 704u);
  EXPECT_EQ(stats.total.events.sramWriteBytes[1], 704u);
}

/// A tensor kept on chip (ISA.def `on_chip`): LOAD from DRAM, STORE it
/// strided into the activation buffer, LOAD it back with a border, STORE
/// to DRAM. Values, and the bytes each buffer sees, are exact.
TEST(SimOnChip, CopiesThroughTheActivationBuffer) {
  TargetDescription t = defaultTarget();
  Builder b(t, 1024);
  b.p.constants.resize(64);
  for (int i = 0; i < 64; ++i)
    b.p.constants[i] = uint8_t(3 * i + 1);
  b.cfg(Engine::Load, reg::LD_PIX_STRIDE, 16);
  Instruction ld = load(1, 0, 0, 1, 4, 16);
  ld.set(Field::Header_push_next, 1);
  b.add(ld);
  b.add(sync(Engine::Execute, {Field::Header_pop_prev, Field::Header_push_next}));
  b.cfg(Engine::Store, reg::ST_ROW_STRIDE, 32, /*popPrev=*/true);
  b.cfg(Engine::Store, reg::ST_PIX_STRIDE, 16);
  Instruction park = store(1, 0, 1024, 4, 1, 16); // every other 16 bytes
  park.set(Field::Store_on_chip, 1).set(Field::Header_push_prev, 1);
  b.add(park);
  b.add(sync(Engine::Execute, {Field::Header_pop_next, Field::Header_push_prev}));
  b.add(sync(Engine::Load, {Field::Header_pop_next}));
  b.cfg(Engine::Load, reg::LD_ROW_STRIDE, 32);
  b.cfg(Engine::Load, reg::LD_PAD_VALUE, 7);
  Instruction fetch = load(1, 4096, 1024, 4, 1, 16);
  fetch.set(Field::Load_on_chip, 1).set(Field::Load_pad_top, 1);
  fetch.set(Field::Header_push_next, 1);
  b.add(fetch);
  b.add(sync(Engine::Execute, {Field::Header_pop_prev, Field::Header_push_next}));
  b.cfg(Engine::Store, reg::ST_ROW_STRIDE, 0, /*popPrev=*/true);
  b.cfg(Engine::Store, reg::ST_PIX_STRIDE, 1);
  b.add(store(1, 4096, 512, 1, 80, 1));
  b.add(finish());
  b.output("y", 512, 80, "u8");
  sim::Stats stats;
  auto out = runProgram(b.p, t, &stats);
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(out[0].size(), 80u);
  for (int i = 0; i < 16; ++i)
    EXPECT_EQ(out[0][i], 7) << i;
  for (int i = 0; i < 64; ++i)
    EXPECT_EQ(out[0][16 + i], b.p.constants[i]) << i;
  const sim::Events &ev = stats.total.events;
  EXPECT_EQ(ev.dramReadBytes, 64u);
  EXPECT_EQ(ev.dramWriteBytes, 80u);
  // Activation buffer: the on-chip STORE reads 64 and writes 64, the
  // on-chip LOAD reads 64 and writes its 80-byte tile, the last STORE
  // reads 80 (plus the first LOAD's 64 written).
  EXPECT_EQ(ev.sramReadBytes[1], 64u + 64u + 80u);
  EXPECT_EQ(ev.sramWriteBytes[1], 64u + 64u + 80u);
}

/// A requantization record the compiler would never write (zeroed weight
/// buffer: shift 0) fails the run, naming the instruction and channel.
TEST(SimVec, InvalidRecordIsARunTimeError) {
  TargetDescription t = defaultTarget();
  Builder b(t, 64);
  Instruction rq = vec(VecOp::Requantize, 0, 0, 0, 1, 1, 2);
  rq.set(Field::Vec_a_acc, 1);
  b.add(rq);
  b.add(finish());
  auto s = sim::Simulator::create(b.p, t, "test");
  ASSERT_TRUE(bool(s)) << llvm::toString(s.takeError());
  auto out = (*s)->runStorage({});
  ASSERT_FALSE(bool(out));
  std::string e = llvm::toString(out.takeError());
  EXPECT_NE(e.find("instruction 0: vec requantize: the record of channel 0 "
                   "in the weight buffer at 0 has multiplier 0 and shift 0"),
            std::string::npos)
      << e;
}

TEST(SimOnChip, RefusesOverlapAndOutOfRange) {
  TargetDescription t = defaultTarget();
  {
    Builder b(t, 64);
    Instruction ld = load(1, 32, 0, 1, 1, 64);
    ld.set(Field::Load_on_chip, 1);
    b.add(ld);
    b.add(finish());
    std::string e = createError(b.p, t);
    EXPECT_NE(e.find("onto its own destination tile"), std::string::npos) << e;
  }
  {
    Builder b(t, 64);
    Instruction ld = load(1, 0, t.sram.activationBuffer.bytes - 8, 1, 1, 64);
    ld.set(Field::Load_on_chip, 1);
    b.add(ld);
    b.add(finish());
    std::string e = createError(b.p, t);
    EXPECT_NE(e.find("outside the activation_buffer's 262144 bytes"),
              std::string::npos)
        << e;
  }
  {
    Builder b(t, 64);
    Instruction st = store(1, 0, 32, 1, 1, 64);
    st.set(Field::Store_on_chip, 1);
    b.add(st);
    b.add(finish());
    std::string e = createError(b.p, t);
    EXPECT_NE(e.find("over its own source"), std::string::npos) << e;
  }
}

TEST(SimTiming, TokensOrderEngines) {
  TargetDescription t = defaultTarget();
  Builder b(t, 1024);
  b.p.constants.assign(1024, 1);
  Instruction ld = load(1, 0, 0, 1, 1, 64);
  ld.set(Field::Header_push_next, 1);
  b.add(ld);
  Instruction sy = make(Opcode::Sync);
  sy.set(Field::Sync_engine, 1).set(Field::Header_pop_prev, 1);
  sy.set(Field::Header_push_next, 1);
  b.add(sy);
  Instruction st = store(1, 0, 512, 1, 1, 64);
  st.set(Field::Header_pop_prev, 1);
  b.add(st);
  b.add(finish());
  sim::Stats stats;
  auto out = runProgram(b.p, t, &stats);
  // load [0,108), sync [108,109), store [109, 217), finish [217, 218).
  EXPECT_EQ(stats.total.cycles, 218u);
}

TEST(SimErrors, Deadlock) {
  TargetDescription t = defaultTarget();
  Builder b(t, 64);
  Instruction sy = make(Opcode::Sync);
  sy.set(Field::Sync_engine, 1).set(Field::Header_pop_prev, 1);
  b.add(sy);
  b.add(finish());
  std::string e = createError(b.p, t);
  EXPECT_NE(e.find("deadlock at cycle"), std::string::npos) << e;
  EXPECT_NE(e.find("execute engine: instruction 0 (sync) waits for a token on "
                   "load->execute"),
            std::string::npos)
      << e;
}

TEST(SimErrors, TokenOverflow) {
  TargetDescription t = defaultTarget();
  Builder b(t, 64);
  for (unsigned i = 0; i <= t.queues.token; ++i) {
    Instruction sy = make(Opcode::Sync);
    sy.set(Field::Sync_engine, 0).set(Field::Header_push_next, 1);
    b.add(sy);
  }
  b.add(finish());
  std::string e = createError(b.p, t);
  EXPECT_NE(e.find("token queue load->execute overflows"), std::string::npos)
      << e;
  // Popping in time keeps the queue within its depth.
  Builder ok(t, 64);
  for (unsigned i = 0; i <= t.queues.token; ++i) {
    Instruction sy = make(Opcode::Sync);
    sy.set(Field::Sync_engine, 0).set(Field::Header_push_next, 1);
    ok.add(sy);
    Instruction pop = make(Opcode::Sync);
    pop.set(Field::Sync_engine, 1).set(Field::Header_pop_prev, 1);
    ok.add(pop);
  }
  ok.add(finish());
  EXPECT_EQ(createError(ok.p, t), "");
}

TEST(SimErrors, OutOfBoundsNamesInstructionLayerAndField) {
  TargetDescription t = defaultTarget();
  Builder b(t, 256);
  b.p.constants.assign(256, 0);
  b.cfg(Engine::Execute, reg::MM_IN_W, 4);
  b.cfg(Engine::Execute, reg::MM_IN_C, 8);
  b.cfg(Engine::Execute, reg::MM_IN_CG, 8);
  b.cfg(Engine::Execute, reg::MM_KH, 1);
  b.cfg(Engine::Execute, reg::MM_KW, 1);
  Instruction mm = make(Opcode::MatMul);
  mm.set(Field::MatMul_out_h, 100).set(Field::MatMul_out_w, 4);
  mm.set(Field::MatMul_out_c, 64);
  b.add(mm); // 100*4*64*4 = 102400 accumulator bytes > 64 KiB
  b.add(finish());
  LayerInfo layer;
  layer.name = "conv7";
  layer.firstInstruction = 0;
  layer.numInstructions = 7;
  b.p.layers.push_back(layer);
  std::string e = createError(b.p, t);
  EXPECT_NE(e.find("instruction 5 (matmul, layer 'conv7')"), std::string::npos)
      << e;
  EXPECT_NE(e.find("(field acc_addr)"), std::string::npos) << e;

  // Reading past the tile width is rejected too.
  Builder w(t, 256);
  w.cfg(Engine::Execute, reg::MM_IN_W, 2);
  w.cfg(Engine::Execute, reg::MM_IN_C, 1);
  w.cfg(Engine::Execute, reg::MM_IN_CG, 1);
  w.cfg(Engine::Execute, reg::MM_KH, 1);
  w.cfg(Engine::Execute, reg::MM_KW, 1);
  Instruction mm2 = make(Opcode::MatMul);
  mm2.set(Field::MatMul_out_h, 1).set(Field::MatMul_out_w, 3);
  mm2.set(Field::MatMul_out_c, 1);
  w.add(mm2);
  w.add(finish());
  e = createError(w.p, t);
  EXPECT_NE(e.find("MM_IN_W = 2"), std::string::npos) << e;
}

TEST(SimErrors, WrongTargetAndMissingFinish) {
  TargetDescription t = defaultTarget();
  Builder b(t, 64);
  b.add(make(Opcode::Finish));
  b.p.targetHash ^= 1;
  EXPECT_NE(createError(b.p, t).find("compiled for target"), std::string::npos);
  Builder c(t, 64);
  Instruction sy = make(Opcode::Sync);
  c.add(sy);
  EXPECT_NE(createError(c.p, t).find("does not end with FINISH"),
            std::string::npos);
}

/// Random instruction words and random well-formed instructions with random
/// fields: every program is either accepted and runs, or rejected with a
/// message; nothing crashes or reads out of bounds.
TEST(SimErrors, RandomProgramsNeverCrash) {
  TargetDescription t = defaultTarget();
  std::mt19937_64 rng(7);
  const Opcode ops[] = {Opcode::Load, Opcode::Store, Opcode::MatMul,
                        Opcode::Vec, Opcode::Config, Opcode::Sync};
  unsigned accepted = 0;
  for (int trial = 0; trial < 300; ++trial) {
    Builder b(t, 4096);
    b.p.constants.assign(1024, uint8_t(trial));
    int n = 1 + int(rng() % 12);
    for (int k = 0; k < n; ++k) {
      if (rng() % 8 == 0) {
        b.p.instructions.push_back({rng(), rng()});
        continue;
      }
      Instruction inst = make(ops[rng() % 6]);
      for (const FieldInfo *f : fieldsOf(inst.opcode)) {
        uint64_t range = f->width >= 63 ? 64 : (uint64_t(1) << f->width);
        uint64_t v = rng() % (rng() % 2 ? 16 : range);
        inst.set(f->id, int64_t(v));
      }
      auto word = encode(inst);
      if (word)
        b.p.instructions.push_back(*word);
    }
    b.add(finish());
    auto s = sim::Simulator::create(b.p, t, "fuzz");
    if (!s) {
      EXPECT_FALSE(llvm::toString(s.takeError()).empty());
      continue;
    }
    ++accepted;
    auto out = (*s)->runStorage({});
    if (!out)
      llvm::consumeError(out.takeError());
  }
  EXPECT_GT(accepted, 0u);
}

/// A sub-byte I/O dtype saturates on the host to its own range, as the
/// interpreter's mote.quantize does, not to the byte it is stored in; NaN
/// is refused rather than quantized to the zero point.
TEST(SimIO, NarrowDtypeSaturatesAndNaNIsRefused) {
  isa::IODesc desc;
  desc.name = "x";
  desc.shape = {4};
  desc.dtype = "i4";
  desc.bytes = 4;
  desc.scale = 0.5;
  desc.zeroPoint = -1;
  HostTensor x;
  x.name = "x";
  x.shape = {4};
  x.dtype = DType::F32;
  std::vector<float> values = {100.f, -100.f, 1.f, -0.25f};
  x.data.resize(16);
  std::memcpy(x.data.data(), values.data(), 16);
  auto bytes = sim::packInput(desc, x, /*raw=*/false);
  ASSERT_TRUE(bool(bytes)) << llvm::toString(bytes.takeError());
  EXPECT_EQ(int8_t((*bytes)[0]), 7);  // not 127
  EXPECT_EQ(int8_t((*bytes)[1]), -8); // not -128
  EXPECT_EQ(int8_t((*bytes)[2]), 1);  // rne(1 / 0.5) - 1
  EXPECT_EQ(int8_t((*bytes)[3]), -1); // rne(-0.5) = 0 (to even), - 1
  values[2] = std::nanf("");
  std::memcpy(x.data.data(), values.data(), 16);
  auto nan = sim::packInput(desc, x, /*raw=*/false);
  ASSERT_FALSE(bool(nan));
  EXPECT_EQ(llvm::toString(nan.takeError()),
            "input 'x': element 2 is NaN, which the quantized input cannot "
            "hold");
  EXPECT_FALSE(isa::ioStorage("i9"));
  EXPECT_FALSE(isa::ioStorage("u0"));
  EXPECT_FALSE(isa::ioStorage("i1"));
  EXPECT_EQ(isa::ioStorage("u3")->qmax, 7);
  EXPECT_EQ(isa::ioDtypeName(4, true), "i4");
  EXPECT_EQ(isa::ioDtypeName(16, true), "");
}
