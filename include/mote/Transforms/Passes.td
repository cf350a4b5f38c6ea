//===- Passes.td - Mote graph-level transformation passes --*- tablegen -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_TRANSFORMS_PASSES_TD
#define MOTE_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def MoteFoldBatchNorm : Pass<"mote-fold-batchnorm", "mlir::func::FuncOp"> {
  let summary = "Fold per-channel scale and shift (batch norm) into conv/FC";
  let description = [{
    Folds a float `mote.mul`, `mote.add` or `mote.sub` with a constant that
    varies only along the output-channel axis into the producing
    `mote.conv2d` or `mote.fully_connected` (which must have no other user
    and constant weights): `W'[o] = W[o]·c[o]`, `b'[o] = b[o]·c[o]` for a
    scale, `b'[o] = b[o] ± c[o]` for a shift. Inference-mode batch
    normalisation, imported from ONNX or TOSA as such a scale and shift,
    disappears before weight scales are chosen, as DESIGN §4 requires.

    ```mlir
    %c = mote.conv2d %x, %w : ...
    %s = mote.mul %c, %gamma : ...   // gamma: tensor<16xf32>
    %t = mote.add %s, %beta : ...
    // becomes one mote.conv2d with scaled weights and a bias.
    ```
  }];
  let dependentDialects = ["::mote::MoteDialect"];
}

#endif // MOTE_TRANSFORMS_PASSES_TD
