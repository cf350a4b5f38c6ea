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
  ];
  let dependentDialects = ["::mote::MoteDialect",
                           "::mlir::quant::QuantDialect"];
}

#endif // MOTE_QUANT_PASSES_TD
