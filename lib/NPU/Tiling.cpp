//===- Tiling.cpp - Tile sizes by a DRAM-traffic/cycle cost model ---------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Every layer runs as a loop over output tiles (out-channel block outer,
// then rows, then columns; input-channel chunks innermost, accumulating in
// the accumulator buffer). The activation and weight buffers hold two slots
// each (double buffering: the load engine fills one while the execute
// engine reads the other); the accumulator buffer holds one tile. Among
// the tile shapes that fit, the cost model picks the one with the fewest
// estimated cycles: max(DRAM bytes / bandwidth, digit-MACs / array size)
// plus a DRAM latency per step, then the least DRAM traffic.
//
//===----------------------------------------------------------------------===//

#include "Tiling.h"

#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mote;
using namespace mote::npu;

int64_t mote::npu::alignTo(int64_t v, int64_t a) {
  return (v + a - 1) / a * a;
}

Window mote::npu::window(int64_t o0, int64_t n, int64_t stride, int64_t k,
                         int64_t dil, int64_t padLo, int64_t in) {
  Window w;
  int64_t first = o0 * stride - padLo;
  int64_t last = (o0 + n - 1) * stride - padLo + (k - 1) * dil;
  w.total = last - first + 1;
  w.padLo = std::max<int64_t>(0, -first);
  w.padHi = std::max<int64_t>(0, last - (in - 1));
  w.start = std::max<int64_t>(0, first);
  w.interior = w.total - w.padLo - w.padHi;
  if (w.interior < 0) // Entirely in padding (cannot happen for valid ops).
    w.interior = 0;
  return w;
}

SramUse mote::npu::sramUse(const Layer &l, const TargetDescription &t,
                           int64_t th, int64_t tw, int64_t tc, int64_t cc) {
  SramUse u;
  int64_t aa = t.sram.activationBuffer.alignmentBytes;
  int64_t wa = t.sram.weightBuffer.alignmentBytes;
  int64_t ih = (th - 1) * l.sh + (l.kh - 1) * l.dh + 1;
  int64_t iw = (tw - 1) * l.sw + (l.kw - 1) * l.dw + 1;
  switch (l.kind) {
  case LayerKind::Conv: {
    u.inSlot = alignTo(ih * iw * cc, aa);
    int64_t k = l.kh * l.kw * (l.depthwise ? 1 : cc);
    int64_t rowBytes = (k * t.macArray.digitBits + 7) / 8;
    // Synthesis terms: one record block and one accumulator tile each.
    int64_t terms = std::max<int64_t>(1, l.terms);
    u.wSlot = alignTo(int64_t(l.planes.size()) * alignTo(tc * rowBytes, wa) +
                          terms * tc * isa::kRequantRecordBytes,
                      64);
    u.wSlot = alignTo(u.wSlot, wa);
    u.acc = terms == 1 ? th * tw * tc * 4
                       : terms * alignTo(th * tw * tc * 4,
                                         t.sram.accumulatorBuffer.alignmentBytes);
    break;
  }
  case LayerKind::MaxPool:
  case LayerKind::AvgPool:
    u.inSlot = alignTo(ih * iw * cc, aa);
    break;
  case LayerKind::Add:
    u.inSlot = 2 * alignTo(th * tw * cc, aa);
    break;
  case LayerKind::Lut:
    u.inSlot = alignTo(th * tw * cc, aa);
    u.wSlot = alignTo(256, wa);
    break;
  case LayerKind::Interpolate:
    // Up to four gathered input tiles (two rows x two columns per output
    // pixel) and two int32 row sums (Emit: buildInterpolateSteps).
    u.inSlot = 4 * alignTo(tw * tc, aa);
    u.acc = 2 * alignTo(tw * tc * 4, t.sram.accumulatorBuffer.alignmentBytes);
    break;
  default:
    u.inSlot = alignTo(th * tw * cc, aa);
    break;
  }
  u.outSlot = alignTo(th * tw * tc, aa);
  return u;
}

namespace {
/// Candidate tile extents: n, ceil(n/2), ceil(n/4), ..., 1.
SmallVector<int64_t> halvings(int64_t n) {
  SmallVector<int64_t> out;
  for (int64_t d = 1;; d *= 2) {
    int64_t v = (n + d - 1) / d;
    if (out.empty() || out.back() != v)
      out.push_back(v);
    if (v == 1)
      break;
  }
  return out;
}
int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
} // namespace

