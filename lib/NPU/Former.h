//===- Former.h - Layer formation's state, shared by its files --*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Internal to lib/NPU. The layer former (formLayers) in three files:
// FormLayers.cpp walks the function, keeps what the chip cannot run on the
// host and finishes the network; FormProducts.cpp forms conv / FC layers
// from the bit-width lowering's digit products (and synthesis terms);
// FormVectorOps.cpp forms the vector-unit and DMA layers (pools, binary
// ops, concat, LUT / clamp, transposes, slices).
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_LIB_NPU_FORMER_H
#define MOTE_LIB_NPU_FORMER_H

#include "Layers.h"

#include "Mote/MoteOps.h"
#include "Mote/MoteTypeUtils.h"
#include "mote/Numerics/Numerics.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseSet.h"

namespace mote::npu::form_detail {

using namespace mlir;
using mote::QuantParams;

/// A layer's name: the op's `mote.name`, its NameLoc, or its op kind and
/// source line.
std::string opName(Operation *op);

/// A layer anchored at `op` (diagnostics, name); builders may refine the
/// kind once they know it (pool type, LUT vs clamp, dense vs conv).
Layer startLayer(Operation *op, LayerKind kind, llvm::StringRef kindName);

struct Former {
  Former(func::FuncOp func, const TargetDescription &target)
      : func(func), target(target) {}

  func::FuncOp func;
  const TargetDescription &target;
  Network net;
  llvm::DenseSet<Operation *> handled;
  /// Alias root of each value (reshape, no-op transpose).
  llvm::DenseMap<Value, Value> alias;
  /// 32-bit products and rescales left for the layer that consumes them.
  SmallVector<Operation *> deferred;
  /// The layer being formed combines pow2 synthesis terms (exact shifts).
  bool synth = false;
  /// Biases of the synthesis terms' rescale convs, shifted to the layer's
  /// accumulator scale, per output channel.
  std::vector<int64_t> termBias;

  Value root(Value v);

  FailureOr<TensorRef> tensor(Operation *user, Value v,
                              bool batchDim = true);

  std::optional<std::vector<int64_t>> constValues(Value v);

  /// Fuses a single-use clamp following `v` into [lo, hi]; returns the
  /// layer's output value.
  Value fuseClamp(Value v, Layer &l);

  /// Per-channel requantization records as the interpreter's makeFinisher.
  LogicalResult requantRecords(Operation *op, double sx, const QuantParams &pw,
                               Value biasV, const TensorRef &out, int64_t oc,
                               Layer &l);

  /// Geometry of a product op (conv2d or fully_connected) into `l`.
  LogicalResult productGeometry(Operation *p, Layer &l, TensorRef &x);

  /// The input tensor (through its digit view) and geometry of product `p`
  /// into `l`.
  LogicalResult productInputGeometry(Operation *p, Layer &l);

  static Value productInput(Operation *p) { return p->getOperand(0); }
  static Value productWeights(Operation *p) { return p->getOperand(1); }

  /// Whether `v` is a per-tensor 32-bit accumulator.
  static bool isAcc(Value v);

  static LogicalResult learnedError(Operation *op);

  /// The shifts k[side] of an exact accumulator add: operand scale = result
  /// scale · 2^k, k >= 0, and Numerics' add rescale drops no bit (every
  /// multiplier is 2^30 and neither operand is scaled down to the shared
  /// scale, so the sum is a multiple of the final right shift), so the add
  /// is (lhs << k0) + (rhs << k1).
  LogicalResult exactAddShifts(AddOp add, int64_t k[2]);

  /// A pow2 synthesis term's rescale conv: weight 1, per-tensor scale, a
  /// requantization ratio of exactly 1 (an identity on the accumulator) and
  /// the term's bias, which is added at the layer's scale.
  LogicalResult termRescale(Conv2DOp r, int64_t shift,
                            SmallVector<std::pair<Operation *, int64_t>> &products,
                            Operation *group);

  /// Adds a synthesis term's bias `b` (on `owner`, its rescale conv or its
  /// product) to the layer's bias at the term's shift.
  LogicalResult addTermBias(Operation *owner, Value b, int64_t shift);

  /// Collects digit products under the rescale conv's input.
  LogicalResult collect(Value v, int64_t shift, SmallVector<std::pair<Operation *, int64_t>> &products,
                        Operation *group);

  /// One product's pass: activation digit and weight plane.
  LogicalResult addPass(Operation *p, int64_t expectShift, Layer &l,
                        Value &xRoot);

  LogicalResult convLayer(Operation *rescaleOrProduct);

  /// Geometry fields that every synthesis term's product must share.
  static SmallVector<int64_t, 20> geometryKey(const Layer &g);

