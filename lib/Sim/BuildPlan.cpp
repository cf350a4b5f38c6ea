//===- BuildPlan.cpp - The run plan of a scheduled program ----------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// buildPlan (Plan.h): groups a tile's MATMUL digit passes into full-width
// steps (FastMatMul.cpp explains why that is exact), across the DMA
// transfers between them that provably commute with them; works out what
// each activation byte stands for in a step; tabulates the byte VEC
// operations; and records the byte ranges a run can write and whether the
// weight buffer is the same in every run.
//
//===----------------------------------------------------------------------===//

#include "Plan.h"

#include "mote/ISA/Program.h"

#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <climits>
#include <optional>

using namespace mote;
using namespace mote::sim;


/// True if `b` reads the same activation window with the same geometry and
/// writes the same accumulators as `a`.
static bool sameTile(const Op &a, const Op &b) {
  return a.actAddr == b.actAddr && a.accAddr == b.accAddr &&
         a.outH == b.outH && a.outW == b.outW && a.outC == b.outC &&
         a.inW == b.inW && a.inC == b.inC && a.c0 == b.c0 && a.cg == b.cg &&
         a.kh == b.kh && a.kw == b.kw && a.strideH == b.strideH &&
         a.strideW == b.strideW && a.dilH == b.dilH && a.dilW == b.dilW &&
         a.K == b.K && a.inZp == b.inZp && a.inSigned == b.inSigned &&
         a.depthwise == b.depthwise;
}

static Step singleStep(const Op &op, uint32_t index) {
  Step s;
  s.first = index;
  s.count = 1;
  s.acts.push_back({op.aDigit, op.aSigned, 0});
  s.planes.push_back({op.wgtAddr, op.wSigned, 0});
  s.finalShift = std::min(op.shift, 32u);
  return s;
}

/// The full-grid step of `run` (see the file comment), if it is one.
static std::optional<Step> gridStep(llvm::ArrayRef<Op> run, uint32_t first) {
  Step s;
  s.first = first;
  s.count = uint32_t(run.size());
  llvm::SmallVector<unsigned, 8> actOf, planeOf;
  for (const Op &op : run) {
    if (op.shift >= 32)
      return std::nullopt;
    auto a = llvm::find_if(s.acts, [&](const ActDigit &x) {
      return x.aDigit == op.aDigit && x.aSigned == op.aSigned;
    });
    if (a == s.acts.end()) {
      s.acts.push_back({op.aDigit, op.aSigned, 0});
      a = s.acts.end() - 1;
    }
    auto w = llvm::find_if(s.planes, [&](const WeightPlane &x) {
      return x.wgtAddr == op.wgtAddr && x.wSigned == op.wSigned;
    });
    if (w == s.planes.end()) {
      s.planes.push_back({op.wgtAddr, op.wSigned, 0});
      w = s.planes.end() - 1;
    }
    actOf.push_back(unsigned(a - s.acts.begin()));
    planeOf.push_back(unsigned(w - s.planes.begin()));
  }
  size_t nj = s.acts.size(), ni = s.planes.size();
  if (nj * ni != run.size())
    return std::nullopt;
  std::vector<int64_t> shift(nj * ni, -1);
  for (size_t p = 0; p < run.size(); ++p) {
    int64_t &slot = shift[actOf[p] * ni + planeOf[p]];
    if (slot >= 0)
      return std::nullopt; // a pair twice (so another one is missing)
    slot = run[p].shift;
  }
  // s(j, i) = sA(j) + sW(i) + f with sA, sW >= 0 and min sA = min sW = 0.
  int64_t minA = INT64_MAX;
  for (size_t j = 0; j < nj; ++j)
    minA = std::min(minA, shift[j * ni]);
  for (size_t j = 0; j < nj; ++j)
    s.acts[j].shift = unsigned(shift[j * ni] - minA);
  int64_t f = INT64_MAX;
  for (size_t i = 0; i < ni; ++i)
    f = std::min(f, shift[i] - int64_t(s.acts[0].shift));
  if (f < 0)
    return std::nullopt;
  for (size_t i = 0; i < ni; ++i)
    s.planes[i].shift = unsigned(shift[i] - s.acts[0].shift - f);
  for (size_t j = 0; j < nj; ++j)
    for (size_t i = 0; i < ni; ++i)
      if (shift[j * ni + i] !=
          int64_t(s.acts[j].shift + s.planes[i].shift) + f)
        return std::nullopt;
  s.finalShift = unsigned(f);
  return s;
}