/// Usable bytes of a buffer: capacity, limited by the address fields.
static int64_t usable(const SramBufferDesc &b, unsigned addrBits) {
  return std::min<int64_t>(b.bytes, int64_t(1) << addrBits);
}

namespace {
/// The iteration space a layer's tiles cover, and the candidate extents.
struct Space {
  bool conv = false, windowed = false, chanTied = false, scalarOperand = false;
  int64_t OH = 1, OW = 1, OC = 1, C = 1;
  SmallVector<int64_t> tcs;
};

Space space(const Layer &l) {
  Space s;
  s.conv = l.kind == LayerKind::Conv;
  s.windowed = s.conv || l.kind == LayerKind::MaxPool ||
               l.kind == LayerKind::AvgPool;
  s.chanTied = !s.conv || l.depthwise; // input chunk == output block
  s.OH = l.out.h, s.OW = l.out.w, s.OC = l.out.c, s.C = l.in.c;
  // A concat runs input by input, in channel chunks of at most tc.
  if (l.kind == LayerKind::Concat) {
    s.OC = 1;
    for (const TensorRef &in : l.ins)
      s.OC = std::max(s.OC, in.c);
    s.C = s.OC;
  }
  s.scalarOperand = l.kind == LayerKind::Add &&
                    (l.bcastA == Broadcast::Scalar ||
                     l.bcastB == Broadcast::Scalar);
  s.tcs = halvings(s.OC);
  // A grouped conv reduces over its group's channels only, and its output
  // blocks divide a group: tc ranges over the divisors of the group width.
  if (l.groups > 1) {
    s.C = l.cg;
    int64_t ocg = s.OC / l.groups;
    s.tcs.clear();
    for (int64_t d = ocg; d >= 1; --d)
      if (ocg % d == 0)
        s.tcs.push_back(d);
  }
  return s;
}

/// Whether a (th, tw, tc, cc) tile fits the SRAMs (double-buffered
/// activation and weight slots) and the ISA's field widths.
bool fits(const Layer &l, const TargetDescription &t, const Space &s,
          int64_t th, int64_t tw, int64_t tc, int64_t cc) {
  if (tc > 4095 || tw > 4095 || cc > 4095)
    return false;
  SramUse u = sramUse(l, t, th, tw, tc, cc);
  if (2 * (u.inSlot + u.outSlot) > usable(t.sram.activationBuffer, 20) ||
      2 * u.wSlot > usable(t.sram.weightBuffer, 20) ||
      u.acc > usable(t.sram.accumulatorBuffer, 16))
    return false;
  if (s.windowed) {
    // LOAD borders are 4-bit fields: the first tile has the most padding
    // above/left, the last tile the most below/right. (The stride adds
    // none: a window never reaches past the padded input.)
    Window wy = window(0, th, l.sh, l.kh, l.dh, l.pt, l.in.h);
    Window wx = window(0, tw, l.sw, l.kw, l.dw, l.pl, l.in.w);
    int64_t ly = (s.OH - 1) / th * th, lx = (s.OW - 1) / tw * tw;
    Window wyEnd = window(ly, s.OH - ly, l.sh, l.kh, l.dh, l.pt, l.in.h);
    Window wxEnd = window(lx, s.OW - lx, l.sw, l.kw, l.dw, l.pl, l.in.w);
    if (wy.total > 4095 || wx.total > 4095 || wy.padLo > 15 ||
        wx.padLo > 15 || wyEnd.padHi > 15 || wxEnd.padHi > 15)
      return false;
    if (cc * wx.total > 65535)
      return false;
  }
  // A scalar operand is loaded as th*tw rows of tc bytes.
  if (s.scalarOperand && th * tw > 4095)
    return false;
  return true;
}

/// The tile of a strided copy (Layers.h): rows of the second-to-last dim,
/// every element of the last, copyElem bytes each; as many rows as the
/// double-buffered in and out slots hold. One step per row block.
LogicalResult copyTile(Layer &l, const TargetDescription &t) {
  int64_t r = l.copyShape.size();
  int64_t rows = l.copyShape[r - 2];
  l.tw = l.copyShape[r - 1];
  l.tc = l.cc = l.copyElem;
  int64_t budget = usable(t.sram.activationBuffer, 20);
  int64_t align = t.sram.activationBuffer.alignmentBytes;
  auto fitsRows = [&](int64_t th) {
    return 4 * alignTo(th * l.tw * l.copyElem, align) <= budget;
  };
  l.th = std::min<int64_t>(rows, 4095);
  while (l.th > 1 && !fitsRows(l.th))
    l.th = (l.th + 1) / 2;
  if (l.tw > 4095 || l.copyElem > 4095 || !fitsRows(l.th))
    return l.anchor->emitError("NPU lowering: ")
           << l.kindName << " too large for target '"
           << t.name << "'";
  return success();
}
/// The tile of an interpolation: one output row, `tw` pixels of a run
/// and `tc` channels; the widest that fits, channels halved first.
LogicalResult interpolateTile(Layer &l, const TargetDescription &t) {
  l.th = 1;
  l.tc = l.cc = std::min<int64_t>(l.out.c, 4095);
  l.tw = std::min<int64_t>(l.out.w, 4095);
  auto fitsTile = [&] {
    SramUse u = sramUse(l, t, l.th, l.tw, l.tc, l.cc);
    return 2 * (u.inSlot + u.outSlot) <= usable(t.sram.activationBuffer, 20) &&
           u.acc <= usable(t.sram.accumulatorBuffer, 16);
  };
  while (!fitsTile() && (l.tw > 1 || l.tc > 1)) {
    if (l.tc > 1 && l.tc >= l.tw)
      l.tc = l.cc = (l.tc + 1) / 2;
    else
      l.tw = (l.tw + 1) / 2;
  }
  if (!fitsTile())
    return l.anchor->emitError("NPU lowering: ")
           << l.kindName << " too large for target '" << t.name << "'";
  return success();
}
} // namespace

