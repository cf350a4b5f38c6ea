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

def MoteFoldQdq : Pass<"mote-fold-qdq", "mlir::func::FuncOp"> {
  let summary = "Fold dequantize → float op → quantize into quantized ops";
  let description = [{
    Rewrites the float islands of a pre-quantized (QDQ) model into mote ops
    on `!quant.uniform` types that keep the model's own scales and zero
    points, so that the model runs in integers without recalibration:

    - `quantize(conv2d | fully_connected(dequantize x, dequantize w, b))`
      → the quantized product; `w` per tensor or per output channel (axis
      0), the bias (float constant or dequantized constant) requantized to
      i32 at `s_x·s_w[o]`; `matmul` likewise (rhs per tensor or per last
      axis, no bias).
    - `quantize(add | sub | mul | maximum | minimum(dequantize a,
      dequantize b))`, `quantize(avg_pool2d(dequantize x))`,
      `quantize(concat(dequantize x_i...))` → the quantized op, which
      rescales to the result's type.
    - `quantize(max_pool2d | reshape | transpose | pad(dequantize x))` →
      the op on x's type, plus a `mote.requant` if the quantize's type
      differs.
    - `quantize(dequantize q)` with a different type → `mote.requant`.
    - Exact moves that expose these shapes: quantize/dequantize through
      transposes (a per-axis type follows its axis), `quantize(clamp(x))` →
      `clamp(quantize(x))` (quantization is monotone), and transposes and
      reshapes of constants folded.

    Only per-tensor activations fold; a float op with other users, a
    non-constant bias or an unsupported quantization stays float. The
    result follows mote's exact quantized semantics (docs/Interpreter.md):
    one rounding per integer op, not bit-identical to the float QDQ graph
    (the standard integer lowering, as in TFLite and ONNX Runtime).
  }];
  let dependentDialects = ["::mote::MoteDialect"];
}

#endif // MOTE_TRANSFORMS_PASSES_TD