/// The full-width value each activation byte stands for in `s`: Σ_j of its
/// digit j (as the chip extracts it from byte − zero point) · 2^sA(j).
static void actValues(const Op &op, unsigned d, Step &s) {
  uint64_t mask = (uint64_t(1) << d) - 1;
  s.actWide.resize(256);
  s.act16.resize(256);
  s.actFits16 = s.actAffine = true;
  for (int b = 0; b < 256; ++b) {
    int64_t q = op.inSigned ? int64_t(int8_t(uint8_t(b))) : int64_t(b);
    int64_t v = q - op.inZp;
    __int128 sum = 0;
    for (const ActDigit &a : s.acts) {
      unsigned digitShift = d * a.aDigit;
      int64_t digit = digitShift >= 64 ? (v < 0 ? -1 : 0) : (v >> digitShift);
      if (!a.aSigned)
        digit = int64_t(uint64_t(digit) & mask);
      sum += __int128(digit) * (__int128(1) << a.shift);
    }
    s.actWide[b] = uint32_t(uint64_t(sum));
    s.act16[b] = int16_t(uint16_t(uint64_t(sum)));
    s.actFits16 &= fitsInt16(sum);
    s.actAffine &= sum == __int128(v);
  }
  s.actAffine &= s.actFits16 && fitsInt16(op.inZp);
  s.actWrapBits = 0;
  if (s.actAffine || !s.actFits16 || !fitsInt16(op.inZp))
    return;
  // Fewer digits than byte − zero point needs (the compiler knows the
  // values that occur fit them): the value is byte − zero point wrapped to
  // the digits' width, sign-extended if the top digit is signed.
  for (unsigned bits = 1; bits <= 16 && !s.actWrapBits; ++bits)
    for (bool sgn : {false, true}) {
      bool all = true;
      for (int b = 0; b < 256 && all; ++b) {
        int32_t q = op.inSigned ? int32_t(int8_t(uint8_t(b))) : int32_t(b);
        all = s.act16[b] == wrapToBits(q - int32_t(op.inZp), bits, sgn);
      }
      if (all) {
        s.actWrapBits = uint8_t(bits);
        s.actWrapSigned = sgn;
        break;
      }
    }
}


static void addWrites(Plan &plan, const Op &op) {
  switch (op.kind) {
  case OpKind::Load: {
    uint64_t tileW = uint64_t(op.padLeft) + op.cols + op.padRight;
    uint64_t tileH = uint64_t(op.padTop) + op.rows + op.padBottom;
    plan.sramWritten[op.buffer].add(op.sramAddr,
                                    op.sramAddr + tileH * tileW * op.elemBytes);
    return;
  }
  case OpKind::Store: {
    if (op.rows == 0 || op.cols == 0 || op.elemBytes == 0)
      return;
    // The extreme corners of the strided extent (strides may be negative).
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (int64_t r : {int64_t(0), int64_t(op.rows) - 1})
      for (int64_t c : {int64_t(0), int64_t(op.cols) - 1}) {
        int64_t at = int64_t(op.dramAddr) + r * op.rowStride + c * op.pixStride;
        lo = std::min(lo, at);
        hi = std::max(hi, at + int64_t(op.elemBytes));
      }
    (op.onChip ? plan.sramWritten[1] : plan.dramWritten)
        .add(uint64_t(std::max<int64_t>(lo, 0)), uint64_t(hi));
    return;
  }
  case OpKind::MatMul:
    plan.sramWritten[2].add(op.accAddr,
                            op.accAddr + uint64_t(op.outH) * op.outW *
                                             op.outC * 4);
    return;
  case OpKind::Vec: {
    uint64_t n = uint64_t(op.outH) * op.outW * op.channels;
    plan.sramWritten[op.dAcc ? 2 : 1].add(op.dst,
                                          op.dst + n * (op.dAcc ? 4 : 1));
    return;
  }
  case OpKind::Host:
    return; // the program's host segment outputs are added by buildPlan
  }
}

