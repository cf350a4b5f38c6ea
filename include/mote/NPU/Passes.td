//===- Passes.td - Mote -> NPU passes ----------------------*- tablegen -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_NPU_PASSES_TD
#define MOTE_NPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def MoteNPUFormLayers : Pass<"mote-npu-form-layers", "mlir::ModuleOp"> {
  let summary = "Group a bit-width-lowered network into NPU layers (annotates)";
  let description = [{
    Step 1 of the NPU pipeline. Forms the layers `--mote-to-npu` lowers
    (see there) and marks each layer's anchor op (the `mote.rescale` conv or
    native product of a conv layer; the pool, add, concat, LUT, clamp or
    transpose) with `npu.layer = <index>` and `npu.layer_kind = "<kind>"`.
    Anything the chip cannot run (float work, ops without an NPU form,
    forms the vector unit lacks) becomes a host segment where it stands:
    consecutive host ops form one segment, annotated on its first op
    (`npu.layer_kind = "host"`; `npu.dram` lists its outputs' addresses).
    A layer the chip could run but that is malformed for it (no tile fits,
    digits not lowered) stays an error naming the op and the target. The
    IR is otherwise unchanged.
  }];
  let options = [
    Option<"target", "target", "std::string", "\"mote-default\"",
           "target description name or JSON file">,
  ];
  let dependentDialects = ["::mote::npu::NPUDialect"];
}

def MoteNPUTile : Pass<"mote-npu-tile", "mlir::ModuleOp"> {
  let summary = "Choose each NPU layer's tile sizes and loop order (annotates)";
  let description = [{
    Step 2. For each layer, the tile `(th, tw, tc, cc)` (output rows,
    columns, output-channel block, input-channel chunk) among those that fit
    the target's SRAMs with double-buffered activation and weight slots and
    the ISA's field widths: a first-order estimate ranks them (cycles, then
    DRAM bytes; whole rows preferred within 3 %), then a short list is
    emitted layer by layer under a provisional memory plan and priced on the
    simulator, lowest energy winning (docs/NPU.md). Recorded on the anchor
    as `npu.tile = array<i64: th, tw, tc, cc>` and `npu.loop_order =
    "oc,oh,ow,ic"`. A tile already present is checked and kept (pinning).
    No fitting tile: an error naming the op and the target.
  }];
  let options = [
    Option<"target", "target", "std::string", "\"mote-default\"",
           "target description name or JSON file">,
  ];
  let dependentDialects = ["::mote::npu::NPUDialect"];
}

def MoteNPUPlanMemory : Pass<"mote-npu-plan-memory", "mlir::ModuleOp"> {
  let summary = "Plan where the NPU program's activations live (annotates)";
  let description = [{
    Step 3. Constants (weights packed per tile, records, tables) take the
    bottom of DRAM. With `activations=auto` (the default) every tensor that
    only NPU layers write and read stays in the activation buffer between
    them when it fits: above the tile slots of every layer it lives through,
    clear of the other on-chip tensors live at the same time, placed first
    fit in order of the DRAM energy saved per byte. The rest (model inputs
    and outputs, tensors a host segment touches, what does not fit, and
    everything with `activations=dram`) go above the constants in DRAM,
    64-byte aligned, first fit with liveness-based reuse (a layer's output
    never overlaps its inputs; model inputs and outputs stay live). Records
    `npu.sram = <address>` (on chip) or `npu.dram = <address>` of each
    layer's output on its anchor and `npu.dram_inputs`, `npu.const_bytes`,
    `npu.dram_top` on the function. Tiles come from `npu.tile` (or are
    chosen as by `--mote-npu-tile`).
  }];
  let options = [
    Option<"target", "target", "std::string", "\"mote-default\"",
           "target description name or JSON file">,
    Option<"activations", "activations", "std::string", "\"auto\"",
           "auto | dram: keep activations in the activation buffer between "
           "layers where they fit, or pass every one through DRAM">,
  ];
  let dependentDialects = ["::mote::npu::NPUDialect"];
}

