//===- Layers.h - Mote -> NPU: layer formation and tiling -------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The data structures the Mote -> NPU lowering works on: a network as a list
// of NPU layers (each one fused group of `mote` ops with its integer
// parameters already derived through mote/Numerics), the DRAM tensors
// between them, and each layer's tile choice.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_LIB_NPU_LAYERS_H
#define MOTE_LIB_NPU_LAYERS_H

#include "mote/ISA/ISA.h"
#include "mote/Target/TargetDescription.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/DenseMap.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mote::npu {

/// One digit pass of a product: activation digit x weight digit plane.
struct DigitPass {
  int64_t aDigit = 0, wDigit = 0;
  bool aSigned = false, wSigned = false;
  /// Left shift of the pass's products: digit_bits · (aDigit + wDigit),
  /// plus the exact power-of-two term shift of pow2 synthesis.
  int64_t shift = 0;
  /// Key of the pass's weight plane in Layer::planes.
  int64_t plane = 0;
  /// Learned/residual synthesis: the term whose partial sum (its own
  /// accumulator tile region) the pass adds into.
  int64_t term = 0;
};

/// A DRAM tensor: NHWC-style [H, W, C] view (batch 1), storage bytes.
struct TensorRef {
  mlir::Value value;  ///< The root value (aliases resolved).
  int64_t h = 1, w = 1, c = 1;
  int64_t zp = 0;
  bool isSigned = false;
  int64_t qmin = 0, qmax = 255;
  double scale = 1;
  int64_t bytes() const { return h * w * c; }
};

enum class LayerKind {
  Conv, MaxPool, AvgPool, Add, Lut, Clamp, Copy, Concat, Interpolate,
  /// Ops the chip cannot run, run by the host where they stand (HOST).
  Host
};

/// A tensor crossing a host segment's boundary through DRAM.
struct HostValue {
  mlir::Value value; ///< As the segment's ops see it (its type, its shape).
  mlir::Value dram;  ///< The DRAM tensor holding its bytes (aliases resolved).
  std::string dtype; ///< dramDtypeName: "u8", "i8", "i32", "f32", ...
  int64_t bytes = 0;
};

/// A weight digit plane: the digit values (storage value minus the output
/// channel's zero point; at most 8 bits, signed or unsigned, so int16) of
/// a constant in its OHWI order. Only emission needs the values, so they
/// are read from the constant on first use: layer formation, which every
/// NPU pass repeats, only checks them (ResNet-50 has 51 M weight digits).
/// Shared (std::shared_ptr) and immutable: layers are copied (tile trials,
/// cascade stripes) and the planes are nearly all of a layer's bytes.
class DigitPlaneValues {
public:
  /// `values` holds the storage values of `channels` output channels
  /// (quantization `q`), read as forEachIntElement reads them.
  DigitPlaneValues(mlir::ElementsAttr values, bool isSigned,
                   llvm::SmallVector<int64_t, 1> zeroPoints, int64_t channels)
      : attr(values), isSigned(isSigned), zeroPoints(std::move(zeroPoints)),
        channels(channels) {}
  /// The digit values, read on the first call (not thread-safe).
  const std::vector<int16_t> &values() const;
  /// The same digit values (without reading them when both come from the
  /// same constant and zero points).
  bool sameValues(const DigitPlaneValues &other) const;

private:
  mlir::ElementsAttr attr;
  bool isSigned;
  llvm::SmallVector<int64_t, 1> zeroPoints; ///< One, or one per channel.
  int64_t channels;
  mutable std::optional<std::vector<int16_t>> decoded;
};
using DigitPlane = std::shared_ptr<const DigitPlaneValues>;

/// How an elementwise operand is read: whole, one value per channel
/// (broadcast over pixels), or one value (broadcast over everything).
enum class Broadcast { None, Channel, Scalar };

