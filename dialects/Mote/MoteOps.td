//===- MoteOps.td - Mote dialect operations ----------------*- tablegen -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_DIALECT_MOTEOPS_TD
#define MOTE_DIALECT_MOTEOPS_TD

include "Mote/MoteBase.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def Mote_ConstantOp : Mote_Op<"constant", [ConstantLike, Pure]> {
  let summary = "A constant tensor (weights, biases, tables)";
  let description = [{
    Materialises `value` as a tensor. For a float result the attribute has
    the result's type; for a quantized result it holds the *storage* values
    (e.g. `i8`) with the result's shape, and the result type carries the
    scales and zero points.

    Large weights should use `dense_resource<...>` blobs: they are printed
    as one hex string in the file's resource section instead of as
    millions of decimal literals, and parse and print at memory speed
    (bytecode, `--emit-bytecode`, is smaller still).

    ```mlir
    %w = mote.constant dense_resource<conv1_w> : tensor<16x3x3x3xi8>
           -> tensor<16x3x3x3x!quant.uniform<i8<-127:127>:f32:0, {...}>>
    %b = mote.constant dense<0.5> : tensor<16xf32> -> tensor<16xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Mote_Tensor:$output);
  let assemblyFormat = "$value attr-dict `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
  let builders = [
    OpBuilder<(ins "::mlir::ElementsAttr":$value), [{
      build($_builder, $_state, value.getType(), value);
    }]>
  ];
}

//===----------------------------------------------------------------------===//
// Convolution and matrix products
//===----------------------------------------------------------------------===//

def Mote_Conv2DOp : Mote_Op<"conv2d", [Pure]> {
  let summary = "2-D convolution, NHWC input, OHWI filter, grouped or depthwise";
  let description = [{
    `output[n, oh, ow, o] = bias[o] + Σ input[n, oh·sh − pt + kh·dh,
    ow·sw − pl + kw·dw, g·Cg + c] · filter[o, kh, kw, c]` over `kh, kw` and
    the `Cg = C / groups` input channels of output channel `o`'s group `g`.
    `groups == C` with one filter channel per group is a depthwise
    convolution. `pad` is `[top, bottom, left, right]`.

    Quantized: input and result per tensor; filter per tensor or per axis 0
    (output channel); bias (optional) `i32` with scale `s_in · s_w[o]` and
    zero point 0. Padding reads the input zero point. A 32-bit result is
    the raw accumulator (scale `s_in · s_w[o]`), a narrower one is
    requantized to its type.
  }];
  let arguments = (ins Mote_Tensor:$input, Mote_Tensor:$filter,
                   Optional<Mote_Tensor>:$bias,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                   DenseI64ArrayAttr:$pad,
                   DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs Mote_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $filter (`,` $bias^)? attr-dict `:`
      functional-type(operands, results)
  }];
  let hasVerifier = 1;  let hasCanonicalizer = 1;
}

def Mote_MatMulOp : Mote_Op<"matmul", [Pure]> {
  let summary = "Batched matrix product with broadcast batch dimensions";
  let description = [{
    `output[..., m, n] = Σ_k lhs[..., m, k] · rhs[..., k, n]`, batch
    dimensions broadcast as in numpy. Quantized: lhs per tensor, rhs per
    tensor or per axis on its last dimension; a 32-bit result is the raw
    accumulator, a narrower one is requantized.
  }];
  let arguments = (ins Mote_Tensor:$lhs, Mote_Tensor:$rhs);
  let results = (outs Mote_Tensor:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Mote_FullyConnectedOp : Mote_Op<"fully_connected", [Pure]> {
  let summary = "Dense layer: input [..., K] times weight [O, K] plus bias";
  let description = [{
    `output[..., o] = bias[o] + Σ_k input[..., k] · weight[o, k]`. The weight
    is stored output-major, as the NPU consumes it. Quantized: weight per
    tensor or per axis 0; bias `i32` with scale `s_in · s_w[o]`.
  }];
  let arguments = (ins Mote_Tensor:$input, Mote_Tensor:$weight,
                   Optional<Mote_Tensor>:$bias);
  let results = (outs Mote_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:`
      functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops
//===----------------------------------------------------------------------===//

class Mote_BinaryOp<string mnemonic, string formula, list<Trait> traits = []>
    : Mote_Op<mnemonic, !listconcat([Pure], traits)> {
  let summary = "Elementwise " # formula # " with numpy broadcasting";
  let description = [{
    Computes `}] # formula # [{` elementwise; the operands broadcast as in
    numpy to the result shape. Quantized operands and result are per
    tensor; each operand is rescaled to the result's scale as DESIGN §4
    prescribes (the interpreter computes in exact integers and rounds once).
  }];
  let arguments = (ins Mote_Tensor:$lhs, Mote_Tensor:$rhs);
  let results = (outs Mote_Tensor:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// True for ops whose quantized form is defined (all but div).
    static bool supportsQuantized();
  }];
}