def MoteToNPU : Pass<"mote-to-npu", "mlir::ModuleOp"> {
  let summary = "Lower a quantized, bit-width-lowered network to npu instructions";
  let description = [{
    Replaces the module's `func.func` by an `npu.program` for `target`:

    1. *Layer formation*: each conv/FC with its digit products, shifts,
       adds, `mote.rescale` requantization and a following clamp is one
       layer (native, unsplit products too); pools, adds, LUTs, clamps and
       layout-changing transposes are layers; reshapes alias. The input
       quantize (+ NCHW->NHWC transpose) and output dequantize become
       `npu.io` descriptors; whatever the chip cannot run becomes an
       `npu.host_segment` where it stands (first, middle or last): the
       HOST instruction plus the segment's `mote` ops, run by the host with
       the reference interpreter's kernels between the chip's layers.
    2. *Tiling*: per layer, tile sizes (rows, cols, out channels, input
       channel chunk) within the target's SRAMs with double-buffered
       activation and weight slots, ranked by an estimate and chosen by
       the simulator's energy (as `--mote-npu-tile`).
       Recorded as `tile = [th, tw, tc, cc]` and `loop_order` on `npu.layer`.
       A layer whose smallest tile does not fit is an error naming the op
       and the target.
    3. *Memory planning*: constants (weights packed per tile in the MATMUL
       layout: d-bit digit planes LSB-first, one row per output channel;
       requantization records {bias, M, S}) first in DRAM; activations in
       the activation buffer between layers where they fit (LOAD/STORE
       `on_chip` copies), else in DRAM with liveness-based first-fit reuse.
    4. *Emission*: CONFIG, LOAD (zero-point borders), MATMUL digit passes,
       VEC requantize/add/pool/LUT/clamp, STORE, with dependency tokens for
       double buffering (see lib/NPU/Emit.cpp).

    Integer parameters come from mote/Numerics exactly as the interpreter
    derives them, so the program is bit-exact with `mote-run`.

    With `weights=resident` (or `auto`, the default, when they fit the
    weight buffer) every weight block and LUT table gets a fixed place in
    the weight buffer and is loaded once by an `npu.program_load` preamble;
    the layers then load no weights. `stream` loads them per layer through
    two slots. `resident` weights that do not fit are an error naming the
    sizes.

    Steps 1-3 are also passes of their own (`--mote-npu-form-layers`,
    `--mote-npu-tile`, `--mote-npu-plan-memory`) that record their
    decisions as `npu.*` attributes; this pass uses those attributes when
    present (checking them) and makes the missing decisions itself.
  }];
  let options = [
    Option<"target", "target", "std::string", "\"mote-default\"",
           "target description name or JSON file">,
    Option<"weights", "weights", "std::string", "\"auto\"",
           "auto | resident | stream: keep the weights in the weight buffer "
           "(loaded once per program load) or stream them per layer">,
    Option<"activations", "activations", "std::string", "\"auto\"",
           "auto | dram: where unannotated activations live (see "
           "--mote-npu-plan-memory)">,
  ];
  let dependentDialects = ["::mote::npu::NPUDialect"];
}

def NPUEstimate : Pass<"npu-estimate", "mote::npu::ProgramOp"> {
  let summary = "Static per-layer estimate: digit-MACs, DRAM bytes, roofline";
  let description = [{
    Recomputes each `npu.layer`'s `digit_macs` (sum over its MATMULs of
    out_h * out_w * out_c * K), `dram_traffic` (bytes its LOADs and STOREs
    move) and `roofline_cycles` = max(digit_macs / (rows * cols),
    dram_traffic / bandwidth) from the instructions and the target. With
    `print`, writes a table to stderr.
  }];
  let options = [
    Option<"print", "print", "bool", "false", "print the table to stderr">,
  ];
}

#endif // MOTE_NPU_PASSES_TD
