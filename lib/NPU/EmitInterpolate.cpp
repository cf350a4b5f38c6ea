//===- EmitInterpolate.cpp - Linear resize on the vector unit ---------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// A linear resize (Layers.h, Interpolate) runs on the vector unit with the
// single rounding of Numerics.h's quantized linear resize. The output
// columns are grouped into runs: output columns o0 + k·dO whose two input
// columns walk on by fixed steps and whose weights are the same (a 2x
// upsample has four: the two parities and the two clamped borders). For
// every output row and run, LOADs gather the input pixels each tap reads
// (the pixel stride is the run's input step; 0 repeats a column), and:
//   - H and W weighted: two VEC Adds sum each input row's pair with the
//     column weights exactly into int32 (accumulator buffer), a third sums
//     the two rows with the row weights and rounds once by 2^(2F);
//   - one dimension weighted: one VEC Add of the pair, rounded by 2^F.
// A VEC Add multiplies an operand by M·2^−S with rounding: M = 2W, S = 1
// is the exact product W·x, so every step but the last is exact.
//
//===----------------------------------------------------------------------===//

#include "Emitter.h"

#include "mote/Numerics/Numerics.h"

using namespace mlir;
using namespace mote;
using namespace mote::npu;
using namespace mote::npu::emit_detail;

namespace {
/// Output columns o0 + k·dO (k < n) reading input columns i0 + k·di0 and
/// i1 + k·di1 with weights w0, w1.
struct ColumnRun {
  int64_t o0, dO, n, i0, di0, i1, di1, w0, w1;
};

std::vector<ColumnRun> columnRuns(const std::vector<Layer::InterpTap> &taps) {
  std::vector<ColumnRun> runs;
  std::vector<bool> used(taps.size(), false);
  int64_t n = taps.size();
  for (int64_t o = 0; o < n; ++o) {
    if (used[o])
      continue;
    const Layer::InterpTap &t = taps[o];
    ColumnRun r{o, 1, 1, t.i0, 0, t.i1, 0, t.w0, t.w1};
    used[o] = true;
    // The next unused column with the same weights sets the steps.
    int64_t next = o + 1;
    while (next < n && (used[next] || taps[next].w0 != t.w0 ||
                        taps[next].w1 != t.w1))
      ++next;
    if (next < n) {
      r.dO = next - o;
      r.di0 = taps[next].i0 - t.i0;
      r.di1 = taps[next].i1 - t.i1;
      while (true) {
        int64_t k = r.n, at = o + k * r.dO;
        if (at >= n || used[at] || taps[at].w0 != t.w0 ||
            taps[at].w1 != t.w1 || taps[at].i0 != t.i0 + k * r.di0 ||
            taps[at].i1 != t.i1 + k * r.di1)
          break;
        used[at] = true;
        ++r.n;
      }
    }
    runs.push_back(r);
  }
  return runs;
}
} // namespace