def Mote_AddOp : Mote_BinaryOp<"add", "lhs + rhs", [Commutative]> {
  let hasFolder = 1;
}
def Mote_SubOp : Mote_BinaryOp<"sub", "lhs - rhs">;
def Mote_MulOp : Mote_BinaryOp<"mul", "lhs * rhs", [Commutative]> {
  let hasFolder = 1;
}
def Mote_DivOp : Mote_BinaryOp<"div", "lhs / rhs">;
def Mote_MaximumOp : Mote_BinaryOp<"maximum", "max(lhs, rhs)", [Commutative]>;
def Mote_MinimumOp : Mote_BinaryOp<"minimum", "min(lhs, rhs)", [Commutative]>;

def Mote_PReluOp : Mote_Op<"prelu", [Pure]> {
  let summary = "Parametric ReLU: x < 0 ? slope · x : x";
  let description = [{
    `slope` broadcasts (numpy rules) to the shape of `input`, which is also
    the result shape.
  }];
  let arguments = (ins Mote_Tensor:$input, Mote_Tensor:$slope);
  let results = (outs Mote_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $slope attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise unary ops
//===----------------------------------------------------------------------===//

class Mote_UnaryOp<string mnemonic, string summaryText,
                   list<Trait> traits = []>
    : Mote_Op<mnemonic, !listconcat([Pure, SameOperandsAndResultShape],
                                    traits)> {
  let summary = summaryText;
  let arguments = (ins Mote_Tensor:$input);
  let results = (outs Mote_Tensor:$output);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Mote_ClampOp : Mote_Op<"clamp", [Pure, SameOperandsAndResultType]> {
  let summary = "Clamp to [min, max] (ReLU, ReLU6, Clip)";
  let description = [{
    `min` and `max` are real values. On a quantized tensor they map to
    storage values with the tensor's own scale and zero point (round half
    to even, saturated): `qmin = sat(rne(min / s) + zp)`.
  }];
  let arguments = (ins Mote_Tensor:$input, F32Attr:$min, F32Attr:$max);
  let results = (outs Mote_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Mote_SigmoidOp : Mote_UnaryOp<"sigmoid", "Logistic 1 / (1 + exp(-x))"> {
  let description = [{
    On quantized tensors: `quantize(sigmoid(dequantize(x)))` with the
    result's type; the quantizer lowers it to a `mote.lut`.
  }];
}
def Mote_TanhOp : Mote_UnaryOp<"tanh", "Hyperbolic tangent"> {
  let description = [{
    On quantized tensors: `quantize(tanh(dequantize(x)))` with the result's
    type; the quantizer lowers it to a `mote.lut`.
  }];
}
def Mote_HardSigmoidOp : Mote_UnaryOp<"hard_sigmoid",
                                      "max(0, min(1, alpha·x + beta))"> {
  let description = [{ ONNX HardSigmoid; quantized form as `mote.sigmoid`. }];
  let arguments = (ins Mote_Tensor:$input, F32Attr:$alpha, F32Attr:$beta);
}
def Mote_HardSwishOp : Mote_UnaryOp<"hard_swish",
                                    "x · max(0, min(1, x / 6 + 1 / 2))"> {
  let description = [{ ONNX HardSwish; quantized form as `mote.sigmoid`. }];
}
def Mote_LeakyReluOp : Mote_UnaryOp<"leaky_relu", "x < 0 ? alpha · x : x"> {
  let description = [{ ONNX LeakyRelu; quantized form as `mote.sigmoid`. }];
  let arguments = (ins Mote_Tensor:$input, F32Attr:$alpha);
}
def Mote_ExpOp : Mote_UnaryOp<"exp", "Exponential"> {
  let description = [{ Elementwise `exp(x)`; quantized form as `mote.sigmoid`. }];
}
def Mote_EluOp : Mote_UnaryOp<"elu", "x < 0 ? alpha · (exp(x) − 1) : x"> {
  let description = [{
    ONNX Elu (`alpha` defaults to 1 there). On quantized tensors:
    `quantize(elu(dequantize(x)))` with the result's type; the quantizer
    lowers it to a `mote.lut`.
  }];
  let arguments = (ins Mote_Tensor:$input, F32Attr:$alpha);
}
def Mote_SeluOp : Mote_UnaryOp<"selu",
    "gamma · (x ≤ 0 ? alpha · (exp(x) − 1) : x)"> {
  let description = [{
    ONNX Selu (defaults alpha = 1.67326319217681884765625, gamma =
    1.05070102214813232421875 there). On quantized tensors:
    `quantize(selu(dequantize(x)))` with the result's type; the quantizer
    lowers it to a `mote.lut`.
  }];
  let arguments = (ins Mote_Tensor:$input, F32Attr:$alpha, F32Attr:$gamma);
}
def Mote_SoftplusOp : Mote_UnaryOp<"softplus", "log(1 + exp(x))"> {
  let description = [{
    ONNX Softplus, evaluated stably (`x` itself for large `x`,
    `log1p(exp(x))` otherwise). On quantized tensors:
    `quantize(softplus(dequantize(x)))` with the result's type; the quantizer
    lowers it to a `mote.lut`.
  }];
}

def Mote_LutOp : Mote_Op<"lut", [Pure, SameOperandsAndResultShape]> {
  let summary = "Table lookup on quantized storage values";
  let description = [{
    `output = table[input_storage − storage_min(input)]`: the integer form of
    any elementwise nonlinearity. An input with b-bit storage (b ≤ 8) needs a
    table of exactly 2^b entries of the result's storage type; the compiler
    computes it at compile time from the float function and both types.
  }];
  let arguments = (ins Mote_QuantizedTensor:$input, ElementsAttr:$table);
  let results = (outs Mote_QuantizedTensor:$output);
  let assemblyFormat = [{
    $input `,` $table attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Mote_SoftmaxOp : Mote_Op<"softmax", [Pure, SameOperandsAndResultShape]> {
  let summary = "Softmax along one axis";
  let description = [{
    `exp(x − max) / Σ exp(x − max)` along `axis`. Usually left in float on
    the host as the network's last op.
  }];
  let arguments = (ins Mote_Tensor:$input, I64Attr:$axis);
  let results = (outs Mote_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Mote_LogSoftmaxOp : Mote_Op<"log_softmax",
                                [Pure, SameOperandsAndResultShape]> {
  let summary = "Logarithm of softmax along one axis";
  let description = [{
    `x − max − log Σ exp(x − max)` along `axis`, evaluated in double
    precision (never as `log(softmax(x))`, which underflows). On quantized
    tensors: `quantize(log_softmax(dequantize(x)))` with the result's type.
    Usually left in float on the host as the network's last op.
  }];
  let arguments = (ins Mote_Tensor:$input, I64Attr:$axis);
  let results = (outs Mote_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

def Mote_MaxPool2DOp : Mote_Op<"max_pool2d", [Pure]> {
  let summary = "2-D max pooling over NHWC";
  let description = [{
    Padded positions never win (they act as −∞). `ceil_mode` rounds the
    output size up, as ONNX and PyTorch do; a window that starts in the
    bottom/right padding is not produced. A kernel equal to the input's
    spatial size is global max pooling.
  }];
  let arguments = (ins Mote_Tensor:$input, DenseI64ArrayAttr:$kernel,
                   DenseI64ArrayAttr:$strides,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
                   DenseI64ArrayAttr:$pad,
                   DefaultValuedAttr<BoolAttr, "false">:$ceil_mode);
  let results = (outs Mote_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Mote_AvgPool2DOp : Mote_Op<"avg_pool2d", [Pure]> {
  let summary = "2-D average pooling over NHWC (incl. global)";
  let description = [{
    The divisor counts the window's positions inside the input, plus the
    padded ones if `count_include_pad` (never those past the padded input
    that `ceil_mode` adds). Quantized: input and result per tensor; the sum
    is rescaled to the result's scale with one rounding.
  }];
  let arguments = (ins Mote_Tensor:$input, DenseI64ArrayAttr:$kernel,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pad,
                   DefaultValuedAttr<BoolAttr, "false">:$count_include_pad,
                   DefaultValuedAttr<BoolAttr, "false">:$ceil_mode);
  let results = (outs Mote_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def Mote_ConcatOp : Mote_Op<"concat", [Pure]> {
  let summary = "Concatenate along one axis";
  let description = [{
    Quantized inputs are each requantized to the result's scale.
  }];
  let arguments = (ins Variadic<Mote_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Mote_Tensor:$output);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Mote_ReshapeOp : Mote_Op<"reshape", [Pure]> {
  let summary = "Reinterpret the shape, same elements in row-major order";
  let description = [{
    The result type gives the new shape. Element types must match (a
    per-axis quantized tensor may only be reshaped if its axis survives
    unchanged).
  }];
  let arguments = (ins Mote_Tensor:$input);
  let results = (outs Mote_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Mote_TransposeOp : Mote_Op<"transpose", [Pure]> {
  let summary = "Permute dimensions: output dim i is input dim perms[i]";
  let arguments = (ins Mote_Tensor:$input, DenseI64ArrayAttr:$perms);
  let results = (outs Mote_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
  let builders = [
    OpBuilder<(ins "::mlir::Value":$input, "::llvm::ArrayRef<int64_t>":$perms)>
  ];
}

def Mote_PadOp : Mote_Op<"pad", [Pure]> {
  let summary = "Constant padding";
  let description = [{
    `pads` holds `[low_0, high_0, low_1, high_1, ...]`, one pair per
    dimension, all non-negative. `value` is a real number; on a quantized
    tensor it is stored as `sat(rne(value / s) + zp)`, so the default 0
    pads with the zero point.
  }];
  let arguments = (ins Mote_Tensor:$input, DenseI64ArrayAttr:$pads,
                   DefaultValuedAttr<F32Attr, "0.0f">:$value);
  let results = (outs Mote_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Mote_SliceOp : Mote_Op<"slice", [Pure]> {
  let summary = "Strided slice: output[i] = input[starts + i · steps]";
  let description = [{
    Per dimension d, output index i reads input index
    `starts[d] + i * steps[d]`; the result type gives the number of
    elements taken. Steps are non-zero (negative steps walk backwards);
    every index read must lie inside the input. Pure data movement: the
    element type (including a per-tensor quantized type) is kept.
  }];
  let arguments = (ins Mote_Tensor:$input, DenseI64ArrayAttr:$starts,
                   DenseI64ArrayAttr:$steps);
  let results = (outs Mote_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Mote_ResizeOp : Mote_Op<"resize", [Pure]> {
  let summary = "Nearest or (multi)linear resampling, ONNX Resize semantics";
  let description = [{
    For every dimension d the output coordinate x maps to the input
    coordinate given by `coordinate_mode` (`half_pixel`, `asymmetric`,
    `align_corners`, `pytorch_half_pixel`, `tf_half_pixel_for_nn`) with the
    scale `scales[d]` (output size / input size unless given by the model).
    `mode = "nearest"` rounds it with `nearest_mode` (`round_prefer_floor`,
    `round_prefer_ceil`, `floor`, `ceil`); `mode = "linear"` interpolates
    between the two neighbours of every resized dimension (bilinear on H, W
    of an NHWC tensor), clamping at the border. On a quantized tensor the
    result keeps the input's type: nearest copies storage values; linear
    takes each interpolated dimension's weights in 10-bit fixed point and
    rounds the exact integer sum once, half up (Numerics.h, quantized
    linear resize: what the NPU's vector unit computes).
  }];
  let arguments = (ins Mote_Tensor:$input, StrAttr:$mode,
                   StrAttr:$coordinate_mode, StrAttr:$nearest_mode,
                   DenseF64ArrayAttr:$scales);
  let results = (outs Mote_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
  let extraClassDeclaration = [{
    /// Dimension `dim`'s coordinate map, defined once for the interpreter
    /// and the NPU lowering: per output index, the input indices `i0` and
    /// `i1` it reads and the weight `w1` of `i1` (nearest: i0 == i1,
    /// w1 = 0).
    ::llvm::SmallVector<::mote::ResizeTap> getTaps(unsigned dim);
    /// Whether a linear resize interpolates along a dimension with these
    /// taps (one tap reads two elements with a weight in (0, 1)); other
    /// dimensions select one element per output index (Numerics.h,
    /// quantized linear resize).
    static bool isWeighted(::llvm::ArrayRef<::mote::ResizeTap> taps);
  }];
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

def Mote_QuantizeOp : Mote_Op<"quantize", [Pure, SameOperandsAndResultShape]> {
  let summary = "f32 → quantized: sat(rne(x / s) + zp)";
  let arguments = (ins Mote_FloatTensor:$input);
  let results = (outs Mote_QuantizedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Mote_DequantizeOp : Mote_Op<"dequantize",
                                [Pure, SameOperandsAndResultShape]> {
  let summary = "quantized → f32: s · (q − zp)";
  let arguments = (ins Mote_QuantizedTensor:$input);
  let results = (outs Mote_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Mote_RequantOp : Mote_Op<"requant", [Pure, SameOperandsAndResultShape]> {
  let summary = "Change scale/zero point/storage of a quantized tensor";
  let description = [{
    `out = sat(apply_scale(q − zp_in, M, S) + zp_out)` with `M·2^−S ≈
    s_in / s_out` (per channel if the input is per axis), the single
    rounding of DESIGN §4.
  }];
  let arguments = (ins Mote_QuantizedTensor:$input);
  let results = (outs Mote_QuantizedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Mote_DigitOp : Mote_Op<"digit", [Pure, SameOperandsAndResultShape]> {
  let summary = "One d-bit digit of the zero-point-shifted storage value";
  let description = [{
    Bit-width lowering's operand splitter (docs/BitwidthLowering.md). With
    `v = q − zp_in` (the input's storage value minus its zero point, an
    exact integer) and `s = bits · index`, the result's storage value is

    - unsigned result storage (`u<bits>`): `(v >> s) & (2^bits − 1)`, the
      `index`-th `bits`-bit field of `v` in two's complement (a lower
      digit, or the top digit of a non-negative range);
    - signed result storage (`i<bits>`): `v >> s` (arithmetic shift, i.e.
      `floor(v / 2^s)`), saturated to the result's storage range (the top
      digit; the pass only emits it where it provably fits).

    So `v = Σ_i 2^(bits·i) · digit_i` exactly when the top digit is signed
    and the lower ones unsigned. The result has zero point 0 (padding of a
    product reads 0, the digit of `zp_in − zp_in`); its scale documents the
    plane and does not enter the arithmetic. Input and result per tensor.

    ```mlir
    %x1 = mote.digit %x {bits = 4 : i64, index = 1 : i64}
        : (tensor<1x8x!quant.uniform<i8:f32, 0.5:3>>)
        -> tensor<1x8x!quant.uniform<i4:f32, 0.5>>
    ```
  }];
  let arguments = (ins Mote_QuantizedTensor:$input, I64Attr:$index,
                   I64Attr:$bits);
  let results = (outs Mote_QuantizedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

include "Mote/MoteMathOps.td"

#endif // MOTE_DIALECT_MOTEOPS_TD
