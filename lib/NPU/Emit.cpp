//===- Emit.cpp - Emit npu instructions for formed, tiled layers ----------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Constant packing and instruction emission for a memory plan
// (MemoryPlan.cpp: activations on chip or in DRAM; an on-chip tensor is
// read and written by LOAD/STORE `on_chip` copies between its place and
// the tile slots at the bottom of the activation buffer), with the token
// protocol:
//
//  step t (one tile x input-channel chunk):
//    load:    [pop E->L if t >= 2] loads into slot t%2 ... [push L->E]
//    execute: [pop L->E] matmuls / vec ... [push E->L]
//             the first VEC writing output slot u%2 pops S->E if u >= 2,
//             the step's last instruction pushes E->S when it ends a tile
//    store:   [pop E->S] stores of tile u [push S->E]
//  layer end: execute drains S->E and pushes a barrier to load, load drains
//             E->L: the next layer's loads see this layer's stores (in DRAM
//             or on chip), and its stores follow this layer's loads.
//
// Program order is a valid serial schedule (every pop follows its push),
// so no queue depth can deadlock it; the engines overlap by running ahead.
//
//===----------------------------------------------------------------------===//

#include "Emit.h"
#include "Tiling.h"

#include "NPU/NPUOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "Mote/MoteAttrUtils.h"
#include "Mote/MoteOps.h"
#include "Mote/MoteTypeUtils.h"
#include "llvm/Support/Format.h"

using namespace mlir;
using namespace mote;
using namespace mote::npu;
using isa::Field;
using isa::Instruction;

namespace {

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

struct Step {
  std::vector<Instruction> loads, exec, stores;
  bool endsTile = false;
};

/// Where a DMA reads or writes a tensor: a DRAM address, or an
/// activation-buffer address of a tensor kept on chip (ISA.def `on_chip`).
struct Addr {
  int64_t at = 0;
  bool onChip = false;
  Addr(int64_t at = 0, bool onChip = false) : at(at), onChip(onChip) {}
  Addr operator+(int64_t d) const { return {at + d, onChip}; }
};

struct Emitter {
  const TargetDescription &t;
  Network &net;
  std::vector<uint8_t> image; ///< DRAM constants.
  llvm::DenseMap<Value, int64_t> dram;
  /// Tensors kept in the activation buffer (MemoryPlan::onChip).
  llvm::DenseMap<Value, int64_t> onChip;
  int64_t dramTop = 0;
  // Register shadows to skip redundant CONFIGs.
  std::map<std::pair<int, int>, int64_t> regs;
  // Current layer state.
  std::vector<Step> steps;
  OpBuilder *b;
  Location loc;
  int64_t tokensEL = 0, tokensSE = 0; // per-layer counts for the drain
  /// Resident weights: every weight block and table gets its own place in
  /// the weight buffer (bump-allocated in layer order, the same in the dry
  /// run and the real one) and is loaded once, by the program-load
  /// preamble; the layers then load no weights.
  bool residentWeights = false;
  int64_t residentTop = 0;
  struct ResidentLoad {
    int64_t sram, dram, bytes;
  };
  std::vector<ResidentLoad> residentLoads;

  Emitter(const TargetDescription &t, Network &net, OpBuilder &b, Location loc)
      : t(t), net(net), b(&b), loc(loc) {}

  int64_t addConst(const std::vector<uint8_t> &bytes) {
    int64_t off = alignTo(int64_t(image.size()), 64);
    image.resize(off, 0);
    image.insert(image.end(), bytes.begin(), bytes.end());
    image.resize(alignTo(int64_t(image.size()), 64), 0);
    return off;
  }

  static Instruction cfg(isa::Engine e, uint8_t reg, int64_t v) {
    Instruction i = isa::make(isa::Opcode::Config);
    i.set(Field::Config_engine, int64_t(e));
    i.set(Field::Config_reg, reg);
    i.set(Field::Config_value, v);
    return i;
  }
  void setReg(std::vector<Instruction> &out, isa::Engine e, uint8_t reg,
              int64_t v) {
    auto key = std::make_pair(int(e), int(reg));
    auto it = regs.find(key);
    if (it != regs.end() && it->second == v)
      return;
    regs[key] = v;
    out.push_back(cfg(e, reg, v));
  }
  void ex(std::vector<Instruction> &o, uint8_t r, int64_t v) {
    setReg(o, isa::Engine::Execute, r, v);
  }

