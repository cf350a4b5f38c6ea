//===- Passes.td - Mote calibration and quantization passes -*- tablegen -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_QUANT_PASSES_TD
#define MOTE_QUANT_PASSES_TD

include "mlir/Pass/PassBase.td"

def MoteCalibrate : Pass<"mote-calibrate", "mlir::ModuleOp"> {
  let summary = "Record activation ranges by running the float IR on data";
  let description = [{
    Runs the entry function of a float `mote` module on the reference
    interpreter over calibration samples and records, for every function
    argument and every op result, a clipping range as a discardable
    attribute: `mote.calib = array<f64: lo, hi>` on the op (an `ArrayAttr`
    of such pairs for multi-result ops) and as argument attribute
    `mote.calib`. Ranges always include 0.

    `data` is a `.npy` file (single-argument functions), a `.npz` file
    (members bound by argument name, `mote.name` or `input_N`; a single
    member binds to a single argument) or a directory of `.npy` files (one
    per sample or batch, in name order). A leading dimension that is a
    multiple of the argument's leading dimension is split into samples, so
    a batch-1 model can be fed an `[N, ...]` array.

    Methods: `minmax` (one pass), `percentile`, `kl` (TensorRT entropy) and
    `mse` (the histogram methods run the data twice: min/max, then a
    2048-bin histogram of |x|). The default is `percentile` at 99.99, which
    ignores rare outliers without the cost of over-clipping on small sample
    counts. See docs/Quantization.md.

    ```
    mote-opt model.mlir --mote-calibrate="data=calib.npz method=kl"
    ```
  }];
  let options = [
    Option<"data", "data", "std::string", /*default=*/"",
           "Calibration data: .npy, .npz or a directory of .npy files">,
    Option<"method", "method", "std::string", /*default=*/"\"percentile\"",
           "Range method: minmax, percentile, kl or mse">,
    Option<"percentile", "percentile", "double", /*default=*/"99.99",
           "Percentile of |x| kept by method=percentile">,
    Option<"maxSamples", "samples", "unsigned", /*default=*/"0",
           "Use at most this many samples (0 = all)">,
    Option<"entry", "entry", "std::string", /*default=*/"",
           "Function to calibrate (default: main, else the only function)">,
    Option<"threads", "threads", "unsigned", /*default=*/"0",
           "Interpreter worker threads (0 = all cores)">,
  ];
  let dependentDialects = ["::mote::MoteDialect"];
}

def MoteEqualize : Pass<"mote-equalize", "mlir::func::FuncOp"> {
  let summary = "Cross-layer equalization of float weights (DFQ)";
  let description = [{
    Data-free cross-layer equalization (Nagel et al., ICCV 2019) on float
    IR, before calibration. For a pair of layers A → B (conv2d or
    fully_connected with constant float weights) where A's result has a
    single use and reaches B's input only through single-use ops that
    commute with a positive per-channel scale (ReLU `clamp` with min = 0
    and max = +inf, `max_pool2d`, `avg_pool2d`, a `reshape` that keeps the
    last dimension), output channel i of A (weights and bias) is divided by
    s_i and input channel i of B multiplied by s_i, with
    s_i = sqrt(r1_i / r2_i), r1 the range max|w| of A's output channel and
    r2 that of B's input channel; both become sqrt(r1·r2). Grouped and
    depthwise B map input channel i to the filters of its group, so
    conv → depthwise → pointwise chains balance both pairs; the pairs are
    swept until the scales settle (at most `iterations` rounds). ReLU6 and
    other bounded clamps break the equivariance and end a chain.

    The result computes the same function in exact arithmetic (in f32, to
    rounding). Ranges from an earlier --mote-calibrate on the rescaled
    values are stale: the pass drops them with a warning.
  }];
  let options = [
    Option<"iterations", "iterations", "unsigned", /*default=*/"20",
           "Most sweeps over all pairs">,
  ];
  let dependentDialects = ["::mote::MoteDialect"];
}

