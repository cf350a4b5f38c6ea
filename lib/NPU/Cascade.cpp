//===- Cascade.cpp - Chains of layers run in stripes ----------------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Cascading (as Arm Vela does it): a chain of row-local layers whose
// intermediate tensors are too large for the activation buffer runs stripe
// by stripe. A stripe is a band of the last layer's output rows; walking
// the chain backwards, each layer's output band is the receptive field of
// the next layer's, so every layer of the stripe is an ordinary layer over
// a few rows: its input band, its output band, the padding of the real
// tensor edges only. Bands overlap by the windows' halos, which are
// recomputed (no ring addressing in the ISA); each intermediate lives in a
// fixed band buffer on chip whose row 0 is the stripe's first row.
//
//===----------------------------------------------------------------------===//

#include "Layers.h"

#include <algorithm>

using namespace mlir;
using namespace mote;
using namespace mote::npu;

bool mote::npu::cascadable(const Layer &l) {
  switch (l.kind) {
  case LayerKind::Conv:
  case LayerKind::MaxPool:
  case LayerKind::AvgPool:
    return true;
  case LayerKind::Lut:
  case LayerKind::Clamp:
    return l.bcastA == Broadcast::None && l.in.h == l.out.h;
  default:
    return false;
  }
}

RowRange mote::npu::inputRows(const Layer &l, RowRange out) {
  int64_t lo = out.lo * l.sh - l.pt;
  int64_t hi = (out.hi - 1) * l.sh - l.pt + (l.kh - 1) * l.dh + 1;
  return {std::max<int64_t>(lo, 0), std::min<int64_t>(hi, l.in.h)};
}

std::vector<Stripe> mote::npu::cascadeStripes(const Network &net,
                                              const Cascade &c) {
  std::vector<Stripe> stripes;
  const Layer &last = net.layers[c.last];
  int64_t n = c.last - c.first + 1;
  for (int64_t r0 = 0; r0 < last.out.h; r0 += c.stripeRows) {
    Stripe s;
    s.out.resize(n);
    s.out[n - 1] = {r0, std::min(r0 + c.stripeRows, last.out.h)};
    for (int64_t k = n - 2; k >= 0; --k)
      s.out[k] = inputRows(net.layers[c.first + k + 1], s.out[k + 1]);
    s.in = inputRows(net.layers[c.first], s.out[0]);
    stripes.push_back(std::move(s));
  }
  return stripes;
}

std::vector<int64_t> mote::npu::bandSizes(const Network &net,
                                          const Cascade &c) {
  std::vector<int64_t> bytes(c.last - c.first, 0);
  for (const Stripe &s : cascadeStripes(net, c))
    for (size_t k = 0; k < bytes.size(); ++k) {
      const TensorRef &t = net.layers[c.first + k].out;
      bytes[k] = std::max(bytes[k], s.out[k].size() * t.w * t.c);
    }
  return bytes;
}

Layer mote::npu::stripeLayer(const Layer &l, RowRange in, RowRange out,
                             int64_t tileRows) {
  Layer s = l;
  s.in.h = in.size();
  s.out.h = out.size();
  // Padding stays only where the band meets the tensor's real edge.
  s.pt = in.lo - (out.lo * l.sh - l.pt);
  s.pb = ((out.hi - 1) * l.sh - l.pt + (l.kh - 1) * l.dh + 1) - in.hi;
  s.macs = l.out.h ? l.macs * out.size() / l.out.h : 0;
  s.th = std::min(l.th, out.size());
  if (tileRows > 0)
    s.th = std::min(s.th, tileRows);
  return s;
}
