//===- EmitSteps.cpp - One tiled layer as npu instructions ----------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The steps of one layer (Emitter.h): its weight blocks packed, its tiles
// and input-channel chunks as LOAD / MATMUL / VEC / STORE with the
// registers they need, on-chip tensors read and written in place where the
// tiles allow it, then the token protocol (Emit.cpp's header comment).
//
//===----------------------------------------------------------------------===//

#include "Emitter.h"

#include "NPU/NPUOps.h"

#include "Mote/MoteAttrUtils.h"
#include "Mote/MoteOps.h"
#include "Mote/MoteTypeUtils.h"

using namespace mlir;
using namespace mote;
using namespace mote::npu;
using namespace mote::npu::emit_detail;



int64_t Emitter::blockLayout(const Layer &l, int64_t tc, int64_t cc,
                             bool records, std::vector<int64_t> &planeOff,
                             int64_t &recOff) const {
  unsigned d = t.macArray.digitBits;
  int64_t wa = t.sram.weightBuffer.alignmentBytes;
  int64_t k = l.kh * l.kw * (l.depthwise ? 1 : cc);
  int64_t rowBytes = (k * d + 7) / 8;
  int64_t size = 0;
  planeOff.clear();
  for (size_t i = 0; i < l.planes.size(); ++i) {
    int64_t base = alignTo(size, wa);
    planeOff.push_back(base);
    size = base + tc * rowBytes;
  }
  recOff = alignTo(size, wa);
  if (records)
    return recOff + (l.terms ? l.terms : 1) * tc * isa::kRequantRecordBytes;
  return size;
}

/// Packs one weight block: planes (rows of K d-bit digits) + records.
std::vector<uint8_t> Emitter::packBlock(const Layer &l, int64_t o0, int64_t tc,
                                        int64_t c0, int64_t cc, bool records,
                                        std::vector<int64_t> &planeOff,
                                        int64_t &recOff) {
  unsigned d = t.macArray.digitBits;
  int64_t k = l.kh * l.kw * (l.depthwise ? 1 : cc);
  int64_t rowBytes = (k * d + 7) / 8;
  std::vector<uint8_t> out(blockLayout(l, tc, cc, records, planeOff, recOff),
                           0);
  // Each row's digits, least significant bits first, written byte by byte
  // (d <= 8: a digit spans at most two bytes). Runs of the input channels
  // are contiguous in the OHWI plane.
  uint64_t mask = (uint64_t(1) << d) - 1;
  int64_t run = l.depthwise ? 1 : cc;
  size_t planeNo = 0;
  for (auto &kv : l.planes) {
    const int16_t *plane = kv.second->values().data();
    uint8_t *rows = out.data() + planeOff[planeNo++];
    for (int64_t o = 0; o < tc; ++o) {
      uint8_t *dst = rows + o * rowBytes;
      uint64_t acc = 0;
      unsigned bits = 0;
      for (int64_t ky = 0; ky < l.kh; ++ky)
        for (int64_t kx = 0; kx < l.kw; ++kx) {
          const int16_t *src = plane +
                               (((o0 + o) * l.kh + ky) * l.kw + kx) * l.cg +
                               (l.depthwise ? 0 : c0);
          for (int64_t c = 0; c < run; ++c) {
            acc |= (uint64_t(int64_t(src[c])) & mask) << bits;
            bits += d;
            while (bits >= 8) {
              *dst++ = uint8_t(acc);
              acc >>= 8;
              bits -= 8;
            }
          }
        }
      if (bits)
        *dst = uint8_t(acc);
    }
  }
  if (records && l.terms) {
    // Synthesis terms: term-major records {bias, M, S} (VEC combine).
    constexpr int64_t R = isa::kRequantRecordBytes;
    int64_t oc = l.out.c;
    for (int64_t ti = 0; ti < l.terms; ++ti)
      for (int64_t o = 0; o < tc; ++o) {
        size_t at = size_t(ti * oc + o0 + o);
        isa::writeRequantRecord(&out[recOff + (ti * tc + o) * R],
                                l.combBias[at], l.combMult[at],
                                l.combShift[at]);
      }
  } else if (records) {
    constexpr int64_t R = isa::kRequantRecordBytes;
    for (int64_t o = 0; o < tc; ++o)
      isa::writeRequantRecord(&out[recOff + o * R], l.bias[o0 + o],
                              l.mult[o0 + o], l.shift[o0 + o]);
  }
  return out;
}

