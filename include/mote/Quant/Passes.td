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
    stay in float; each one gets a remark. Which ops have an integer form,
    and which, is `QuantizableOpInterface` (docs/Dialects/MoteInterfaces.md).
    The pass ends with a summary remark (`quantize: N ops in integers, ...`
    and, after refinements, `refine: ...`) and pass statistics
    (`-mlir-pass-statistics`). docs/Quantization.md has the full rule
    table.

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
           "Worker threads for the teacher's interpreter and the "
           "refinement's channels (0 = all cores; the result does not "
           "depend on it)">,
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
    Option<"refineMaxGops", "refine-max-gops", "double", /*default=*/"4.0",
           "Per-layer cost cap of the weight search and AdaRound, in 10^9 "
           "multiply-adds (~K^2 x (channels x steps + vectors) for K-element "
           "weight rows); larger layers get bias correction only">,
    Option<"searchLowest", "search-lowest", "double", /*default=*/"0.5",
           "Smallest clipping ratio weight-search tries">,
    Option<"adaroundPasses", "adaround-passes", "unsigned", /*default=*/"4",
           "Most sweeps of the rounding refinement per channel">,
    Option<"quiet", "quiet", "bool", /*default=*/"false",
           "Do not emit the summary remarks">,
  ];
  let statistics = [
    Statistic<"numIntegerOps", "integer-ops", "Ops given an integer form">,
    Statistic<"numFloatOps", "float-ops", "Ops kept in float">,
    Statistic<"numRefinedLayers", "refined-layers",
              "Layers whose weights the teacher-guided refinements chose">,
    Statistic<"numRoundingFlips", "rounding-flips",
              "Weight roundings AdaRound flipped">,
  ];
  let dependentDialects = ["::mote::MoteDialect",
                           "::mlir::quant::QuantDialect"];
}

def MoteQuantSynthesis : Pass<"mote-quant-synthesis", "mlir::func::FuncOp"> {
  let summary = "Rewrite quantized layers as sums of low-bit terms";
  let description = [{
    Quantization synthesis (DESIGN §5): every `conv2d` / `fully_connected`
    with a constant quantized weight (zero point 0), a per-tensor input and
    a narrow result is rewritten so that its weight is `terms` low-bit
    terms, Q(w) = Σ_i α_i·Q_i(w), each visible as its own accumulation:
    one product per term with an `i32` accumulator result, the
    accumulators summed with `mote.add`, and one requantization to the
    original result type. The bias goes into term 0. docs/Synthesis.md
    shows the IR.

    - `pow2`: α_i = s·2^(bits·i), bit slicing of the (terms·bits)-bit
      integer weight (top digit signed, lower digits unsigned). The term
      filters are per tensor with scale 2^(bits·i), so the accumulators are
      per tensor and the adds exact (power-of-two ratios); the per-channel
      weight scale is applied by the final requantization, a depthwise 1×1
      `conv2d` with weight 1 and scale s_w[o] whose multiplier is the
      original layer's. The result is bit-identical to the unsynthesized
      layer when terms·bits covers the weight's bits (else the weights are
      first requantized to terms·bits bits).
    - `learned`: LQ-Nets alternating least squares per output channel; used
      for a layer only if its weight SQNR beats uniform (terms·bits)-bit
      quantization by `min-gain-db`, else the layer gets pow2 terms.
    - `residual`: greedy residual terms (baseline).

    learned/residual terms have per-channel α_i[o]: each accumulator
    (scale s_x·α_i[o], per axis) is requantized to a per-tensor i32 scale
    s_out·2^−8 (mote.add takes per-tensor operands), summed, and
    requantized to the result type.

    `report` writes every layer's weight SQNR of each choice (uniform at
    equal bits, pow2, residual, learned) and the choice as JSON; motec
    builds the pass with an in-memory sink instead and puts the same
    objects in its --report (`synthesis_layers`). `-debug-only=
    mote-quant-synthesis` prints them as the pass goes.
  }];
  let options = [
    Option<"mode", "mode", "std::string", /*default=*/"\"pow2\"",
           "pow2, learned or residual">,
    Option<"terms", "terms", "unsigned", /*default=*/"2",
           "Number of terms K">,
    Option<"bits", "bits", "unsigned", /*default=*/"4",
           "Bits per term b">,
    Option<"minGainDb", "min-gain-db", "double", /*default=*/"1.0",
           "learned: SQNR margin over uniform needed to use it">,
    Option<"report", "report", "std::string", /*default=*/"",
           "Write per-layer SQNR of every choice as JSON to this file">,
  ];
  let dependentDialects = ["::mote::MoteDialect",
                           "::mlir::quant::QuantDialect"];
}