LogicalResult mote::npu::checkTile(const Layer &l,
                                   const TargetDescription &t) {
  if (l.kind == LayerKind::Host)
    return success();
  if (l.kind == LayerKind::Copy || l.kind == LayerKind::Interpolate) {
    Layer fixed = l;
    if (failed(l.kind == LayerKind::Copy ? copyTile(fixed, t)
                                         : interpolateTile(fixed, t)))
      return failure();
    if (fixed.th != l.th || fixed.tw != l.tw || fixed.tc != l.tc ||
        fixed.cc != l.cc)
      return l.anchor->emitError("NPU lowering: a ")
             << l.kindName << "'s tile must be [" << fixed.th << ", "
             << fixed.tw << ", " << fixed.tc << ", " << fixed.cc << "]";
    return success();
  }
  Space s = space(l);
  bool ok = l.th >= 1 && l.th <= s.OH && l.tw >= 1 && l.tw <= s.OW &&
            l.tc >= 1 && l.tc <= s.OC && llvm::is_contained(s.tcs, l.tc) &&
            (s.chanTied ? l.cc == l.tc : l.cc >= 1 && l.cc <= s.C);
  if (!ok)
    return l.anchor->emitError("NPU lowering: tile [")
           << l.th << ", " << l.tw << ", " << l.tc << ", " << l.cc
           << "] is not a tile of this " << l.kindName << " (output "
           << s.OH << "x" << s.OW << "x" << s.OC << ", " << s.C
           << " input channels per reduction"
           << (s.chanTied ? ", cc must equal tc" : "")
           << (l.groups > 1 ? ", tc must divide the group width" : "") << ")";
  if (!fits(l, t, s, l.th, l.tw, l.tc, l.cc))
    return l.anchor->emitError("NPU lowering: tile [")
           << l.th << ", " << l.tw << ", " << l.tc << ", " << l.cc
           << "] of this " << l.kindName << " does not fit target '" << t.name
           << "'";
  return success();
}

LogicalResult mote::npu::chooseTiling(Network &net,
                                      const TargetDescription &t) {
  for (Layer &l : net.layers)
    if (failed(chooseTile(l, t)))
      return failure();
  return success();
}

