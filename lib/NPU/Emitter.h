//===- Emitter.h - The instruction emitter's state, shared ------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Internal to lib/NPU. The emitter that turns one tiled layer into npu
// instructions (its steps, EmitSteps.cpp), used by the program emission
// (Emit.cpp) and by tile pricing on the simulator (TilePricing.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_LIB_NPU_EMITTER_H
#define MOTE_LIB_NPU_EMITTER_H

#include "Layers.h"
#include "Tiling.h"

#include "mlir/IR/Builders.h"

#include <map>
#include <tuple>
#include <vector>

namespace mote::npu::emit_detail {

using isa::Field;
using isa::Instruction;
using mlir::Location;
using mlir::OpBuilder;
using mlir::Operation;
using mlir::Value;

inline int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

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
  std::vector<uint8_t> image; ///< DRAM constants (imageTop bytes).
  llvm::DenseMap<Value, int64_t> dram;
  /// Tensors kept in the activation buffer (MemoryPlan::onChip).
  llvm::DenseMap<Value, int64_t> onChip;
  /// While a cascade's stripe layer is built: where its input and output
  /// bands are (they take precedence over the tensors' own places).
  llvm::DenseMap<Value, Addr> stripePlace;
  /// Packed weight blocks and LUT tables by (anchor, output block, input
  /// chunk): a cascade builds a layer once per stripe, and its constants
  /// are packed once, at the same place in every run.
  using PackedBlock = std::tuple<int64_t, int64_t, std::vector<int64_t>, int64_t>;
  std::map<std::tuple<Operation *, int64_t, int64_t>, PackedBlock> packed;
  std::map<Operation *, int64_t> packedTables;
  int64_t dramTop = 0;
  // Register shadows to skip redundant CONFIGs.
  std::map<std::pair<int, int>, int64_t> regs;
  // Current layer state.
  std::vector<Step> steps;
  OpBuilder *b;
  Location loc;
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

  /// Constants are placed (addresses, sizes) but neither packed nor
  /// stored. For the runs that need only the constant image's layout (the
  /// dry runs before emission, constantBytes) and for tile pricing, whose
  /// simulator statistics do not depend on the data.
  bool measureOnly = false;

  /// The constant image's size; with measureOnly, `image` itself stays
  /// empty (the dry runs only need the layout).
  int64_t imageTop = 0;

  int64_t addConst(const std::vector<uint8_t> &bytes) {
    int64_t off = alignTo(imageTop, 64);
    imageTop = alignTo(off + int64_t(bytes.size()), 64);
    if (!measureOnly) {
      image.resize(off, 0);
      image.insert(image.end(), bytes.begin(), bytes.end());
      image.resize(imageTop, 0);
    }
    return off;
  }
  /// addConst of `bytes` zeros.
  int64_t addZeros(int64_t bytes) {
    int64_t off = alignTo(imageTop, 64);
    imageTop = alignTo(off + bytes, 64);
    if (!measureOnly)
      image.resize(imageTop, 0);
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
    if (auto it = stripePlace.find(v); it != stripePlace.end())
      return it->second;
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
  // Per-layer step generation (EmitSteps.cpp)
  //===--------------------------------------------------------------------===//

  /// The layout of a weight block (packBlock's): each plane's offset, the
  /// records' offset; returns its bytes.
  int64_t blockLayout(const Layer &l, int64_t tc, int64_t cc, bool records,
                      std::vector<int64_t> &planeOff, int64_t &recOff) const;
  /// Packs one weight block: planes (rows of K d-bit digits) + records.
  std::vector<uint8_t> packBlock(const Layer &l, int64_t o0, int64_t tc,
                                 int64_t c0, int64_t cc, bool records,
                                 std::vector<int64_t> &planeOff,
                                 int64_t &recOff);
  int64_t planeIndex(const Layer &l, int64_t key);
  /// Layer-wide VEC/MM registers, emitted into the first step.
  void layerRegs(const Layer &l, std::vector<Instruction> &o);
  /// A constant operand (an add of a constant tensor, the `x + 3` of an
  /// exported hard-sigmoid) lives in the constant image: its storage bytes,
  /// one per element in the tensor's own row-major order, as an activation
  /// in DRAM would be.
  void placeConstant(Value v);
  /// The steps of one layer (its tiles x input-channel chunks).
  void buildSteps(const Layer &l);
  /// The steps of a linear resize (EmitInterpolate.cpp), in the layer's
  /// double-buffered slots.
  void buildInterpolateSteps(const Layer &l, const int64_t inSlot[2],
                             const int64_t outSlot[2]);
  /// Applies the token protocol to `steps`: the layer's instructions.
  std::vector<Instruction> protocol();
  /// protocol(), created as ops at the builder.
  void emitSteps();
};

} // namespace mote::npu::emit_detail

#endif // MOTE_LIB_NPU_EMITTER_H
