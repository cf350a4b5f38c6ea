//===- MoteMathOps.td - Mote math, reduction and norm ops --*- tablegen -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Elementwise math functions (sqrt, reciprocal, log, erf, pow with a
// constant exponent, SiLU, GELU), reductions and layer normalization: the
// ops that transformer and EfficientNet-style exports need beyond the
// convolutional core. Included from MoteOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_DIALECT_MOTEMATHOPS_TD
#define MOTE_DIALECT_MOTEMATHOPS_TD

//===----------------------------------------------------------------------===//
// Elementwise math functions of one tensor
//===----------------------------------------------------------------------===//

/// A real function of one tensor. On quantized tensors every such op means
/// `quantize(f(dequantize(x)))` with the result's type, which the quantizer
/// turns into a `mote.lut` of exactly that content (256 entries for 8-bit,
/// 16 for 4-bit inputs).
class Mote_MathUnaryOp<string mnemonic, string summaryText, string formula>
    : Mote_UnaryOp<mnemonic, summaryText> {
  let description = "Elementwise `" # formula # "`, evaluated in double and "
      "rounded to f32. On quantized tensors (per tensor): "
      "`quantize(f(dequantize(x)))` with the result's type; the quantizer "
      "lowers it to a `mote.lut`.";
}

def Mote_SqrtOp : Mote_MathUnaryOp<"sqrt", "Square root", "sqrt(x)">;
def Mote_ReciprocalOp : Mote_MathUnaryOp<"reciprocal", "Reciprocal", "1 / x">;
def Mote_LogOp : Mote_MathUnaryOp<"log", "Natural logarithm", "log(x)">;
def Mote_ErfOp : Mote_MathUnaryOp<"erf", "Gauss error function", "erf(x)">;
def Mote_SiluOp : Mote_MathUnaryOp<"silu", "SiLU (swish): x · sigmoid(x)",
                                   "x / (1 + exp(-x))">;
def Mote_GeluOp : Mote_MathUnaryOp<"gelu", "GELU, exact (erf) form",
                                   "0.5 · x · (1 + erf(x / sqrt(2)))">;

def Mote_PowOp : Mote_UnaryOp<"pow", "x raised to a constant exponent"> {
  let description = [{
    Elementwise `pow(x, exponent)` with C's `pow` semantics (a negative base
    with a non-integer exponent gives NaN), evaluated in double and rounded
    to f32. ONNX Pow with a constant exponent imports as this op (`x^2` of
    a variance, `x^0.5`, ...). On quantized tensors (per tensor):
    `quantize(pow(dequantize(x), exponent))` with the result's type; the
    quantizer lowers it to a `mote.lut`.
  }];
  let arguments = (ins Mote_Tensor:$input, F32Attr:$exponent);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

class Mote_ReduceOp<string mnemonic, string what, string quantized>
    : Mote_Op<mnemonic, [Pure]> {
  let summary = "Reduce by " # what # " over a set of axes";
  let description = [{
    Reduces `input` by }] # what # [{ over `axes` (sorted, distinct,
    in `[0, rank)`; an empty list reduces nothing, the identity). With
    `keepdims` the reduced dimensions stay as size 1, otherwise they are
    dropped. Layout-free: the ONNX importer has already mapped ONNX axes to
    the tensor's NHWC form. A mean over the two spatial axes of a rank-4
    NHWC tensor imports as global `mote.avg_pool2d` (and a max as
    `mote.max_pool2d`) instead, which the NPU runs.

    Quantized (per tensor): }] # quantized;
  let arguments = (ins Mote_Tensor:$input, DenseI64ArrayAttr:$axes,
                   DefaultValuedAttr<BoolAttr, "true">:$keepdims);
  let results = (outs Mote_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Mote_ReduceSumOp : Mote_ReduceOp<"reduce_sum", "sum",
    "`sat(applyScale(Σ (q − zp_in), M(s_in / s_out)) + zp_out)` with one "
    "rounding, like `mote.avg_pool2d` with divisor 1.">;
def Mote_ReduceMeanOp : Mote_ReduceOp<"reduce_mean", "arithmetic mean",
    "`sat(applyScale(Σ (q − zp_in), M(s_in / (s_out · count))) + zp_out)` "
    "with one rounding, exactly as `mote.avg_pool2d`.">;
def Mote_ReduceMaxOp : Mote_ReduceOp<"reduce_max", "maximum",
    "the maximum storage value; input and result types are equal (no "
    "rescaling, as `mote.max_pool2d`).">;
def Mote_ReduceMinOp : Mote_ReduceOp<"reduce_min", "minimum",
    "the minimum storage value; input and result types are equal.">;

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

def Mote_LayerNormOp : Mote_Op<"layer_norm", [Pure]> {
  let summary = "Layer normalization over the trailing dimensions";
  let description = [{
    With `D = [axis, rank)` the normalized dimensions:
    `output = (x − mean_D(x)) / sqrt(var_D(x) + epsilon) · scale + bias`,
    where `var_D` is the biased (population) variance. `scale` and the
    optional `bias` broadcast (numpy rules) to the normalized shape
    `input.shape[axis:]`. Mean and variance are computed in double.

    ONNX LayerNormalization (opset 17) imports as this op, and so does the
    decomposed form that exporters write for older opsets
    (`ReduceMean → Sub → Pow 2 → ReduceMean → Add ε → Sqrt → Div → Mul γ →
    Add β`), which `--mote-fuse-layer-norm` folds. Float only: it has no
    exact integer form here and stays a host op after quantization.
  }];
  let arguments = (ins Mote_FloatTensor:$input, Mote_FloatTensor:$scale,
                   Optional<Mote_FloatTensor>:$bias, I64Attr:$axis,
                   F32Attr:$epsilon);
  let results = (outs Mote_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale (`,` $bias^)? attr-dict `:`
      functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // MOTE_DIALECT_MOTEMATHOPS_TD