struct Layer {
  LayerKind kind;
  std::string name, kindName;
  mlir::Operation *anchor = nullptr; ///< For diagnostics.
  TensorRef in, in2, out;
  // Window geometry (conv and pools).
  int64_t kh = 1, kw = 1, sh = 1, sw = 1, dh = 1, dw = 1;
  int64_t pt = 0, pb = 0, pl = 0, pr = 0;
  bool depthwise = false;
  /// Grouped (non-depthwise) convolution: `groups` groups of `cg` input and
  /// out.c / groups output channels; an output tile never straddles a group.
  int64_t groups = 1;
  // Conv: passes, weight planes by key (the w digit; with pow2 synthesis
  // terms, distinct planes numbered in order) (OHWI storage digit values,
  // [O][KH][KW][Cg]), requantization records.
  std::vector<DigitPass> passes;
  std::map<int64_t, DigitPlane> planes;
  int64_t cg = 1;
  std::vector<int32_t> bias, mult, shift;
  /// Learned/residual synthesis (terms > 0): each term's passes sum into
  /// the term's own accumulator tile and one VEC combine finishes them
  /// with these records, term-major ([term][channel]; Numerics
  /// combineTerms) and the sum's multiplier mulOut/shiftOut.
  int64_t terms = 0;
  std::vector<int32_t> combBias, combMult, combShift;
  // Output clamp (storage values) and VEC parameters.
  int64_t lo = 0, hi = 255;
  int64_t mulA = 0, shiftA = 0, mulB = 0, shiftB = 0, mulOut = 0, shiftOut = 0;
  std::vector<uint8_t> table;
  // Elementwise binary (LayerKind::Add: add, sub, mul, maximum, minimum):
  // the VEC op and the broadcast of each operand.
  isa::VecOp vop = isa::VecOp::Add;
  Broadcast bcastA = Broadcast::None, bcastB = Broadcast::None;
  // Concat: the inputs in order (each `c` channels at its offset of the
  // output's pixels) and their rescale {M, S} to the output (M = 0: same
  // type, copied).
  std::vector<TensorRef> ins;
  std::vector<std::pair<int64_t, int64_t>> insScale;
  // Copy (strided DMA: transpose, slice, nearest resize, pad): index i of
  // copyShape moves copyElem contiguous bytes from input byte
  // copyBase + sum(i_d * copyStrides[d]) to output byte
  // copyOutBase + sum(i_d * copyOutStrides[d]). Normalised (FormCopies.cpp):
  // rank >= 2, no unit dims, mergeable dims merged, the innermost
  // contiguous run folded into copyElem. A pad first fills the whole
  // output with copyFillValue (`copyFill`).
  llvm::SmallVector<int64_t, 4> copyShape, copyStrides, copyOutStrides;
  int64_t copyBase = 0, copyOutBase = 0, copyElem = 1;
  bool copyFill = false;
  int64_t copyFillValue = 0;
  // Interpolate (linear resize of an NHWC tensor, Numerics.h): per output
  // row and column the input index pair and their 10-bit weights; along a
  // dimension that is not weighted, i0 == i1 is the element selected.
  struct InterpTap {
    int64_t i0, i1, w0, w1;
  };
  std::vector<InterpTap> tapsY, tapsX;
  bool weightedY = false, weightedX = false;
  int64_t macs = 0;
  /// Average pooling that leaves padding out of the count (ONNX's default):
  /// the divisor differs at the borders, so Emit cuts tiles where it
  /// changes and sets VEC_MUL_A/SHIFT_A per tile from this table of
  /// count -> {M, S} of s_in / (s_out · count).
  bool excludePad = false;
  std::map<int64_t, std::pair<int64_t, int64_t>> countScale;
  // Host segment: its ops in block order, and the tensors it reads and
  // writes (outputs are their own DRAM tensors).
  std::vector<mlir::Operation *> hostOps;
  std::vector<HostValue> hostIns, hostOuts;
  // Tiling (chosen by chooseTiling).
  int64_t th = 1, tw = 1, tc = 1, cc = 1;
};

/// Input positions of output index `o` that lie inside [0, n) for a window
/// of `k` at stride `s` after `padLo` padding: the divisor of an average
/// pool that excludes padding, along one axis.
inline int64_t validWindow(int64_t o, int64_t s, int64_t k, int64_t padLo,
                           int64_t n) {
  int64_t start = o * s - padLo;
  return std::min(start + k, n) - std::max<int64_t>(start, 0);
}

/// The DRAM tensors a layer reads.
inline llvm::SmallVector<mlir::Value, 4> layerInputs(const Layer &l) {
  llvm::SmallVector<mlir::Value, 4> vs;
  if (l.kind == LayerKind::Host) {
    for (const HostValue &v : l.hostIns)
      vs.push_back(v.dram);
    return vs;
  }
  if (l.kind == LayerKind::Concat) {
    for (const TensorRef &t : l.ins)
      vs.push_back(t.value);
    return vs;
  }
  vs.push_back(l.in.value);
  if (l.in2.value)
    vs.push_back(l.in2.value);
  return vs;
}