void Emitter::buildInterpolateSteps(const Layer &l, const int64_t inSlot[2],
                                    const int64_t outSlot[2]) {
  using namespace isa::reg;
  Addr X = at(l.in.value), Y = at(l.out.value);
  int64_t W = l.in.w, C = l.in.c, OW = l.out.w;
  int64_t tileBytes = alignTo(l.tw * l.tc, t.sram.activationBuffer.alignmentBytes);
  int64_t accTile =
      alignTo(l.tw * l.tc * 4, t.sram.accumulatorBuffer.alignmentBytes);
  const int F = numerics::kResizeWeightBits;
  std::vector<ColumnRun> runs = columnRuns(l.tapsX);
  int64_t tile = 0;
  bool first = true;
  // An exact product W·x in a VEC Add operand: M = 2W, S = 1.
  auto weight = [&](std::vector<Instruction> &o, uint8_t mul, uint8_t shift,
                    int64_t w) { ex(o, mul, 2 * w), ex(o, shift, 1); };
  for (int64_t oy = 0; oy < l.out.h; ++oy) {
    const Layer::InterpTap &ty = l.tapsY[oy];
    SmallVector<int64_t, 2> rows = {ty.i0};
    if (l.weightedY)
      rows.push_back(ty.i1);
    for (const ColumnRun &run : runs) {
      SmallVector<std::pair<int64_t, int64_t>, 2> cols = {{run.i0, run.di0}};
      if (l.weightedX)
        cols.push_back({run.i1, run.di1});
      for (int64_t k0 = 0; k0 < run.n; k0 += l.tw) {
        int64_t n = std::min(l.tw, run.n - k0);
        for (int64_t c0 = 0; c0 < C; c0 += l.tc) {
          int64_t tc = std::min(l.tc, C - c0);
          Step s;
          int64_t slot = tile % 2;
          // Tile (r, c) of the slot: input row r, tap column c.
          auto in = [&](size_t r, size_t c) {
            return inSlot[slot] + int64_t(r * cols.size() + c) * tileBytes;
          };
          for (size_t r = 0; r < rows.size(); ++r)
            for (size_t c = 0; c < cols.size(); ++c) {
              int64_t x0 = cols[c].first + k0 * cols[c].second;
              load(s.loads, 1, in(r, c), X + ((rows[r] * W + x0) * C + c0), 1,
                   n, tc, 0, cols[c].second * C, 0);
            }
          if (first) {
            ex(s.exec, VEC_A_SIGNED, l.in.isSigned);
            ex(s.exec, VEC_B_SIGNED, l.in.isSigned);
            ex(s.exec, VEC_OUT_SIGNED, l.out.isSigned);
            first = false;
          }
          int64_t dst = outSlot[slot];
          auto finish = [&](int64_t weighted) {
            ex(s.exec, VEC_MUL_OUT, 1), ex(s.exec, VEC_SHIFT_OUT, F * weighted);
            ex(s.exec, VEC_ZP_OUT, l.out.zp);
            ex(s.exec, VEC_CLAMP_LO, l.lo), ex(s.exec, VEC_CLAMP_HI, l.hi);
          };
          if (l.weightedX && l.weightedY) {
            // Each row's weighted pair, exact, into the accumulator.
            for (size_t r = 0; r < 2; ++r) {
              ex(s.exec, VEC_ZP_A, l.in.zp), ex(s.exec, VEC_ZP_B, l.in.zp);
              weight(s.exec, VEC_MUL_A, VEC_SHIFT_A, run.w0);
              weight(s.exec, VEC_MUL_B, VEC_SHIFT_B, run.w1);
              ex(s.exec, VEC_MUL_OUT, 2), ex(s.exec, VEC_SHIFT_OUT, 1);
              ex(s.exec, VEC_ZP_OUT, 0);
              ex(s.exec, VEC_CLAMP_LO, INT32_MIN);
              ex(s.exec, VEC_CLAMP_HI, INT32_MAX);
              Instruction v = vec(isa::VecOp::Add, in(r, 0), in(r, 1), 1, n,
                                  tc, int64_t(r) * accTile);
              v.set(isa::Field::Vec_d_acc, 1);
              s.exec.push_back(v);
            }
            ex(s.exec, VEC_ZP_A, 0), ex(s.exec, VEC_ZP_B, 0);
            weight(s.exec, VEC_MUL_A, VEC_SHIFT_A, ty.w0);
            weight(s.exec, VEC_MUL_B, VEC_SHIFT_B, ty.w1);
            finish(2);
            Instruction v = vec(isa::VecOp::Add, 0, accTile, 1, n, tc, dst,
                                /*aAcc=*/true);
            v.set(isa::Field::Vec_b_acc, 1);
            s.exec.push_back(v);
          } else {
            // One weighted dimension: its pair, rounded once.
            int64_t w0 = l.weightedX ? run.w0 : ty.w0;
            int64_t w1 = l.weightedX ? run.w1 : ty.w1;
            int64_t b = l.weightedX ? in(0, 1) : in(1, 0);
            ex(s.exec, VEC_ZP_A, l.in.zp), ex(s.exec, VEC_ZP_B, l.in.zp);
            weight(s.exec, VEC_MUL_A, VEC_SHIFT_A, w0);
            weight(s.exec, VEC_MUL_B, VEC_SHIFT_B, w1);
            finish(1);
            s.exec.push_back(vec(isa::VecOp::Add, in(0, 0), b, 1, n, tc, dst));
          }
          store(s.stores, dst, Y + ((oy * OW + run.o0 + k0 * run.dO) * C + c0),
                1, n, tc, 0, run.dO * C);
          s.endsTile = true;
          steps.push_back(std::move(s));
          ++tile;
        }
      }
    }
  }
}