  /// The place of an activation tensor.
  Addr at(Value v) const {
    if (auto it = onChip.find(v); it != onChip.end())
      return {it->second, true};
    return {dram.lookup(v), false};
  }

  /// LOAD of a rows x cols block of elem-byte elements.
  void load(std::vector<Instruction> &o, int64_t buffer, int64_t sram,
            Addr src, int64_t rows, int64_t cols, int64_t elem,
            int64_t rowStride, int64_t pixStride, int64_t padValue,
            const Window *wy = nullptr, const Window *wx = nullptr) {
    setReg(o, isa::Engine::Load, isa::reg::LD_ROW_STRIDE, rowStride);
    setReg(o, isa::Engine::Load, isa::reg::LD_PIX_STRIDE, pixStride);
    if (wy || wx)
      setReg(o, isa::Engine::Load, isa::reg::LD_PAD_VALUE, padValue);
    Instruction i = isa::make(isa::Opcode::Load);
    i.set(Field::Load_buffer, buffer).set(Field::Load_sram_addr, sram);
    i.set(Field::Load_dram_addr, src.at).set(Field::Load_on_chip, src.onChip);
    i.set(Field::Load_rows, rows).set(Field::Load_cols, cols);
    i.set(Field::Load_elem_bytes, elem);
    if (wy)
      i.set(Field::Load_pad_top, wy->padLo).set(Field::Load_pad_bottom, wy->padHi);
    if (wx)
      i.set(Field::Load_pad_left, wx->padLo).set(Field::Load_pad_right, wx->padHi);
    o.push_back(i);
  }

  /// A contiguous constant block of `bytes` (64-byte padded) into SRAM.
  void loadBlock(std::vector<Instruction> &o, int64_t sram, int64_t dramAddr,
                 int64_t bytes) {
    int64_t n64 = ceilDiv(bytes, 64);
    for (int64_t done = 0; done < n64; done += 4095) {
      int64_t n = std::min<int64_t>(4095, n64 - done);
      load(o, 0, sram + done * 64, dramAddr + done * 64, 1, n, 64, 0, 64, 0);
    }
  }

  /// The resident place of a constant block: allocated on first use.
  int64_t residentPlace(int64_t dramAddr, int64_t bytes) {
    for (const ResidentLoad &r : residentLoads)
      if (r.dram == dramAddr)
        return r.sram;
    int64_t sram = alignTo(residentTop, std::max<int64_t>(
                                            64, t.sram.weightBuffer.alignmentBytes));
    residentTop = sram + alignTo(bytes, 64);
    residentLoads.push_back({sram, dramAddr, bytes});
    return sram;
  }

  void store(std::vector<Instruction> &o, int64_t sram, Addr dst,
             int64_t rows, int64_t cols, int64_t elem, int64_t rowStride,
             int64_t pixStride) {
    setReg(o, isa::Engine::Store, isa::reg::ST_ROW_STRIDE, rowStride);
    setReg(o, isa::Engine::Store, isa::reg::ST_PIX_STRIDE, pixStride);
    Instruction i = isa::make(isa::Opcode::Store);
    i.set(Field::Store_buffer, 1).set(Field::Store_sram_addr, sram);
    i.set(Field::Store_dram_addr, dst.at).set(Field::Store_on_chip, dst.onChip);
    i.set(Field::Store_rows, rows).set(Field::Store_cols, cols);
    i.set(Field::Store_elem_bytes, elem);
    o.push_back(i);
  }

  Instruction vec(isa::VecOp op, int64_t srcA, int64_t srcB, int64_t oh,
                  int64_t ow, int64_t ch, int64_t dst, bool aAcc = false) {
    Instruction i = isa::make(isa::Opcode::Vec);
    i.set(Field::Vec_op, int64_t(op)).set(Field::Vec_src_a, srcA);
    i.set(Field::Vec_src_b, srcB).set(Field::Vec_out_h, oh);
    i.set(Field::Vec_out_w, ow).set(Field::Vec_channels, ch);
    i.set(Field::Vec_dst_addr, dst).set(Field::Vec_a_acc, aAcc);
    return i;
  }