int64_t Emitter::planeIndex(const Layer &l, int64_t key) {
  int64_t i = 0;
  for (auto &kv : l.planes) {
    if (kv.first == key)
      return i;
    ++i;
  }
  return 0;
}

/// Layer-wide VEC/MM registers, emitted into the first step.
void Emitter::layerRegs(const Layer &l, std::vector<Instruction> &o) {
  using namespace isa::reg;
  switch (l.kind) {
  case LayerKind::Conv:
    ex(o, MM_KH, l.kh), ex(o, MM_KW, l.kw);
    ex(o, MM_STRIDE_H, l.sh), ex(o, MM_STRIDE_W, l.sw);
    ex(o, MM_DIL_H, l.dh), ex(o, MM_DIL_W, l.dw);
    ex(o, MM_IN_ZP, l.in.zp), ex(o, MM_IN_SIGNED, l.in.isSigned);
    ex(o, MM_IN_C0, 0);
    ex(o, VEC_ZP_OUT, l.out.zp), ex(o, VEC_OUT_SIGNED, l.out.isSigned);
    ex(o, VEC_CLAMP_LO, l.lo), ex(o, VEC_CLAMP_HI, l.hi);
    if (l.terms) {
      ex(o, VEC_TERMS, l.terms);
      ex(o, VEC_MUL_OUT, l.mulOut), ex(o, VEC_SHIFT_OUT, l.shiftOut);
    }
    break;
  case LayerKind::MaxPool:
  case LayerKind::AvgPool:
    ex(o, VEC_POOL_KH, l.kh), ex(o, VEC_POOL_KW, l.kw);
    ex(o, VEC_POOL_SH, l.sh), ex(o, VEC_POOL_SW, l.sw);
    ex(o, VEC_A_SIGNED, l.in.isSigned), ex(o, VEC_OUT_SIGNED, l.out.isSigned);
    ex(o, VEC_ZP_A, l.in.zp), ex(o, VEC_ZP_OUT, l.out.zp);
    ex(o, VEC_MUL_A, l.mulA), ex(o, VEC_SHIFT_A, l.shiftA);
    ex(o, VEC_CLAMP_LO, l.lo), ex(o, VEC_CLAMP_HI, l.hi);
    break;
  case LayerKind::Add:
    ex(o, VEC_ZP_A, l.in.zp), ex(o, VEC_ZP_B, l.in2.zp);
    ex(o, VEC_ZP_OUT, l.out.zp);
    ex(o, VEC_MUL_A, l.mulA), ex(o, VEC_SHIFT_A, l.shiftA);
    ex(o, VEC_MUL_B, l.mulB), ex(o, VEC_SHIFT_B, l.shiftB);
    ex(o, VEC_MUL_OUT, l.mulOut), ex(o, VEC_SHIFT_OUT, l.shiftOut);
    ex(o, VEC_A_SIGNED, l.in.isSigned), ex(o, VEC_B_SIGNED, l.in2.isSigned);
    ex(o, VEC_OUT_SIGNED, l.out.isSigned);
    ex(o, VEC_CLAMP_LO, l.lo), ex(o, VEC_CLAMP_HI, l.hi);
    break;
  default:
    ex(o, VEC_A_SIGNED, l.in.isSigned), ex(o, VEC_OUT_SIGNED, l.out.isSigned);
    ex(o, VEC_CLAMP_LO, l.lo), ex(o, VEC_CLAMP_HI, l.hi);
    break;
  }
}

/// A constant operand (an add of a constant tensor, the `x + 3` of an
/// exported hard-sigmoid) lives in the constant image: its storage bytes,
/// one per element in the tensor's own row-major order, as an activation
/// in DRAM would be.
void Emitter::placeConstant(Value v) {
  if (!v || dram.count(v))
    return;
  auto c = v.getDefiningOp<mote::ConstantOp>();
  std::optional<QuantParams> q = getQuantParams(v.getType());
  if (!c || !q || q->storageBits > 8)
    return;
  auto values = readIntElements(c.getValue(), q->isSigned);
  if (!values)
    return;
  std::vector<uint8_t> bytes;
  for (int64_t x : *values)
    bytes.push_back(uint8_t(x));
  dram[v] = addConst(bytes);
}

