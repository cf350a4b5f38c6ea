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

def MoteFuseActivations : Pass<"mote-fuse-activations", "mlir::func::FuncOp"> {
  let summary = "Fold decomposed HardSwish, SiLU and GELU into one op each";
  let description = [{
    Exporters write some activations as small graphs; each becomes the one
    elementwise op that the quantizer turns into a single `mote.lut` (a
    function of one tensor is one table) and that the NPU runs as one
    vector pass:

    - `x · hard_sigmoid(x)` with alpha = 1/6, beta = 1/2 (torch's form
      before opset 14) → `mote.hard_swish`;
    - `x · sigmoid(x)` → `mote.silu`;
    - `x · (1 + erf(x / √2)) · 0.5` in any association of the product, with
      `x / √2` or `x · (1/√2)` → `mote.gelu`.

    Float only; the constants must be splats equal to the expected values
    within 1e-6 relative. Run at ONNX import.
  }];
  let dependentDialects = ["::mote::MoteDialect"];
}

def MoteFuseLayerNorm : Pass<"mote-fuse-layer-norm", "mlir::func::FuncOp"> {
  let summary = "Fold decomposed layer normalization into mote.layer_norm";
  let description = [{
    Recognises the layer normalization that exporters write for opsets
    below 17,

    ```
    m = reduce_mean(x, A)   d = x − m   v = reduce_mean(d^2, A)
    y = d / sqrt(v + ε)     (· γ) (+ β)
    ```

    with `A` the reduced axes (keepdims), `d^2` as `mote.pow` with
    exponent 2 or `mote.mul d, d`, and `ε` a splat constant, and replaces
    it by `mote.layer_norm` (axis, ε, scale 1). When `A` are not the
    trailing axes (torch's `nn.LayerNorm(W)` on an NCHW tensor reduces W,
    axis 2 of the importer's NHWC form), the op normalizes in a transposed
    frame: `transpose(layer_norm(transpose(x)))`, the transposes moving `A`
    to the end and back. A following `mote.mul` by a scale γ and
    `mote.add` of a bias β that broadcast only over the normalized
    dimensions fold into the op's scale and bias (through the transpose
    back, which then moves after them). Float only. Run at ONNX import.
  }];
  let dependentDialects = ["::mote::MoteDialect"];
}

#endif // MOTE_TRANSFORMS_PASSES_TD