  static Instruction sync(isa::Engine e) {
    Instruction i = isa::make(isa::Opcode::Sync);
    i.set(Field::Sync_engine, int64_t(e));
    return i;
  }

  //===--------------------------------------------------------------------===//
  // Per-layer step generation
  //===--------------------------------------------------------------------===//

  /// Packs one weight block: planes (rows of K d-bit digits) + records.
  std::vector<uint8_t> packBlock(const Layer &l, int64_t o0, int64_t tc,
                                 int64_t c0, int64_t cc, bool records,
                                 std::vector<int64_t> &planeOff,
                                 int64_t &recOff) {
    unsigned d = t.macArray.digitBits;
    int64_t wa = t.sram.weightBuffer.alignmentBytes;
    int64_t k = l.kh * l.kw * (l.depthwise ? 1 : cc);
    int64_t rowBytes = (k * d + 7) / 8;
    std::vector<uint8_t> out;
    planeOff.clear();
    for (auto &[digit, plane] : l.planes) {
      int64_t base = alignTo(int64_t(out.size()), wa);
      out.resize(base + tc * rowBytes, 0);
      planeOff.push_back(base);
      for (int64_t o = 0; o < tc; ++o) {
        int64_t bit = 0;
        for (int64_t ky = 0; ky < l.kh; ++ky)
          for (int64_t kx = 0; kx < l.kw; ++kx)
            for (int64_t c = 0; c < (l.depthwise ? 1 : cc); ++c, bit += d) {
              int64_t idx = (((o0 + o) * l.kh + ky) * l.kw + kx) * l.cg +
                            (l.depthwise ? 0 : c0 + c);
              uint64_t v = uint64_t(plane[idx]) & ((1u << d) - 1);
              for (unsigned bb = 0; bb < d; ++bb)
                if (v >> bb & 1)
                  out[base + o * rowBytes + (bit + bb) / 8] |=
                      uint8_t(1u << ((bit + bb) % 8));
            }
      }
    }
    recOff = alignTo(int64_t(out.size()), wa);
    if (records && l.terms) {
      // Synthesis terms: term-major records {bias, M, S} (VEC combine).
      out.resize(recOff + l.terms * tc * 12, 0);
      int64_t oc = l.out.c;
      for (int64_t ti = 0; ti < l.terms; ++ti)
        for (int64_t o = 0; o < tc; ++o) {
          size_t at = size_t(ti * oc + o0 + o);
          int32_t rec[3] = {l.combBias[at], l.combMult[at], l.combShift[at]};
          for (int r = 0; r < 3; ++r)
            for (int byte = 0; byte < 4; ++byte)
              out[recOff + (ti * tc + o) * 12 + r * 4 + byte] =
                  uint8_t(uint32_t(rec[r]) >> (8 * byte));
        }
    } else if (records) {
      out.resize(recOff + tc * 12, 0);
      for (int64_t o = 0; o < tc; ++o) {
        int32_t rec[3] = {l.bias[o0 + o], l.mult[o0 + o], l.shift[o0 + o]};
        for (int r = 0; r < 3; ++r)
          for (int byte = 0; byte < 4; ++byte)
            out[recOff + o * 12 + r * 4 + byte] =
                uint8_t(uint32_t(rec[r]) >> (8 * byte));
      }
    }
    return out;
  }

  int64_t planeIndex(const Layer &l, int64_t key) {
    int64_t i = 0;
    for (auto &kv : l.planes) {
      if (kv.first == key)
        return i;
      ++i;
    }
    return 0;
  }