def MoteBitwidthLowering : Pass<"mote-bitwidth-lowering", "mlir::func::FuncOp"> {
  let summary = "Split wide integer products into the target's digit width";
  let description = [{
    Bit-width lowering (DESIGN §5, docs/BitwidthLowering.md). The Mote NPU
    multiplies `digit-bits`-bit operands only. Every quantized `conv2d`,
    `fully_connected` and `matmul` whose zero-point-shifted operands
    `x − zp_x` or `w − zp_w` need more bits becomes digit-plane products
    `x·w = Σ_i Σ_j 2^(d(i+j))·x_i·w_j` (top digit signed, lower digits
    unsigned; all digits unsigned for a non-negative range):

    - activation digits by `mote.digit` (per tensor, zero point 0, scale
      s_x), weight digits as constant planes (per tensor, scale 1);
    - one product per (i, j) with an `i32` accumulator of scale s_x;
    - the shift 2^(d(i+j)) as `mote.mul` by a constant, the planes summed
      with `mote.add` (equal scales: exact, the pass checks it);
    - the per-channel weight scale, the bias and the original
      requantization by one depthwise 1×1 `conv2d` (weight 1, scale
      s_w[o], tagged `mote.rescale`), whose ratio s_x·s_w[o]/s_out is the
      original one: the result is bit-identical by construction.

    Every product (lowered or already native) gets `mote.acc_bound` (the
    proven accumulator range from the activation type's range and the
    actual weight values) and `mote.acc_bits` (16 where the bound fits,
    else 32). A layer whose partial sums could leave int32 is kept (with a
    remark). With `multiplier-bits` < 32 each requantization gets
    `mote.multiplier` / `mote.shift`: its multiplier rounded to that width
    (not bit-exact; the per-layer error bound is reported). The IR's own
    semantics keep the 32-bit multiplier. One line per layer goes to
    stderr.
  }];
  let options = [
    Option<"digitBits", "digit-bits", "unsigned", /*default=*/"4",
           "The target's native multiplier operand width d (1..16)">,
    Option<"multiplierBits", "multiplier-bits", "unsigned", /*default=*/"32",
           "The target's requantization multiplier width (2..32)">,
    Option<"quiet", "quiet", "bool", /*default=*/"false",
           "Do not print the per-layer report">,
    Option<"npuProducts", "npu-products", "bool", /*default=*/"false",
           "Lower only the products the NPU lowering forms layers from "
           "(conv2d, fully_connected, 2-D matmul by a constant); a product "
           "of two run-time tensors or a batched matmul stays native and "
           "runs as a host op (motec sets it)">,
  ];
  let dependentDialects = ["::mote::MoteDialect",
                           "::mlir::quant::QuantDialect"];
}