  /// A learned/residual synthesis layer (docs/Synthesis.md): `sum` is the
  /// mote.requant of the terms' int32 sum ((T_0 + T_1) + ...), each T_i a
  /// per-channel mote.requant of term i's accumulator (its rescale conv
  /// over its digit products, or a native product). Term i's passes sum
  /// into its own accumulator tile and one VEC combine finishes the terms
  /// with per-term records derived exactly as the interpreter's requant
  /// (Numerics combineTerms), so the chip is bit-exact.
  LogicalResult synthesisLayer(RequantOp sum);

  LogicalResult poolLayer(Operation *op);

  /// add, sub, mul, maximum, minimum of two quantized tensors on the VEC
  /// unit, with the interpreter's rescaling (Numerics computeAddRescale,
  /// or one s_a * s_b / s_out multiplier for mul).
  LogicalResult binaryLayer(Operation *op);

  /// Whether `v` is `out` broadcast per channel (its shape, right-aligned
  /// to the result's, is 1 except the channel dim) or as a scalar; returns
  /// whether its leading dim is a batch dim.
  bool bcast(Value v, const TensorRef &out, Broadcast &mode);

  /// Concat: one layer copying (or requantizing) each input into its
  /// slice of the result. The result is viewed as pixels x channels with
  /// the concat axis and everything after it as the channels.
  LogicalResult concatLayer(ConcatOp op);

  LogicalResult unaryLayer(Operation *op);

  /// A transpose: alias if it keeps memory order, else a strided copy.
  LogicalResult transpose(TransposeOp t);

  /// A strided DMA copy layer from the op's input to its result (byte
  /// elements, the input's range, a row-major output); the caller fills
  /// the input geometry and calls finishCopy.
  FailureOr<Layer> copyLayer(Operation *op, StringRef kind);
  /// Normalises the copy's geometry (Layers.h) and adds the layer; fails
  /// when no LOAD / STORE pair can move one row of it.
  LogicalResult finishCopy(Layer &l);

  static SmallVector<int64_t> rowMajorStrides(RankedTensorType t);

  /// A strided slice (ShuffleNet's channel split, crops, flips): a strided
  /// DMA copy from the first element read (negative steps walk back).
  LogicalResult sliceLayer(SliceOp sl);
  /// Nearest resize: a strided copy where every dimension's index map is
  /// `i0 + (o / k) * s` (integer up- and down-scales); others stay on the
  /// host. Linear mode: interpolateLayer.
  LogicalResult resizeLayer(ResizeOp r);
  /// Linear resize of an NHWC tensor along H and/or W: an Interpolate
  /// layer (VEC Add weighted sums, Numerics.h's single rounding).
  LogicalResult interpolateLayer(ResizeOp r);
  /// Constant pad (standalone, ConvTranspose's zero insertion): the output
  /// is filled with the pad value, then the input is copied into its
  /// interior with the output's strides.
  LogicalResult padLayer(PadOp p);

  //===--------------------------------------------------------------------===//
  // Host segments
  //===--------------------------------------------------------------------===//

  /// The host segment being filled (an index into net.layers), if it is
  /// still the last layer: ops join it until an NPU layer follows.
  int64_t openHost = -1;
  /// The host segment (layer index) of each host op.
  llvm::DenseMap<Operation *, int64_t> hostOf;

  /// Keeps `op` on the host, in the open segment or a new one after every
  /// layer formed so far (so its operands are in DRAM when it runs).
  void addHostOp(Operation *op);

  bool inOpenHostSegment(Value v);

  /// Builds a single-op layer; if the chip cannot run this form of the op
  /// (a broadcast the VEC unit lacks, a 16-bit operand, ...), the op stays
  /// on the host instead: the reason is dropped, the program still runs.
  LogicalResult layerOrHost(Operation *op,
                            llvm::function_ref<LogicalResult()> build);

  /// Whether every user of `v` is the function's return.
  static bool onlyReturned(Value v);

  /// A model output the host computes (a float result, or a quantized one
  /// returned as is): written to DRAM by its segment.
  LogicalResult hostOutput(Value v, unsigned resultIndex);

  /// A model input a host segment reads as is (a float prologue before the
  /// first quantize): the simulator writes it to DRAM unquantized.
  LogicalResult floatInput(BlockArgument arg, Operation *user,
                           const HostValue &hv);

  /// The boundary of every host segment: operands defined outside it are
  /// inputs (constants are cloned into it instead), results used outside
  /// it are outputs.
  LogicalResult finishHostSegments();

  LogicalResult run();
};

} // namespace mote::npu::form_detail

#endif // MOTE_LIB_NPU_FORMER_H
