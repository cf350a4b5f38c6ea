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
    u.wSlot = alignTo(int64_t(l.planes.size()) * alignTo(tc * rowBytes, wa) +
                          tc * 12,
                      64);
    u.wSlot = alignTo(u.wSlot, wa);
    u.acc = th * tw * tc * 4;
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

LogicalResult mote::npu::chooseTiling(Network &net,
                                      const TargetDescription &t) {
  int64_t actCap = usable(t.sram.activationBuffer, 20);
  int64_t wCap = usable(t.sram.weightBuffer, 20);
  int64_t accCap = usable(t.sram.accumulatorBuffer, 16);
  double bw = t.dram.bandwidthBytesPerCycle;
  for (Layer &l : net.layers) {
    bool conv = l.kind == LayerKind::Conv;
    bool windowed = conv || l.kind == LayerKind::MaxPool || l.kind == LayerKind::AvgPool;
    bool chanTied = !conv || l.depthwise; // input chunk == output block
    int64_t OH = l.out.h, OW = l.out.w, OC = l.out.c, C = l.in.c;
    if (l.kind == LayerKind::Copy) {
      // One step per outer index: rows x cols of the last two dims.
      int64_t r = l.copyShape.size();
      l.th = r >= 2 ? l.copyShape[r - 2] : 1;
      l.tw = l.copyShape[r - 1];
      l.tc = l.cc = 1;
      if (l.th > 4095 || l.tw > 4095 ||
          2 * alignTo(l.th * l.tw, t.sram.activationBuffer.alignmentBytes) * 2 >
              actCap)
        return l.anchor->emitError("NPU lowering: transpose too large for "
                                   "target '")
               << t.name << "'";
      continue;
    }
    if (!windowed) {
      // Elementwise: treat as pixels x channels; tile pixels by rows.
      OH = l.out.h, OW = l.out.w;
    }
    bool found = false;
    double bestCost = 0;
    int64_t bestDram = 0;
    for (int64_t tc : halvings(OC)) {
      if (tc > 4095)
        continue;
      for (int64_t cc : chanTied ? SmallVector<int64_t>{tc} : halvings(C)) {
        for (int64_t tw : halvings(OW)) {
          if (tw > 4095)
            continue;
          for (int64_t th = OH; th >= 1; --th) {
            SramUse u = sramUse(l, t, th, tw, tc, cc);
            if (2 * (u.inSlot + u.outSlot) > actCap || 2 * u.wSlot > wCap ||
                u.acc > accCap)
              continue;
            if (windowed) {
              Window wy = window(0, th, l.sh, l.kh, l.dh, l.pt, l.in.h);
              Window wx = window(0, tw, l.sw, l.kw, l.dw, l.pl, l.in.w);
              if (wy.total > 4095 || wx.total > 4095 || l.pt > 15 ||
                  l.pb + l.sh > 15 + 1 || l.pl > 15 || l.pr + l.sw > 15 + 1)
                continue;
              if (cc * wx.total > 65535)
                continue;
            }
            if (cc > 65535 || cc > 4095)
              continue;
            int64_t nb = ceilDiv(OC, tc), ny = ceilDiv(OH, th),
                    nx = ceilDiv(OW, tw), nc = chanTied ? 1 : ceilDiv(C, cc);
            int64_t ih = (th - 1) * l.sh + (l.kh - 1) * l.dh + 1;
            int64_t iw = (tw - 1) * l.sw + (l.kw - 1) * l.dw + 1;
            int64_t inBytes = windowed ? nb * ny * nx * ih * iw * (chanTied ? tc : C)
                                     : l.in.bytes() * (l.kind == LayerKind::Add ? 2 : 1);
            int64_t wBytes = 0;
            if (conv) {
              int64_t k = l.kh * l.kw * (l.depthwise ? 1 : C);
              int64_t wTotal = OC * ((k * t.macArray.digitBits + 7) / 8) *
                                   int64_t(l.planes.size()) +
                               OC * 12;
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
            if (!found || cost < bestCost ||
                (cost == bestCost && dram < bestDram)) {
              found = true;
              bestCost = cost;
              bestDram = dram;
              l.th = th, l.tw = tw, l.tc = tc, l.cc = cc;
            }
          }
        }
      }
    }
    if (!found)
      return l.anchor->emitError("NPU lowering: no tile of this ")
             << l.kindName << " fits the SRAM of target '" << t.name
             << "' (activation " << t.sram.activationBuffer.bytes
             << " B, weight " << t.sram.weightBuffer.bytes << " B, accumulator "
             << t.sram.accumulatorBuffer.bytes << " B)";
  }
  return success();
}