def MoteMixedPrecision : Pass<"mote-mixed-precision", "mlir::ModuleOp"> {
  let summary = "Energy-aware per-layer precision search under an accuracy budget";
  let description = [{
    Mixed precision (DESIGN §5, docs/MixedPrecision.md). On calibrated
    float IR (after --mote-calibrate), chooses each layer's (weight bits,
    activation bits) from `candidates` to minimise the estimated energy
    (or latency) of the target's cost model (mote/Quant/CostModel.h) under
    an accuracy budget measured on the calibration data with the
    interpreter:

    1. the float model's top-1 predictions on the samples are the
       reference; uniform int8 is the baseline;
    2. sensitivity: every decision unit is quantized alone to every
       candidate (the rest int8, refinements on), run, and charged: loss
       = top-1 agreement with float lost against int8, in points, and the
       cost from the IR;
    3. greedy multiple-choice knapsack by cost saved per loss (ties by
       output error) while the summed loss fits `budget`;
    4. verification: the chosen plan is quantized and run; while its loss
       exceeds the budget the last chosen step is undone.

    Units are conv2d / fully_connected / matmul (weights and activations)
    and ops with their own activation type (add, avg_pool2d, ...,
    activations only). The producers of the inputs of an add, sub, mul,
    maximum, minimum or concat are tied: one choice for all of them.

    The plan goes to `plan-out` in --mote-quantize's plan format, with a
    commented header (target, budget, measured loss, energy vs int8) and
    the energy of every line; with `quantize` (default) the module is then
    quantized with it (refinements on), else left unchanged.

    ```
    mote-opt m.mlir --mote-calibrate="data=c.npy" --mote-mixed-precision="data=c.npy target=mote-default budget=0.5 plan-out=plan.txt"
    ```
  }];
  let options = [
    Option<"data", "data", "std::string", /*default=*/"",
           "Calibration data (.npy, .npz or a directory, as --mote-calibrate)">,
    Option<"maxSamples", "samples", "unsigned", /*default=*/"0",
           "Measure the budget on at most this many samples (0 = all); the "
           "refinements always use all of them">,
    Option<"entry", "entry", "std::string", /*default=*/"",
           "Function to plan (default: main, else the only function)">,
    Option<"threads", "threads", "unsigned", /*default=*/"0",
           "Interpreter worker threads (0 = all cores)">,
    Option<"target", "target", "std::string", /*default=*/"\"mote-default\"",
           "Target description: a name or a .json file">,
    Option<"budget", "budget", "double", /*default=*/"0.5",
           "Top-1 agreement with the float model that may be lost against "
           "uniform int8, in points, on the calibration samples">,
    Option<"objective", "objective", "std::string", /*default=*/"\"energy\"",
           "energy or latency">,
    Option<"candidates", "candidates", "std::string",
           /*default=*/"\"w8a8,w4a8,w8a4,w4a4,w2a8\"",
           "Comma-separated WnAm candidates (bits in [2, 8])">,
    Option<"planOut", "plan-out", "std::string", /*default=*/"",
           "Write the plan to this file">,
    Option<"quantize", "quantize", "bool", /*default=*/"true",
           "Quantize the module with the chosen plan (else leave it float)">,
    Option<"refine", "refine", "bool", /*default=*/"true",
           "Use --mote-quantize's teacher-guided refinements (data=) in "
           "every trial and in the result">,
  ];
  let dependentDialects = ["::mote::MoteDialect",
                           "::mlir::quant::QuantDialect"];
}

def MoteEstimateCost : Pass<"mote-estimate-cost", "mlir::ModuleOp"> {
  let summary = "Print the simulated energy and latency of quantized IR";
  let description = [{
    Prices the entry function of quantized `mote` IR on `target` with the
    one cost model (mote/Quant/CostModel.h): a copy is compiled as `motec`
    compiles it (bit-width lowering unless already lowered, the NPU
    pipeline with weights and activations `auto`) and the program is
    scheduled on the simulator. Prints one line per NPU layer (its name,
    kind, MACs, digit-MACs, DRAM bytes, energy and cycles per inference),
    the total with its energy by component and the one-time program load;
    `json` writes the same as JSON. The IR is unchanged. The
    mixed-precision search prices its trials the same way
    (docs/MixedPrecision.md).
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"mote-default\"",
           "Target description: a name or a .json file">,
    Option<"entry", "entry", "std::string", /*default=*/"",
           "Function to estimate (default: main, else the only function)">,
    Option<"json", "json", "std::string", /*default=*/"",
           "Also write the estimate as JSON to this file">,
  ];
}

#endif // MOTE_QUANT_PASSES_TD