void Emitter::buildSteps(const Layer &l) {
  steps.clear();
  for (Value v : layerInputs(l))
    placeConstant(v);
  SramUse u = sramUse(l, t, l.th, l.tw, l.tc, l.cc);
  int64_t inSlot[2] = {0, u.inSlot};
  int64_t outSlot[2] = {2 * u.inSlot, 2 * u.inSlot + u.outSlot};
  int64_t wSlot[2] = {0, u.wSlot};
  Addr X = at(l.in.value), Y = at(l.out.value);
  int64_t H = l.in.h, W = l.in.w, C = l.in.c;
  int64_t OH = l.out.h, OW = l.out.w, OC = l.out.c;
  int64_t tile = 0, blockCount = 0;
  bool conv = l.kind == LayerKind::Conv;
  bool first = true;

  if (l.kind == LayerKind::Copy) {
    // Layers.h: rows of the second-to-last dim, `th` at a time, each row
    // tw elements of copyElem bytes; LOAD gathers with the input strides,
    // VEC copies (a clamp to the type's own range), STORE scatters with
    // the output strides.
    int64_t r = l.copyShape.size(), E = l.copyElem;
    int64_t R = l.copyShape[r - 2], cols = l.tw, outer = 1;
    for (int64_t i = 0; i + 2 < r; ++i)
      outer *= l.copyShape[i];
    if (l.copyFill) {
      // A pad's border: one tile of the fill byte (a LOAD broadcasting a
      // copyElem-byte constant with zero strides), stored over the whole
      // output before the interior; the store engine keeps program order.
      Step s;
      int64_t rows = std::min(l.th, R);
      int64_t fill = addConst(std::vector<uint8_t>(E, uint8_t(l.copyFillValue)));
      load(s.loads, 1, inSlot[0], Addr{fill, false}, rows, cols, E, 0, 0, 0);
      layerRegs(l, s.exec), first = false;
      s.exec.push_back(vec(isa::VecOp::Clamp, inSlot[0], 0, rows, cols, E,
                           outSlot[0]));
      int64_t total =
          cast<RankedTensorType>(l.out.value.getType()).getNumElements();
      int64_t chunk = std::min<int64_t>(rows * cols * E, 65535);
      for (int64_t off = 0; off < total; off += chunk)
        store(s.stores, outSlot[0], Y + off, 1, 1,
              std::min(chunk, total - off), 0, 0);
      s.endsTile = true;
      steps.push_back(std::move(s));
      ++tile;
    }
    for (int64_t n = 0; n < outer; ++n) {
      int64_t src = l.copyBase, dst = l.copyOutBase, rem = n;
      for (int64_t i = r - 3; i >= 0; --i) {
        src += (rem % l.copyShape[i]) * l.copyStrides[i];
        dst += (rem % l.copyShape[i]) * l.copyOutStrides[i];
        rem /= l.copyShape[i];
      }
      for (int64_t r0 = 0; r0 < R; r0 += l.th) {
        int64_t rows = std::min(l.th, R - r0);
        Step s;
        int64_t slot = tile % 2;
        load(s.loads, 1, inSlot[slot], X + (src + r0 * l.copyStrides[r - 2]),
             rows, cols, E, l.copyStrides[r - 2], l.copyStrides[r - 1], 0);
        if (first)
          layerRegs(l, s.exec), first = false;
        s.exec.push_back(vec(isa::VecOp::Clamp, inSlot[slot], 0, rows, cols,
                             E, outSlot[slot]));
        store(s.stores, outSlot[slot],
              Y + (dst + r0 * l.copyOutStrides[r - 2]), rows, cols, E,
              l.copyOutStrides[r - 2], l.copyOutStrides[r - 1]);
        s.endsTile = true;
        steps.push_back(std::move(s));
        ++tile;
      }
    }
    return;
  }

  if (l.kind == LayerKind::Interpolate) {
    buildInterpolateSteps(l, inSlot, outSlot);
    return;
  }

  if (l.kind == LayerKind::Concat) {
    // Each input into its channel slice of the output: LOAD its tile,
    // copy (VEC Clamp to the type's range) or requantize (VEC Rescale),
    // STORE with the output's pixel stride.
    int64_t offset = 0;
    for (size_t k = 0; k < l.ins.size(); ++k) {
      const TensorRef &in = l.ins[k];
      Addr Xk = at(in.value);
      auto [mul, sft] = l.insScale[k];
      for (int64_t c0 = 0; c0 < in.c; c0 += l.tc) {
        int64_t tc = std::min(l.tc, in.c - c0);
        for (int64_t y0 = 0; y0 < OH; y0 += l.th) {
          int64_t th = std::min(l.th, OH - y0);
          for (int64_t x0 = 0; x0 < OW; x0 += l.tw) {
            int64_t tw = std::min(l.tw, OW - x0);
            Step s;
            int64_t slot = tile % 2;
            load(s.loads, 1, inSlot[slot],
                 Xk + (y0 * in.w + x0) * in.c + c0, th, tw, tc,
                 in.w * in.c, in.c, 0);
            using namespace isa::reg;
            ex(s.exec, VEC_A_SIGNED, in.isSigned);
            ex(s.exec, VEC_OUT_SIGNED, l.out.isSigned);
            ex(s.exec, VEC_CLAMP_LO, l.lo), ex(s.exec, VEC_CLAMP_HI, l.hi);
            if (mul) {
              ex(s.exec, VEC_ZP_A, in.zp), ex(s.exec, VEC_ZP_OUT, l.out.zp);
              ex(s.exec, VEC_MUL_A, mul), ex(s.exec, VEC_SHIFT_A, sft);
            }
            int64_t dst = outSlot[slot];
            s.exec.push_back(vec(mul ? isa::VecOp::Rescale : isa::VecOp::Clamp,
                                 inSlot[slot], 0, th, tw, tc, dst));
            store(s.stores, dst, Y + (y0 * OW + x0) * OC + offset + c0, th,
                  tw, tc, OW * OC, OC);
            s.endsTile = true;
            steps.push_back(std::move(s));
            ++tile;
          }
        }
      }
      offset += in.c;
    }
    return;
  }

  // Weight blocks (conv) packed per (out block, in chunk).
  bool chanTied = !conv || l.depthwise;
  // A grouped conv reduces over the `cg` channels of the output block's
  // group (dense: cg == C); the block reads them from DRAM at groupBase.
  int64_t Cred = l.groups > 1 ? l.cg : C;
  auto groupBase = [&](int64_t o0) {
    return l.groups > 1 ? o0 / (OC / l.groups) * l.cg : 0;
  };
  int64_t nc = chanTied ? 1 : ceilDiv(Cred, l.cc);
  std::map<std::pair<int64_t, int64_t>, std::tuple<int64_t, int64_t, std::vector<int64_t>, int64_t>> blocks;
  int64_t lutAddr = -1;
  if (l.kind == LayerKind::Lut) {
    auto it = packedTables.find(l.anchor);
    if (it == packedTables.end())
      it = packedTables.emplace(l.anchor, addConst(l.table)).first;
    lutAddr = it->second;
  }
  if (conv)
    for (int64_t o0 = 0; o0 < OC; o0 += l.tc)
      for (int64_t ci = 0; ci < nc; ++ci) {
        int64_t tc = std::min(l.tc, OC - o0);
        int64_t c0 = chanTied ? o0 : ci * l.cc;
        int64_t cc = chanTied ? tc : std::min(l.cc, Cred - c0);
        auto key = std::make_tuple(l.anchor, o0, ci);
        auto it = packed.find(key);
        if (it == packed.end()) {
          std::vector<int64_t> planeOff;
          int64_t recOff, addr, size;
          if (measureOnly) {
            size = blockLayout(l, tc, cc, ci == nc - 1, planeOff, recOff);
            addr = addZeros(size);
          } else {
            auto bytes =
                packBlock(l, o0, tc, c0, cc, ci == nc - 1, planeOff, recOff);
            size = int64_t(bytes.size());
            addr = addConst(bytes);
          }
          it = packed.emplace(key, PackedBlock{addr, size, planeOff, recOff})
                   .first;
        }
        blocks[{o0, ci}] = it->second;
      }

  std::pair<int64_t, int64_t> resident = {-1, -1};
  // Tiles of th x tw, also cut where an average pool's divisor changes.
  auto spans = [&](int64_t n, int64_t t, int64_t s, int64_t k, int64_t pad,
                   int64_t size) {
    std::vector<std::pair<int64_t, int64_t>> out;
    int64_t start = 0;
    for (int64_t o = 1; o <= n; ++o)
      if (o == n || o - start == t ||
          (l.excludePad && validWindow(o, s, k, pad, size) !=
                               validWindow(o - 1, s, k, pad, size))) {
        out.push_back({start, o - start});
        start = o;
      }
    return out;
  };
  auto ySpans = spans(OH, l.th, l.sh, l.kh, l.pt, H);
  auto xSpans = spans(OW, l.tw, l.sw, l.kw, l.pl, W);
  // Direct access to on-chip tensors (no copy) where every tile is a
  // block of whole rows: the VEC writes the output tensor itself, and a
  // MATMUL, pool or elementwise op reads the input tensor itself.
  int64_t aa = t.sram.activationBuffer.alignmentBytes;
  bool wholeRows = xSpans.size() == 1 && l.tc >= OC;
  bool directOut = Y.onChip && wholeRows;
  for (const auto &ySpan : ySpans)
    directOut &= (Y.at + ySpan.first * OW * OC) % aa == 0;
  bool noPad = l.pt == 0 && l.pb == 0 && l.pl == 0 && l.pr == 0;
  bool directIn = false;
  if (X.onChip && xSpans.size() == 1 && noPad) {
    if (conv)
      directIn = true; // MM_IN_C / MM_IN_C0 pick the channels
    else if (l.kind == LayerKind::MaxPool || l.kind == LayerKind::AvgPool)
      directIn = l.tc >= C; // the pool reads pixels of `tc` channels
    else
      directIn = l.bcastA == Broadcast::None && l.tc >= C;
    for (const auto &ySpan : ySpans)
      directIn &= (X.at + ySpan.first * l.sh * W * C) % aa == 0;
  }
  bool directIn2 = false;
  if (l.kind == LayerKind::Add && l.bcastB == Broadcast::None) {
    Addr X2 = at(l.in2.value);
    directIn2 = X2.onChip && wholeRows;
    for (const auto &ySpan : ySpans)
      directIn2 &= (X2.at + ySpan.first * OW * OC) % aa == 0;
  }
  for (int64_t o0 = 0; o0 < OC; o0 += l.tc) {
    int64_t tc = std::min(l.tc, OC - o0);
    // Plain ints, not structured bindings: lambdas below capture them.
    for (const auto &ySpan : ySpans) {
      int64_t y0 = ySpan.first, th = ySpan.second;
      for (const auto &xSpan : xSpans) {
        int64_t x0 = xSpan.first, tw = xSpan.second;
        int64_t oslot = tile % 2;
        for (int64_t ci = 0; ci < nc; ++ci) {
          Step s;
          int64_t slot = steps.size() % 2;
          int64_t c0 = chanTied ? o0 : ci * l.cc;
          int64_t cc = chanTied ? tc : std::min(l.cc, Cred - c0);
          if (first)
            layerRegs(l, s.exec), first = false;
          Window wy = window(y0, th, l.sh, l.kh, l.dh, l.pt, H);
          Window wx = window(x0, tw, l.sw, l.kw, l.dw, l.pl, W);
          int64_t pad = l.kind == LayerKind::MaxPool ? l.in.qmin : l.in.zp;
          bool isLast = ci == nc - 1;
          // Whole rows of the on-chip output: the VEC writes them there.
          int64_t dst = directOut ? Y.at + y0 * OW * OC : outSlot[oslot];
          if (conv) {
            auto &[addr, bytes, planeOff, recOff] = blocks[{o0, ci}];
            int64_t wbase = wSlot[blockCount % 2];
            if (residentWeights) {
              wbase = residentPlace(addr, bytes);
            } else if (resident != std::make_pair(o0, ci)) {
              ++blockCount;
              wbase = wSlot[(blockCount - 1) % 2];
              loadBlock(s.loads, wbase, addr, bytes);
              resident = {o0, ci};
            } else {
              wbase = wSlot[(blockCount - 1) % 2];
            }
            int64_t act = inSlot[slot];
            if (directIn) {
              // Whole rows of the on-chip input, no border: the MATMUL
              // reads the tensor where it lies, its channels picked by
              // MM_IN_C0 (the group and chunk, or the depthwise block).
              act = X.at + wy.start * W * C;
              ex(s.exec, isa::reg::MM_IN_W, W);
              ex(s.exec, isa::reg::MM_IN_C, C);
              ex(s.exec, isa::reg::MM_IN_C0,
                 l.depthwise ? o0 : groupBase(o0) + c0);
            } else {
              load(s.loads, 1, inSlot[slot],
                   X + (wy.start * W + wx.start) * C + groupBase(o0) + c0,
                   wy.interior, wx.interior, cc, W * C, C, pad, &wy, &wx);
              ex(s.exec, isa::reg::MM_IN_W, wx.total);
              ex(s.exec, isa::reg::MM_IN_C, cc);
              ex(s.exec, isa::reg::MM_IN_C0, 0);
            }
            ex(s.exec, isa::reg::MM_IN_CG, l.depthwise ? 1 : cc);
            // The step's passes form one chain: they accumulate in the
            // array and touch the accumulator buffer once (ISA.def).
            // Synthesis terms: each term's passes chain into the term's
            // own accumulator tile, term after term.
            int64_t termBytes = alignTo(
                th * tw * tc * 4, t.sram.accumulatorBuffer.alignmentBytes);
            bool firstPass = ci == 0;
            for (size_t pi = 0; pi < l.passes.size(); ++pi) {
              const DigitPass &p = l.passes[pi];
              if (pi > 0 && p.term != l.passes[pi - 1].term)
                firstPass = ci == 0;
              bool chained = pi + 1 < l.passes.size() &&
                             l.passes[pi + 1].term == p.term;
              Instruction m = isa::make(isa::Opcode::MatMul);
              m.set(Field::MatMul_act_addr, act);
              m.set(Field::MatMul_wgt_addr, wbase + planeOff[planeIndex(l, p.plane)]);
              m.set(Field::MatMul_acc_addr, p.term * termBytes);
              m.set(Field::MatMul_out_h, th).set(Field::MatMul_out_w, tw);
              m.set(Field::MatMul_out_c, tc);
              m.set(Field::MatMul_a_digit, p.aDigit).set(Field::MatMul_a_signed, p.aSigned);
              m.set(Field::MatMul_w_digit, p.wDigit).set(Field::MatMul_w_signed, p.wSigned);
              m.set(Field::MatMul_shift, p.shift);
              m.set(Field::MatMul_accumulate, !firstPass);
              m.set(Field::MatMul_depthwise, l.depthwise);
              m.set(Field::MatMul_chain, chained);
              // The tile's last pass of a single-term layer drains its
              // sums straight into the requantize: the int32 tile never
              // touches the accumulator buffer (ISA.def `drain`).
              m.set(Field::MatMul_drain,
                    isLast && !l.terms && pi + 1 == l.passes.size());
              s.exec.push_back(m);
              firstPass = false;
            }
            if (isLast) {
              Instruction r = vec(l.terms ? isa::VecOp::Combine
                                          : isa::VecOp::Requantize,
                                  0, wbase + recOff, th, tw, tc, dst,
                                  /*aAcc=*/true);
              r.set(Field::Vec_a_drain, !l.terms);
              s.exec.push_back(r);
            }
          } else if (l.kind == LayerKind::MaxPool || l.kind == LayerKind::AvgPool) {
            int64_t src = inSlot[slot];
            if (directIn) {
              src = X.at + wy.start * W * C;
              ex(s.exec, isa::reg::VEC_IN_W, W);
            } else {
              load(s.loads, 1, inSlot[slot],
                   X + (wy.start * W + wx.start) * C + c0, wy.interior,
                   wx.interior, cc, W * C, C, pad, &wy, &wx);
              ex(s.exec, isa::reg::VEC_IN_W, wx.total);
            }
            if (l.excludePad) {
              // The tile has one divisor: the spans cut where it changes.
              int64_t count = validWindow(y0, l.sh, l.kh, l.pt, H) *
                              validWindow(x0, l.sw, l.kw, l.pl, W);
              auto [mul, sft] = l.countScale.at(count);
              ex(s.exec, isa::reg::VEC_MUL_A, mul);
              ex(s.exec, isa::reg::VEC_SHIFT_A, sft);
            }
            s.exec.push_back(vec(l.kind == LayerKind::MaxPool ? isa::VecOp::MaxPool
                                                            : isa::VecOp::AvgPool,
                                 src, 0, th, tw, tc, dst));
          } else {
            // Elementwise over a th x tw x tc block.
            int64_t half = alignTo(th * tw * tc, t.sram.activationBuffer.alignmentBytes);
            int64_t a = inSlot[slot];
            // An operand broadcast per channel is read with zero row and
            // pixel strides; a scalar as th*tw rows of tc copies.
            auto operand = [&](int64_t sram, Addr base, Broadcast m) {
              if (m == Broadcast::Channel)
                load(s.loads, 1, sram, base + c0, th, tw, tc, 0, 0, 0);
              else if (m == Broadcast::Scalar)
                load(s.loads, 1, sram, base, th * tw, tc, 1, 0, 0, 0);
              else
                load(s.loads, 1, sram, base + (y0 * OW + x0) * OC + c0, th,
                     tw, tc, OW * OC, OC, 0);
            };
            int64_t b2 = a + half;
            if (directIn)
              a = X.at + y0 * W * C;
            else if (l.bcastA == Broadcast::None)
              load(s.loads, 1, a, X + (y0 * W + x0) * C + c0, th, tw, tc,
                   W * C, C, 0);
            else
              operand(a, X, l.bcastA);
            if (l.kind == LayerKind::Add) {
              if (directIn2)
                b2 = at(l.in2.value).at + y0 * OW * OC;
              else
                operand(b2, at(l.in2.value), l.bcastB);
              s.exec.push_back(vec(l.vop, a, b2, th, tw, tc, dst));
            } else if (l.kind == LayerKind::Lut) {
              int64_t table = wSlot[slot];
              if (residentWeights)
                table = residentPlace(lutAddr, 256);
              else
                loadBlock(s.loads, table, lutAddr, 256);
              s.exec.push_back(vec(isa::VecOp::Lut, a, table, th, tw, tc, dst));
            } else {
              s.exec.push_back(vec(isa::VecOp::Clamp, a, 0, th, tw, tc, dst));
            }
          }
          if (isLast && !directOut) {
            store(s.stores, dst, Y + (y0 * OW + x0) * OC + o0, th, tw, tc,
                  OW * OC, OC);
            s.endsTile = true;
          }
          steps.push_back(std::move(s));
        }
        ++tile;
      }
    }
  }
}

