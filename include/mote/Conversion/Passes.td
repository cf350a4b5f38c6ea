//===- Passes.td - Conversions into the mote dialect -------*- tablegen -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_CONVERSION_PASSES_TD
#define MOTE_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def TosaToMote : Pass<"tosa-to-mote", "mlir::func::FuncOp"> {
  let summary = "Convert TOSA (MLIR 22) to the mote dialect";
  let description = [{
    Converts the TOSA that torch-mlir and TFLite→TOSA emit into `mote` ops,
    float and integer, so that the rest of Mote never sees TOSA.

    * Float graphs map op for op. Constant subgraphs (torch-mlir's batch
      norm: `sub`/`add`/`mul`/`rsqrt`/`reciprocal`/`negate` on constants)
      are evaluated at compile time, and elementwise ops with a constant
      operand are moved in front of layout transposes, so that
      `--mote-fold-batchnorm` finds a per-channel scale and shift right
      after each convolution.
    * Integer graphs keep their exact integer semantics. Tensors that carry
      `!quant.uniform` types (TFLite) keep them; plain `iN` tensors
      (torch-mlir, hand-written TOSA) get scales assigned so that mote's
      requantization recomputes exactly each `tosa.rescale`'s multiplier
      and shift: graph inputs scale 1.0 with their zero point, weights 1.0
      (or per channel the rescale's multiplier ratios), accumulators
      `s_x·s_w`, and a rescale's output `s_in / (M·2^−S)`. The function
      signature changes to the quantized types; each changed argument and
      result records its TOSA type in a `mote.tosa_type` attribute.
    * `tosa.rescale` with `SINGLE_ROUND` is exact; `DOUBLE_ROUND` is exact
      when every shift is at most 31 and otherwise differs from mote's
      single rounding by at most one LSB: a warning, or an error with
      `strict-rounding`.

    Anything else fails the pass with an error on the op that says why.
    See `docs/TOSA.md`.
  }];
  let options = [
    Option<"strictRounding", "strict-rounding", "bool", /*default=*/"false",
           "Reject tosa.rescale rounding modes that mote's single rounding "
           "does not reproduce bit for bit (instead of warning)">
  ];
  let dependentDialects = ["::mote::MoteDialect",
                           "::mlir::quant::QuantDialect"];
}

#endif // MOTE_CONVERSION_PASSES_TD
