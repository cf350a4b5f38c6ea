// Empirical bias correction on a fully_connected with known inputs: two
// samples [1, 3] and [3, 5], mean [2, 4]. W4A8 weight scale 0.6/7 =
// 0.08571429; 0.3 rounds to 3 (3.4999…), so d = w_q - w = [-0.0428571, 0]
// and the mean output error is d·E[x] = -0.0857143. The bias 1 becomes
// 1.0857143: in i32 with scale s_x·s_w = 0.03137255·0.08571429 = 0.002689076
// that is 404 instead of 372 (1 / 0.002689076 = 371.9).
// RUN: rm -rf %t && mkdir -p %t && %PYTHON %S/Inputs/refine.py bias %t
// RUN: mote-opt %s --mote-quantize="precision=w4a8" 2>/dev/null | FileCheck %s --check-prefix=NONE
// RUN: mote-opt %s --mote-quantize="precision=w4a8 data=%t/bias.npy weight-search=false adaround=false bias-correction=true" -o %t/bc.mlir 2>&1 | FileCheck %s --check-prefix=REPORT
// RUN: FileCheck %s --check-prefix=BC < %t/bc.mlir
// With data, all three refinements are on by default.
// RUN: mote-opt %s --mote-quantize="precision=w4a8 data=%t/bias.npy" 2>&1 >/dev/null | FileCheck %s --check-prefix=DEFAULT
// DEFAULT: refine: weight-search, adaround, bias-correction on 1 layers
// The refined IR is ordinary quantized IR: the interpreter runs it.
// RUN: mote-run %t/bc.mlir --input %t/bias.npy | FileCheck %s --check-prefix=EXEC

// NONE: mote.constant dense<{{\[\[}}3, -7]]> : tensor<1x2xi4>
// NONE: mote.constant dense<372> : tensor<1xi32>
// BC: mote.constant dense<{{\[\[}}3, -7]]> : tensor<1x2xi4>
// BC: mote.constant dense<404> : tensor<1xi32>
// REPORT: refine: bias-correction on 1 layers
// EXEC: output_0: shape 2x1

func.func @main(%x: tensor<1x2xf32> {mote.calib = array<f64: 0.0, 8.0>}) -> tensor<1x1xf32> {
  %w = mote.constant dense<[[0.3, -0.6]]> : tensor<1x2xf32> -> tensor<1x2xf32>
  %b = mote.constant dense<[1.0]> : tensor<1xf32> -> tensor<1xf32>
  %y = mote.fully_connected %x, %w, %b {mote.calib = array<f64: -4.0, 4.0>} : (tensor<1x2xf32>, tensor<1x2xf32>, tensor<1xf32>) -> tensor<1x1xf32>
  return %y : tensor<1x1xf32>
}