/// Applies the token protocol to `steps` and creates the ops.
std::vector<Instruction> Emitter::protocol() {
  int64_t tiles = 0;
  std::vector<Instruction> flat;
  for (size_t st = 0; st < steps.size(); ++st) {
    Step &s = steps[st];
    // A step that reads everything in place still passes the slot
    // tokens: a load-engine no-op carries them.
    if (s.loads.empty())
      s.loads.push_back(sync(isa::Engine::Load));
    if (st >= 2)
      s.loads.front().set(Field::Header_pop_next, 1);
    // The last LOAD (not a CONFIG) gives the token; configs come before.
    s.loads.back().set(Field::Header_push_next, 1);
    s.exec.front().set(Field::Header_pop_prev, 1);
    if (s.endsTile) {
      if (tiles >= 2)
        for (Instruction &i : s.exec)
          if (i.opcode == isa::Opcode::Vec) {
            i.set(Field::Header_pop_next, 1);
            break;
          }
      s.exec.back().set(Field::Header_push_next, 1);
      s.stores.front().set(Field::Header_pop_prev, 1);
      s.stores.back().set(Field::Header_push_prev, 1);
      ++tiles;
    }
    s.exec.back().set(Field::Header_push_prev, 1);
    for (auto *list : {&s.loads, &s.exec, &s.stores})
      flat.insert(flat.end(), list->begin(), list->end());
  }
  // Drain: execute takes the outstanding store tokens, then a barrier.
  int64_t n = steps.size();
  int64_t remS = std::min<int64_t>(tiles, 2);
  int64_t remL = std::min<int64_t>(n, 2);
  for (int64_t i = 0; i < remS; ++i) {
    Instruction s = sync(isa::Engine::Execute);
    s.set(Field::Header_pop_next, 1);
    flat.push_back(s);
  }
  Instruction barrier = sync(isa::Engine::Execute);
  barrier.set(Field::Header_push_prev, 1);
  flat.push_back(barrier);
  for (int64_t i = 0; i < remL + 1; ++i) {
    Instruction s = sync(isa::Engine::Load);
    s.set(Field::Header_pop_next, 1);
    flat.push_back(s);
  }
  return flat;
}

void Emitter::emitSteps() {
  for (const Instruction &i : protocol())
    createInstruction(*b, loc, i);
}