/// The DRAM tensors a layer writes, with their sizes in bytes.
inline llvm::SmallVector<std::pair<mlir::Value, int64_t>, 2>
layerOutputs(const Layer &l) {
  llvm::SmallVector<std::pair<mlir::Value, int64_t>, 2> vs;
  if (l.kind == LayerKind::Host) {
    for (const HostValue &v : l.hostOuts)
      vs.push_back({v.dram, v.bytes});
    return vs;
  }
  vs.push_back({l.out.value, l.out.bytes()});
  return vs;
}

/// The whole network.
struct Network {
  std::vector<Layer> layers;
  struct IO {
    std::string name, layout, dtype;
    bool isInput = true;
    llvm::SmallVector<int64_t, 4> shape, perm;
    mlir::Value value;
    double scale = 1;
    int64_t zp = 0;
    int64_t elemBytes = 1; ///< 4 for "f32" / "i32".
    /// Outputs: the function result it is (outputs are kept in that order).
    int64_t resultIndex = 0;
    int64_t bytes() const {
      int64_t n = elemBytes;
      for (int64_t d : shape)
        n *= d;
      return n;
    }
  };
  std::vector<IO> io;
};


/// Forms layers from a quantized, bit-width-lowered function (DESIGN §6).
/// Emits an error naming the op and fails on anything the chip cannot run.
mlir::FailureOr<Network> formLayers(mlir::func::FuncOp func,
                                    const TargetDescription &target);

/// Chooses each layer's tile sizes by the cost model; fails with an error
/// naming the op and the target when no tile fits.
mlir::LogicalResult chooseTiling(Network &net, const TargetDescription &target);

/// Chooses one layer's tile (see chooseTiling).
mlir::LogicalResult chooseTile(Layer &l, const TargetDescription &target);

/// A tile that fits, with the tiler's first-order estimate.
struct TileChoice {
  double cost = 0;     ///< Estimated cycles.
  int64_t dram = 0;    ///< Estimated DRAM bytes if everything streamed.
  bool wholeRows = false;   ///< Every output channel, the full width.
  bool weightsOnce = false; ///< Each weight block loaded once per layer.
  int64_t th = 1, tw = 1, tc = 1, cc = 1;
  int64_t steps = 1; ///< Tiles times input-channel chunks.
};

/// Every tile of `l` that fits `target`, cheapest estimate first.
std::vector<TileChoice> tileChoices(const Layer &l,
                                    const TargetDescription &target);

/// Re-chooses the tiles of layers `unpinned` by pricing a short list of
/// them (the estimate's best few, the best of whole rows, the best that
/// loads each weight block once) on the simulator, each layer emitted
/// alone in the context of a provisional memory plan (TilePricing.cpp):
/// the lowest energy per inference wins, then the fewest cycles.
void priceTiles(Network &net, const TargetDescription &target,
                llvm::ArrayRef<int64_t> unpinned, mlir::MLIRContext *ctx);

/// Checks a given tile (`th, tw, tc, cc` already set, e.g. from the
/// `npu.tile` attribute): a tile of this layer that fits the target.
mlir::LogicalResult checkTile(const Layer &l, const TargetDescription &target);

/// Where the activations live: kept in the activation buffer between
/// layers where they fit (Auto), or every one through DRAM.
enum class ActivationMode { Auto, Dram };

/// Parses "auto" | "dram".
std::optional<ActivationMode> parseActivationMode(llvm::StringRef name);

/// Where every activation tensor lives: DRAM addresses above the constant
/// image (model inputs and outputs, tensors a host segment touches, and
/// what does not fit on chip), or an activation-buffer address above the
/// tile slots of every layer during its live range (MemoryPlan.cpp).
/// A chain of layers run stripe by stripe (Vela-style cascading): the
/// output rows of `last` in stripes of `stripeRows`, each stripe running
/// every layer of the chain on just the rows the next one needs (halo rows
/// recomputed), so the chain's intermediate tensors live in on-chip band
/// buffers and never whole (Cascade.cpp).
struct Cascade {
  int64_t first = 0, last = 0; ///< Layer indices, inclusive, first < last.
  int64_t stripeRows = 1;
  /// At most this many output rows per tile in the stripe layers (0: the
  /// layers' own tiles), so that their slots leave room for the bands.
  int64_t tileRows = 0;
};