std::vector<TileChoice> mote::npu::tileChoices(const Layer &l,
                                               const TargetDescription &t) {
  std::vector<TileChoice> choices;
  if (l.kind == LayerKind::Host || l.kind == LayerKind::Copy ||
      l.kind == LayerKind::Interpolate)
    return choices;
  double bw = t.dram.bandwidthBytesPerCycle;
  Space sp = space(l);
  bool conv = sp.conv, windowed = sp.windowed, chanTied = sp.chanTied;
  int64_t OH = sp.OH, OW = sp.OW, OC = sp.OC, C = sp.C;
  for (int64_t tc : sp.tcs) {
    for (int64_t cc : chanTied ? SmallVector<int64_t>{tc} : halvings(C)) {
      for (int64_t tw : halvings(OW)) {
        for (int64_t th = OH; th >= 1; --th) {
          if (!fits(l, t, sp, th, tw, tc, cc))
            continue;
          int64_t nb = ceilDiv(OC, tc), ny = ceilDiv(OH, th),
                  nx = ceilDiv(OW, tw), nc = chanTied ? 1 : ceilDiv(C, cc);
          int64_t ih = (th - 1) * l.sh + (l.kh - 1) * l.dh + 1;
          int64_t iw = (tw - 1) * l.sw + (l.kw - 1) * l.dw + 1;
          int64_t inBytes =
              windowed ? nb * ny * nx * ih * iw * (chanTied ? tc : C)
                       : l.in.bytes() * (l.kind == LayerKind::Add ? 2 : 1);
          int64_t wBytes = 0;
          if (conv) {
            int64_t k = l.kh * l.kw * (l.depthwise ? 1 : C);
            int64_t wTotal = OC * ((k * t.macArray.digitBits + 7) / 8) *
                                 int64_t(l.planes.size()) +
                             OC * isa::kRequantRecordBytes;
            wBytes = nc > 1 ? wTotal * ny * nx : wTotal;
          }
          int64_t dram = inBytes + wBytes + l.out.bytes();
          int64_t steps = nb * ny * nx * nc;
          // The simulator's latencies (docs/Simulator.md): a MATMUL pass
          // takes th*tw*ceil(tc/cols)*ceil(K/rows) + rows + cols, a DMA
          // latency + bytes/bandwidth. Loads of step t+1 overlap compute
          // of step t: the longer stream, plus one step of the shorter.
          double compute = 0;
          if (conv) {
            int64_t kc = l.kh * l.kw * (chanTied ? 1 : cc);
            int64_t pass = th * tw * ceilDiv(tc, t.macArray.cols) *
                               ceilDiv(kc, t.macArray.rows) +
                           t.macArray.rows + t.macArray.cols;
            compute = double(steps) * double(pass) *
                      double(std::max<size_t>(1, l.passes.size()));
          } else {
            compute = double(l.out.bytes()) * double(l.kh * l.kw) /
                      double(t.vectorUnit.lanes);
          }
          double load = double(dram) / bw +
                        double(steps) * double(t.dram.latencyCycles);
          double cost = std::max(load, compute) +
                        std::min(load, compute) / double(steps);
          choices.push_back({cost, dram, tw == OW && tc >= OC,
                             nc == 1 || ny * nx == 1, th, tw, tc, cc, steps});
        }
      }
    }
  }
  std::stable_sort(choices.begin(), choices.end(),
                   [](const TileChoice &a, const TileChoice &b) {
                     return a.cost < b.cost ||
                            (a.cost == b.cost && a.dram < b.dram);
                   });
  return choices;
}

LogicalResult mote::npu::chooseTile(Layer &l, const TargetDescription &t) {
  if (l.kind == LayerKind::Host)
    return success(); // The host does not tile.
  if (l.kind == LayerKind::Copy)
    return copyTile(l, t);
  if (l.kind == LayerKind::Interpolate)
    return interpolateTile(l, t);
  // The estimate's best; tileAnnotatedLayers then prices a short list on
  // the simulator in the context of the memory plan (TilePricing.cpp).
  std::vector<TileChoice> choices = tileChoices(l, t);
  if (choices.empty())
    return l.anchor->emitError("NPU lowering: no tile of this ")
           << l.kindName << " fits the SRAM of target '" << t.name
           << "' (activation " << t.sram.activationBuffer.bytes
           << " B, weight " << t.sram.weightBuffer.bytes << " B, accumulator "
           << t.sram.accumulatorBuffer.bytes << " B"
           << (l.terms ? " for " + std::to_string(l.terms) +
                             " synthesis terms' accumulator tiles"
                       : std::string())
           << ")";
  // Within 3 % of the best estimate, whole rows are preferred: they let an
  // on-chip output be written, and an on-chip input read, in place.
  const TileChoice *best = &choices.front();
  if (!best->wholeRows)
    for (const TileChoice &c : choices)
      if (c.wholeRows && c.cost <= choices.front().cost * 1.03) {
        best = &c;
        break;
      }
  l.th = best->th, l.tw = best->tw, l.tc = best->tc, l.cc = best->cc;
  return success();
}