def MoteQuantize : Pass<"mote-quantize", "mlir::ModuleOp"> {
  let summary = "Post-training quantization of calibrated float mote IR";
  let description = [{
    Rewrites every function of a float `mote` module whose values carry
    `mote.calib` ranges (from `--mote-calibrate`) into quantized `mote` IR
    with `!quant.uniform` types (DESIGN §4): arguments and results stay f32
    with `mote.quantize` / `mote.dequantize` at the boundary; activations
    are per tensor, asymmetric (unsigned storage when the range is
    non-negative); constant weights of conv/fully_connected/matmul are
    symmetric narrow-range, per output channel; biases are i32 with scale
    `s_x·s_w[o]`; sigmoid-like nonlinearities become `mote.lut` tables
    built from the interpreter's own real functions; a product followed by
    a ReLU/ReLU6 clamp takes the clamp's range so that saturation
    implements the clamp. Ops without an integer form (softmax, div, ...)
    stay in float; each one gets a remark and the pass prints a summary
    line to stderr. docs/Quantization.md has the full rule table.

    `plan` names a per-layer precision file (lines `KEY WEIGHT_BITS
    ACT_BITS`, KEY an op's location name, `#N` its index among calibrated
    ops, or `*` for the default).

    Teacher-guided refinements (need `data`): the float network runs on the
    interpreter over the calibration samples and, for every conv2d and
    fully_connected, the pass collects the mean of its input vectors
    (im2col patches, per group) and the Gram matrix G of up to
    `search-vectors` of them. `weight-search` picks each output channel's
    weight scale among `search-steps` clipping ratios in
    [`search-lowest`, 1]·max|w| minimising the channel's output error
    dᵀ G d, d = w_q − w; `adaround` then flips floor/ceil rounding
    decisions that lower it; `bias-correction` adds −d·E[x] to the bias
    before it is quantized. Only constant values and scales change: the IR
    is the same verified quantized IR. All three are on by default when
    `data` is given (measured on Fashion-MNIST, docs/Quantization.md) and
    off without it; asking for one explicitly without `data` is an error.
  }];
  let options = [
    Option<"precision", "precision", "std::string", /*default=*/"\"int8\"",
           "int8, int4 or w4a8 (4-bit weights, 8-bit activations)">,
    Option<"perChannel", "per-channel", "bool", /*default=*/"true",
           "Quantize weights per output channel (else per tensor)">,
    Option<"asymmetric", "asymmetric", "bool", /*default=*/"true",
           "Asymmetric activations (else symmetric, zero point 0)">,
    Option<"plan", "plan", "std::string", /*default=*/"",
           "Per-layer precision plan file">,
    Option<"useLut", "use-lut", "bool", /*default=*/"true",
           "Lower quantized nonlinearities to mote.lut tables">,
    Option<"data", "data", "std::string", /*default=*/"",
           "Calibration data for the teacher-guided refinements (.npy, .npz "
           "or a directory, as --mote-calibrate)">,
    Option<"maxSamples", "samples", "unsigned", /*default=*/"0",
           "Use at most this many calibration samples (0 = all)">,
    Option<"entry", "entry", "std::string", /*default=*/"",
           "Function the data feeds (default: main, else the only one)">,
    Option<"threads", "threads", "unsigned", /*default=*/"0",
           "Interpreter worker threads for the teacher (0 = all cores)">,
    Option<"weightSearch", "weight-search", "bool", /*default=*/"true",
           "Choose each weight channel's clipping scale by the output error "
           "on the teacher's layer inputs (on by default when data= is "
           "given)">,
    Option<"biasCorrection", "bias-correction", "bool", /*default=*/"true",
           "Add the mean output error E[(w - w_q)·x] to each bias (on by "
           "default when data= is given)">,
    Option<"adaround", "adaround", "bool", /*default=*/"true",
           "Greedy floor/ceil rounding refinement by output error (on by "
           "default when data= is given)">,
    Option<"searchVectors", "search-vectors", "unsigned", /*default=*/"4096",
           "Input vectors per layer sampled for the output error">,
    Option<"searchSteps", "search-steps", "unsigned", /*default=*/"20",
           "Clipping candidates between search-lowest and 1 of max|w|">,
    Option<"searchLowest", "search-lowest", "double", /*default=*/"0.5",
           "Smallest clipping ratio weight-search tries">,
    Option<"adaroundPasses", "adaround-passes", "unsigned", /*default=*/"4",
           "Most sweeps of the rounding refinement per channel">,
  ];
  let dependentDialects = ["::mote::MoteDialect",
                           "::mlir::quant::QuantDialect"];
}

#endif // MOTE_QUANT_PASSES_TD