  /// Layer-wide VEC/MM registers, emitted into the first step.
  void layerRegs(const Layer &l, std::vector<Instruction> &o) {
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
  void placeConstant(Value v) {
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

  void buildSteps(const Layer &l) {
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
      int64_t r = l.copyShape.size();
      int64_t rows = l.th, cols = l.tw, outer = 1;
      for (int64_t i = 0; i + 2 < r; ++i)
        outer *= l.copyShape[i];
      int64_t rowStride = r >= 2 ? l.copyStrides[r - 2] : 0;
      for (int64_t n = 0; n < outer; ++n) {
        Step s;
        int64_t src = l.copyBase, rem = n;
        for (int64_t i = r - 3; i >= 0; --i) {
          src += (rem % l.copyShape[i]) * l.copyStrides[i];
          rem /= l.copyShape[i];
        }
        int64_t slot = tile % 2;
        load(s.loads, 1, inSlot[slot], X + src, rows, cols, 1, rowStride,
             l.copyStrides[r - 1], 0);
        if (first)
          layerRegs(l, s.exec), first = false;
        int64_t dst = outSlot[slot];
        s.exec.push_back(vec(isa::VecOp::Clamp, inSlot[slot], 0, rows, cols, 1, dst));
        store(s.stores, dst, Y + n * rows * cols, rows, cols, 1, cols, 1);
        s.endsTile = true;
        steps.push_back(std::move(s));
        ++tile;
      }
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
    if (l.kind == LayerKind::Lut)
      lutAddr = addConst(l.table);
    if (conv)
      for (int64_t o0 = 0; o0 < OC; o0 += l.tc)
        for (int64_t ci = 0; ci < nc; ++ci) {
          int64_t tc = std::min(l.tc, OC - o0);
          int64_t c0 = chanTied ? o0 : ci * l.cc;
          int64_t cc = chanTied ? tc : std::min(l.cc, Cred - c0);
          std::vector<int64_t> planeOff;
          int64_t recOff;
          auto bytes = packBlock(l, o0, tc, c0, cc, ci == nc - 1, planeOff, recOff);
          int64_t addr = addConst(bytes);
          blocks[{o0, ci}] = {addr, int64_t(bytes.size()), planeOff, recOff};
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
            int64_t dst = outSlot[oslot];
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
              load(s.loads, 1, inSlot[slot],
                   X + (wy.start * W + wx.start) * C + groupBase(o0) + c0,
                   wy.interior, wx.interior, cc, W * C, C, pad, &wy, &wx);
              ex(s.exec, isa::reg::MM_IN_W, wx.total);
              ex(s.exec, isa::reg::MM_IN_C, cc);
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
                m.set(Field::MatMul_act_addr, inSlot[slot]);
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
                s.exec.push_back(m);
                firstPass = false;
              }
              if (isLast)
                s.exec.push_back(vec(l.terms ? isa::VecOp::Combine
                                             : isa::VecOp::Requantize,
                                     0, wbase + recOff, th, tw, tc, dst,
                                     /*aAcc=*/true));
            } else if (l.kind == LayerKind::MaxPool || l.kind == LayerKind::AvgPool) {
              load(s.loads, 1, inSlot[slot],
                   X + (wy.start * W + wx.start) * C + c0, wy.interior,
                   wx.interior, cc, W * C, C, pad, &wy, &wx);
              ex(s.exec, isa::reg::VEC_IN_W, wx.total);
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
                                   inSlot[slot], 0, th, tw, tc, dst));
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
              if (l.bcastA == Broadcast::None)
                load(s.loads, 1, a, X + (y0 * W + x0) * C + c0, th, tw, tc,
                     W * C, C, 0);
              else
                operand(a, X, l.bcastA);
              if (l.kind == LayerKind::Add) {
                operand(a + half, at(l.in2.value), l.bcastB);
                s.exec.push_back(vec(l.vop, a, a + half, th, tw, tc, dst));
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
            if (isLast) {
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
  void emitSteps() {
    int64_t tiles = 0;
    std::vector<Instruction> flat;
    for (size_t st = 0; st < steps.size(); ++st) {
      Step &s = steps[st];
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
    for (const Instruction &i : flat)
      createInstruction(*b, loc, i);
  }
};

} // namespace

/// The host segment `l` as an npu.host_segment: its ops cloned into the
/// region (constants they read cloned too; the pipeline's npu.*
/// annotations dropped), block arguments for its inputs, npu.host_yield of
/// its outputs, and their DRAM addresses.
static void emitHostSegment(OpBuilder &b, const Layer &l, int64_t index,
                            const llvm::DenseMap<Value, int64_t> &dram) {
  SmallVector<int64_t> inAddrs, outAddrs;
  for (const HostValue &v : l.hostIns)
    inAddrs.push_back(dram.lookup(v.dram));
  for (const HostValue &v : l.hostOuts)
    outAddrs.push_back(dram.lookup(v.dram));
  Location loc = l.anchor->getLoc();
  auto seg = HostSegmentOp::create(b, loc, index, inAddrs, outAddrs);
  Block *body = new Block();
  seg.getBody().push_back(body);
  OpBuilder sb = OpBuilder::atBlockEnd(body);
  IRMapping map;
  for (const HostValue &v : l.hostIns)
    map.map(v.value, body->addArgument(v.value.getType(), loc));
  auto cloneOp = [&](Operation *op) {
    Operation *c = sb.clone(*op, map);
    SmallVector<StringAttr> drop;
    for (NamedAttribute a : c->getAttrs())
      if (a.getName().strref().starts_with("npu."))
        drop.push_back(a.getName());
    for (StringAttr a : drop)
      c->removeAttr(a);
  };
  for (Operation *op : l.hostOps) {
    for (Value v : op->getOperands())
      if (!map.contains(v))
        if (Operation *def = v.getDefiningOp(); def && llvm::isa<ConstantOp>(def))
          cloneOp(def);
    cloneOp(op);
  }
  SmallVector<Value> results;
  for (const HostValue &v : l.hostOuts)
    results.push_back(map.lookup(v.value));
  HostYieldOp::create(sb, loc, results);
}

int64_t mote::npu::constantBytes(Network &net, const TargetDescription &t,
                                 MLIRContext *ctx) {
  // A dry run of step generation packs every constant.
  OpBuilder dry(ctx);
  Block scratch;
  dry.setInsertionPointToEnd(&scratch);
  Emitter d(t, net, dry, UnknownLoc::get(ctx));
  for (Layer &l : net.layers)
    if (l.kind != LayerKind::Host)
      d.buildSteps(l);
  return int64_t(d.image.size());
}

LogicalResult mote::npu::emitProgram(Network &net, const TargetDescription &t,
                                     const MemoryPlan &plan, ModuleOp module,
                                     Location loc, WeightMode weights) {
  OpBuilder b(module.getContext());
  b.setInsertionPointToEnd(module.getBody());
  std::string hash;
  llvm::raw_string_ostream(hash) << llvm::format_hex(t.hash(), 18);
  auto program = ProgramOp::create(b, loc, t.name, hash, 0);
  Block *body = new Block();
  program.getBody().push_back(body);
  OpBuilder pb = OpBuilder::atBlockEnd(body);
  Emitter e(t, net, pb, loc);
  // Constants first: pack every conv's blocks in a dry run so that the
  // activation plan starts after them. The dry run also places resident
  // weights; `auto` streams them when they do not fit the weight buffer.
  std::vector<Emitter::ResidentLoad> preamble;
  int64_t residentBytes = 0;
  for (bool tryResident : {true, false}) {
    if (tryResident && weights == WeightMode::Stream)
      continue;
    OpBuilder dry(module.getContext());
    Block scratch;
    dry.setInsertionPointToEnd(&scratch);
    Emitter d(t, net, dry, loc);
    d.residentWeights = tryResident;
    for (Layer &l : net.layers)
      if (l.kind != LayerKind::Host)
        d.buildSteps(l);
    scratch.clear();
    int64_t capacity = std::min<int64_t>(t.sram.weightBuffer.bytes, 1 << 20);
    if (tryResident && d.residentTop > capacity) {
      if (weights == WeightMode::Resident)
        return emitError(loc, "NPU lowering: --weights=resident: the packed "
                              "weights need ")
               << d.residentTop << " bytes of the weight_buffer, which has "
               << t.sram.weightBuffer.bytes << " bytes on target '" << t.name
               << "' (use --weights=stream or --weights=auto)";
      continue;
    }
    e.image = d.image;
    e.residentWeights = tryResident;
    preamble = d.residentLoads;
    residentBytes = d.residentTop;
    break;
  }
  if (alignTo(int64_t(e.image.size()), 64) > alignTo(plan.constBytes, 64))
    return emitError(loc, "NPU lowering: the DRAM plan starts activations "
                          "at ")
           << alignTo(plan.constBytes, 64) << " but the constants need "
           << e.image.size() << " bytes (stale npu.dram attributes?)";
  e.dram = plan.addr;
  e.onChip = plan.onChip;
  e.dramTop = plan.top;
  for (Layer &l : net.layers)
    for (Value v : layerInputs(l))
      if (v && !e.dram.count(v) && !e.onChip.count(v) &&
          !(l.kind != LayerKind::Host && v.getDefiningOp<mote::ConstantOp>()))
        return l.anchor->emitError("NPU lowering: an operand of this ")
               << l.kindName << " is computed by no NPU layer or host "
               << "segment and is no model input (a constant activation?)";
  // The real emission re-packs constants into the same places.
  std::vector<uint8_t> image = e.image;
  e.image.clear();
  // Data segments, I/O descriptors, host ops.
  OpBuilder top = OpBuilder::atBlockEnd(body);
  for (auto &io : net.io) {
    int64_t bytes = io.bytes();
    if (!e.dram.count(io.value))
      return emitError(loc, "NPU lowering: I/O tensor '") << io.name
             << "' has no DRAM buffer (an output computed by no layer?)";
    IOOp::create(top, loc, top.getStringAttr(io.name),
                 top.getBoolAttr(io.isInput),
                 top.getDenseI64ArrayAttr(io.shape),
                 top.getDenseI64ArrayAttr(io.perm),
                 top.getStringAttr(io.layout), top.getStringAttr(io.dtype),
                 top.getI64IntegerAttr(e.dram[io.value]),
                 top.getI64IntegerAttr(bytes), top.getF64FloatAttr(io.scale),
                 top.getI64IntegerAttr(io.zp));
  }
  // The program-load preamble: every resident block, once. The layers
  // start from reset registers, so the register shadow starts afresh.
  if (e.residentWeights && !preamble.empty()) {
    auto load = ProgramLoadOp::create(top, loc, residentBytes);
    Block *lb = new Block();
    load.getBody().push_back(lb);
    OpBuilder lbld = OpBuilder::atBlockEnd(lb);
    std::vector<Instruction> loads;
    for (const Emitter::ResidentLoad &r : preamble)
      e.loadBlock(loads, r.sram, r.dram, r.bytes);
    for (const Instruction &i : loads)
      createInstruction(lbld, loc, i);
    e.regs.clear();
  }
  int64_t segments = 0;
  for (Layer &l : net.layers) {
    if (l.kind == LayerKind::Host) {
      emitHostSegment(top, l, segments++, e.dram);
      continue;
    }
    e.buildSteps(l);
    int64_t digitMacs = l.macs * std::max<size_t>(1, l.passes.size());
    auto layer = LayerOp::create(top, loc, l.name, l.kindName, l.macs,
                                 digitMacs, 0, 0);
    layer->setAttr("tile", top.getDenseI64ArrayAttr({l.th, l.tw, l.tc, l.cc}));
    layer->setAttr("loop_order", top.getStringAttr("oc,oh,ow,ic"));
    Block *lb = new Block();
    layer.getBody().push_back(lb);
    OpBuilder lbld = OpBuilder::atBlockEnd(lb);
    e.b = &lbld;
    e.emitSteps();
  }
  if (e.image != image)
    return emitError(loc, "NPU lowering: internal error: constant image "
                          "differs between planning and emission");
  // Data segment (one, the whole constant image) before everything.
  OpBuilder front = OpBuilder::atBlockBegin(body);
  if (!image.empty()) {
    auto type = RankedTensorType::get({int64_t(image.size())}, front.getI8Type());
    auto data = DenseElementsAttr::get(
        type, ArrayRef<char>(reinterpret_cast<const char *>(image.data()), image.size()));
    DataOp::create(front, loc, 0, cast<ElementsAttr>(data));
  }
  OpBuilder end = OpBuilder::atBlockEnd(body);
  createInstruction(end, loc, isa::make(isa::Opcode::Finish));
  program.setDramBytes(std::max<int64_t>(e.dramTop, int64_t(image.size())));
  return success();
}

std::optional<WeightMode> mote::npu::parseWeightMode(llvm::StringRef name) {
  if (name == "auto")
    return WeightMode::Auto;
  if (name == "resident")
    return WeightMode::Resident;
  if (name == "stream")
    return WeightMode::Stream;
  return std::nullopt;
}