namespace {
/// What a tile's MATMUL passes read and write, per SRAM buffer.
struct Footprint {
  ByteRange activations, weights, accumulators;
};
} // namespace

static bool overlaps(const ByteRange &a, uint64_t lo, uint64_t hi) {
  return !a.empty() && lo < hi && lo < a.hi && a.lo < hi;
}

/// The weight plane a pass reads.
static ByteRange weightPlane(const Op &op, unsigned d) {
  ByteRange r;
  r.add(op.wgtAddr, op.wgtAddr + (uint64_t(op.K) * d + 7) / 8 * op.outC);
  return r;
}

static Footprint passFootprint(const Op &op, unsigned d) {
  Footprint f;
  uint64_t inRows = uint64_t(op.outH - 1) * op.strideH +
                    uint64_t(op.kh - 1) * op.dilH + 1;
  uint64_t inCols = uint64_t(op.outW - 1) * op.strideW +
                    uint64_t(op.kw - 1) * op.dilW + 1;
  f.activations.add(op.actAddr,
                    op.actAddr + ((inRows - 1) * op.inW + inCols) * op.inC);
  ByteRange w = weightPlane(op, d);
  f.weights.add(w.lo, w.hi);
  f.accumulators.add(op.accAddr,
                     op.accAddr + uint64_t(op.outH) * op.outW * op.outC * 4);
  return f;
}

/// The [lo, hi) bytes a strided transfer's DRAM (or on-chip) side spans.
static ByteRange stridedExtent(const Op &op) {
  ByteRange r;
  if (op.rows == 0 || op.cols == 0 || op.elemBytes == 0)
    return r;
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  for (int64_t y : {int64_t(0), int64_t(op.rows) - 1})
    for (int64_t x : {int64_t(0), int64_t(op.cols) - 1}) {
      int64_t at = int64_t(op.dramAddr) + y * op.rowStride + x * op.pixStride;
      lo = std::min(lo, at);
      hi = std::max(hi, at + int64_t(op.elemBytes));
    }
  r.add(uint64_t(std::max<int64_t>(lo, 0)), uint64_t(std::max<int64_t>(hi, 0)));
  return r;
}

/// The SRAM tile a LOAD writes or a STORE reads.
static ByteRange sramTile(const Op &op) {
  ByteRange r;
  uint64_t eb = op.elemBytes;
  if (op.kind == OpKind::Load)
    r.add(op.sramAddr, op.sramAddr + (uint64_t(op.padTop) + op.rows +
                                      op.padBottom) *
                                         (uint64_t(op.padLeft) + op.cols +
                                          op.padRight) *
                                         eb);
  else
    r.add(op.sramAddr, op.sramAddr + uint64_t(op.rows) * op.cols * eb);
  return r;
}

/// True if `op` is a LOAD writing `planes` of the weight buffer.
static bool writesWeights(const Op &op, const ByteRange &planes) {
  if (op.kind != OpKind::Load || op.buffer != 0)
    return false;
  ByteRange t = sramTile(op);
  return overlaps(planes, t.lo, t.hi);
}

/// True if LOAD or STORE `op` neither writes what `tile` reads nor reads
/// or writes its accumulators (VEC, HOST and MATMUL never commute here).
static bool commutesWithTile(const Op &op, const Footprint &tile) {
  auto hits = [&](unsigned buffer, const ByteRange &r) {
    const ByteRange &t = buffer == 0   ? tile.weights
                         : buffer == 1 ? tile.activations
                                       : tile.accumulators;
    return overlaps(t, r.lo, r.hi);
  };
  if (op.kind == OpKind::Load) {
    // Writes its SRAM tile; an on-chip source is read from the
    // activation buffer, which the passes do not write.
    return !hits(op.buffer, sramTile(op));
  }
  if (op.kind == OpKind::Store) {
    // Reads its SRAM tile (the accumulators only matter); an on-chip
    // destination is written in the activation buffer.
    if (op.buffer == 2 && hits(2, sramTile(op)))
      return false;
    return !op.onChip || !hits(1, stridedExtent(op));
  }
  return false;
}