/// Rows [lo, hi) of a tensor.
struct RowRange {
  int64_t lo = 0, hi = 0;
  int64_t size() const { return hi - lo; }
};

/// The rows one stripe of a cascade reads and writes, per layer of the
/// chain (index 0 = `first`): each layer's output rows, and the first
/// layer's input rows.
struct Stripe {
  RowRange in;                  ///< Input rows of `first`.
  std::vector<RowRange> out;    ///< Output rows of each layer.
};

struct MemoryPlan {
  llvm::DenseMap<mlir::Value, int64_t> addr;   ///< DRAM byte address.
  /// Activation-buffer address: of the whole tensor, or of its band buffer
  /// when a cascade's intermediate (bandBytes then holds the band's size).
  llvm::DenseMap<mlir::Value, int64_t> onChip;
  llvm::DenseMap<mlir::Value, int64_t> bandBytes;
  std::vector<Cascade> cascades;
  int64_t constBytes = 0; ///< Size of the constant image below them.
  int64_t top = 0;        ///< End of the highest DRAM buffer.
};

/// Plans the activations (MemoryPlan.cpp): with `mode` Auto, liveness
/// first fit in the activation buffer above the tile slots for every
/// tensor only NPU layers read and write, in order of the DRAM energy it
/// saves per byte; the rest (and everything with Dram) first fit with
/// reuse in DRAM above `constBytes`. Needs the layers' tiles.
MemoryPlan planMemory(const Network &net, const TargetDescription &t,
                      int64_t constBytes, ActivationMode mode);

/// Checks a plan (e.g. read from `npu.dram` / `npu.sram` attributes):
/// every DRAM tensor has a 64-byte aligned address above the constants,
/// every on-chip tensor lies above the tile slots of the layers it lives
/// through and inside the activation buffer, is neither a model input or
/// output nor touched by a host segment, and tensors live at the same time
/// do not overlap. Errors name the layer and the buffer, at `where`.
mlir::LogicalResult verifyMemoryPlan(const Network &net,
                                     const TargetDescription &t,
                                     const MemoryPlan &plan,
                                     mlir::Operation *where);

/// Whether a layer may run in a cascade: one input, row-local (a window
/// over rows, or elementwise), a tile that can be cut in rows.
bool cascadable(const Layer &l);

/// The input rows a layer reads to produce output rows `out`.
RowRange inputRows(const Layer &l, RowRange out);

/// The stripes of a cascade, top to bottom.
std::vector<Stripe> cascadeStripes(const Network &net, const Cascade &c);

/// The band-buffer bytes of each intermediate of a cascade (index 0: the
/// output of `first`): its widest stripe's rows x width x channels.
std::vector<int64_t> bandSizes(const Network &net, const Cascade &c);

/// Layer `l` restricted to a stripe: output rows `out` from input rows
/// `in` (its own receptive field), padding kept only at the tensor's real
/// edges, MACs scaled down, tile rows cut to the stripe (and to
/// `tileRows` when positive).
Layer stripeLayer(const Layer &l, RowRange in, RowRange out,
                  int64_t tileRows = 0);

/// The bytes of tensor `v` (a model input or a layer output), 0 if none.
int64_t tensorBytes(const Network &net, mlir::Value v);

/// How many layer operands read `v`.
int64_t tensorReaders(const Network &net, mlir::Value v);

/// The live range [first, last] in layer indices of every tensor under
/// `plan`: model inputs from -1 and I/O to the end, a cascade's input and
/// output through the whole chain, a band buffer over its chain.
llvm::DenseMap<mlir::Value, std::pair<int64_t, int64_t>>
planLiveRanges(const Network &net, const MemoryPlan &plan);

/// Bytes at the bottom of the activation buffer a layer's tile slots use
/// (two input and two output slots: Emit.cpp's layout).
int64_t slotBytes(const Layer &l, const TargetDescription &t);

/// Bytes of the constant image (packed weights, records, tables) that
/// emission will write for the tiled network (Emit.cpp).
int64_t constantBytes(Network &net, const TargetDescription &target,
                      mlir::MLIRContext *ctx);

} // namespace mote::npu

#endif // MOTE_LIB_NPU_LAYERS_H