Plan sim::buildPlan(llvm::ArrayRef<Op> ops, const isa::Program &program,
                    unsigned digitBits) {
  Plan plan;
  for (const Op &op : ops)
    addWrites(plan, op);
  for (const isa::HostSegment &seg : program.hostSegments)
    for (const isa::HostTensorDesc &t : seg.outputs)
      plan.dramWritten.add(t.dramAddr, t.dramAddr + t.bytes);
  uint64_t constantsEnd = program.constants.size();
  plan.weightsInvariant =
      (plan.dramWritten.empty() || plan.dramWritten.lo >= constantsEnd) &&
      llvm::all_of(ops, [&](const Op &op) {
        if (op.kind != OpKind::Load || op.buffer != 0 ||
            op.rows == 0 || op.cols == 0 || op.elemBytes == 0)
          return true;
        if (op.onChip)
          return false;
        // The extreme corners of the strided source (strides may be
        // negative) lie in the constants.
        for (int64_t r : {int64_t(0), int64_t(op.rows) - 1})
          for (int64_t c : {int64_t(0), int64_t(op.cols) - 1}) {
            int64_t at =
                int64_t(op.dramAddr) + r * op.rowStride + c * op.pixStride;
            if (at < 0 || uint64_t(at) + op.elemBytes > constantsEnd)
              return false;
          }
        return true;
      });

  auto addStep = [&](Step s) {
    plan.matMulIndex.push_back(s.isMatMul() ? plan.matMulSteps++ : 0);
    plan.steps.push_back(std::move(s));
  };
  VecTableCache vecTables;
  uint32_t n = uint32_t(ops.size());
  std::vector<bool> consumed(n, false);
  for (uint32_t i = 0; i < n; ++i) {
    if (consumed[i])
      continue; // a pass fused into an earlier step
    const Op &op = ops[i];
    if (op.kind != OpKind::MatMul) {
      Step s;
      s.first = i;
      if (op.kind == OpKind::Vec)
        planVecTable(op, s, vecTables);
      addStep(std::move(s));
      continue;
    }
    // The tile's passes: the MATMULs that follow and add into the same
    // accumulators from the same window, over LOADs and STOREs that
    // neither write what the passes read nor touch their accumulators
    // (the DMA engine's transfers for other tiles run between them). Such
    // a transfer commutes with the passes, so executing the passes first
    // gives the same bytes.
    llvm::SmallVector<uint32_t, 16> passes = {i};
    llvm::SmallVector<uint32_t, 8> skipped;
    Footprint tile = passFootprint(op, digitBits);
    for (uint32_t j = i + 1; j < n; ++j) {
      const Op &next = ops[j];
      if (next.kind == OpKind::MatMul) {
        if (!next.accumulate || !sameTile(op, next))
          break;
        ByteRange planes = weightPlane(next, digitBits);
        if (llvm::any_of(skipped, [&](uint32_t x) {
              return writesWeights(ops[x], planes);
            }))
          break;
        tile.weights.add(planes.lo, planes.hi);
        passes.push_back(j);
        continue;
      }
      if (!commutesWithTile(next, tile))
        break;
      skipped.push_back(j);
    }
    std::vector<Op> run;
    for (uint32_t p : passes)
      run.push_back(ops[p]);
    // The longest prefix of the run that is a full grid.
    std::optional<Step> grid;
    for (size_t len = run.size(); len >= 2 && !grid; --len)
      grid = gridStep(llvm::ArrayRef<Op>(run).take_front(len), i);
    Step s = grid ? std::move(*grid) : singleStep(op, i);
    for (uint32_t k = 0; k < s.count; ++k)
      consumed[passes[k]] = true;
    actValues(op, digitBits, s);
    addStep(std::move(s));
  }
  return plan;
}
