// Float semantics of every mote op, checked against an independent numpy
// reference (Inputs/cases.py). Inputs are .npz archives whose members
// input_N map to the arguments by their default names.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON %S/Inputs/cases.py gen conv %t
// RUN: mote-run %s --entry conv --input %t/conv.npz --output-dir %t/conv | FileCheck %s --check-prefix=CONV
// RUN: %PYTHON %S/Inputs/cases.py check conv %t
// CONV: output_0: shape 1x4x6x6 float32

// RUN: %PYTHON %S/Inputs/cases.py gen dwconv %t
// RUN: mote-run %s --entry dwconv --threads 1 --input %t/dwconv.npz --output-dir %t/dwconv
// RUN: %PYTHON %S/Inputs/cases.py check dwconv %t

// RUN: %PYTHON %S/Inputs/cases.py gen matmul %t
// RUN: mote-run %s --entry matmul --input %t/matmul.npz --output-dir %t/matmul
// RUN: %PYTHON %S/Inputs/cases.py check matmul %t

// RUN: %PYTHON %S/Inputs/cases.py gen fc %t
// RUN: mote-run %s --entry fc --input %t/fc.npz --output-dir %t/fc | FileCheck %s --check-prefix=FC
// RUN: %PYTHON %S/Inputs/cases.py check fc %t
// FC: logits: shape 3x2 float32

// RUN: %PYTHON %S/Inputs/cases.py gen binary %t
// RUN: mote-run %s --entry binary --input %t/binary.npz --output-dir %t/binary
// RUN: %PYTHON %S/Inputs/cases.py check binary %t

// RUN: %PYTHON %S/Inputs/cases.py gen unary %t
// RUN: mote-run %s --entry unary --input %t/unary.npz --output-dir %t/unary
// RUN: %PYTHON %S/Inputs/cases.py check unary %t

// RUN: %PYTHON %S/Inputs/cases.py gen activations %t
// RUN: mote-run %s --entry activations --input %t/activations.npz --output-dir %t/activations | FileCheck %s --check-prefix=ACT
// RUN: %PYTHON %S/Inputs/cases.py check activations %t
// ACT: output_2: shape 2x4x6 float32 min {{[0-9.e+-]+}} max 100
// ACT: output_3: shape 2x4x6 float32 min -200

// RUN: %PYTHON %S/Inputs/cases.py gen pools %t
// RUN: mote-run %s --entry pools --input %t/pools.npz --output-dir %t/pools
// RUN: %PYTHON %S/Inputs/cases.py check pools %t

// RUN: %PYTHON %S/Inputs/cases.py gen data %t
// RUN: mote-run %s --entry data --input %t/data.npz --output-dir %t/data
// RUN: %PYTHON %S/Inputs/cases.py check data %t

// Grouped conv with strides, dilations and asymmetric padding.
func.func @conv(%x: tensor<1x6x7x4xf32>, %w: tensor<6x3x3x2xf32>, %b: tensor<6xf32>) -> tensor<1x4x6x6xf32> {
  %y = mote.conv2d %x, %w, %b {strides = array<i64: 2, 1>, dilations = array<i64: 1, 2>, pad = array<i64: 1, 2, 0, 3>, groups = 2} : (tensor<1x6x7x4xf32>, tensor<6x3x3x2xf32>, tensor<6xf32>) -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

func.func @dwconv(%x: tensor<2x5x5x3xf32>, %w: tensor<3x3x3x1xf32>) -> tensor<2x5x5x3xf32> {
  %y = mote.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, groups = 3} : (tensor<2x5x5x3xf32>, tensor<3x3x3x1xf32>) -> tensor<2x5x5x3xf32>
  return %y : tensor<2x5x5x3xf32>
}

func.func @matmul(%a: tensor<2x1x3x4xf32>, %b: tensor<3x4x5xf32>) -> tensor<2x3x3x5xf32> {
  %y = mote.matmul %a, %b : (tensor<2x1x3x4xf32>, tensor<3x4x5xf32>) -> tensor<2x3x3x5xf32>
  return %y : tensor<2x3x3x5xf32>
}

// Constant weights and a named result.
func.func @fc(%x: tensor<3x4xf32>) -> (tensor<3x2xf32> {mote.name = "logits"}) {
  %w = mote.constant dense<[[1.0, 2.0, 3.0, 4.0], [-1.0, 0.5, 0.0, 2.0]]> : tensor<2x4xf32> -> tensor<2x4xf32>
  %b = mote.constant dense<[0.5, -1.0]> : tensor<2xf32> -> tensor<2xf32>
  %y = mote.fully_connected %x, %w, %b : (tensor<3x4xf32>, tensor<2x4xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

func.func @binary(%a: tensor<2x3x4xf32>, %b: tensor<3x1xf32>) -> (tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>) {
  %0 = mote.add %a, %b : (tensor<2x3x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  %1 = mote.sub %b, %a : (tensor<3x1xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %2 = mote.mul %a, %b : (tensor<2x3x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  %3 = mote.div %a, %b : (tensor<2x3x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  %4 = mote.maximum %a, %b : (tensor<2x3x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  %5 = mote.minimum %a, %b : (tensor<2x3x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>
}

func.func @unary(%x: tensor<2x3x5xf32>, %s: tensor<5xf32>) -> (tensor<2x3x5xf32>, tensor<2x3x5xf32>, tensor<2x3x5xf32>, tensor<2x3x5xf32>, tensor<2x3x5xf32>, tensor<2x3x5xf32>, tensor<2x3x5xf32>, tensor<2x3x5xf32>, tensor<2x3x5xf32>) {
  %0 = mote.sigmoid %x : (tensor<2x3x5xf32>) -> tensor<2x3x5xf32>
  %1 = mote.tanh %x : (tensor<2x3x5xf32>) -> tensor<2x3x5xf32>
  %2 = mote.hard_sigmoid %x {alpha = 0.2 : f32, beta = 0.5 : f32} : (tensor<2x3x5xf32>) -> tensor<2x3x5xf32>
  %3 = mote.hard_swish %x : (tensor<2x3x5xf32>) -> tensor<2x3x5xf32>
  %4 = mote.leaky_relu %x {alpha = 0.1 : f32} : (tensor<2x3x5xf32>) -> tensor<2x3x5xf32>
  %5 = mote.exp %x : (tensor<2x3x5xf32>) -> tensor<2x3x5xf32>
  %6 = mote.clamp %x {min = 0.0 : f32, max = 6.0 : f32} : tensor<2x3x5xf32>
  %7 = mote.softmax %x {axis = 1} : (tensor<2x3x5xf32>) -> tensor<2x3x5xf32>
  %8 = mote.prelu %x, %s : (tensor<2x3x5xf32>, tensor<5xf32>) -> tensor<2x3x5xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8 : tensor<2x3x5xf32>, tensor<2x3x5xf32>, tensor<2x3x5xf32>, tensor<2x3x5xf32>, tensor<2x3x5xf32>, tensor<2x3x5xf32>, tensor<2x3x5xf32>, tensor<2x3x5xf32>, tensor<2x3x5xf32>
}

// elu, selu (ONNX default alpha/gamma), softplus and log_softmax on inputs
// as large as ±100.
func.func @activations(%x: tensor<2x4x6xf32>) -> (tensor<2x4x6xf32>, tensor<2x4x6xf32>, tensor<2x4x6xf32>, tensor<2x4x6xf32>, tensor<2x4x6xf32>) {
  %0 = mote.elu %x {alpha = 0.5 : f32} : (tensor<2x4x6xf32>) -> tensor<2x4x6xf32>
  %1 = mote.selu %x {alpha = 1.67326319217681884765625 : f32, gamma = 1.05070102214813232421875 : f32} : (tensor<2x4x6xf32>) -> tensor<2x4x6xf32>
  %2 = mote.softplus %x : (tensor<2x4x6xf32>) -> tensor<2x4x6xf32>
  %3 = mote.log_softmax %x {axis = 2} : (tensor<2x4x6xf32>) -> tensor<2x4x6xf32>
  %4 = mote.log_softmax %x {axis = 0} : (tensor<2x4x6xf32>) -> tensor<2x4x6xf32>
  return %0, %1, %2, %3, %4 : tensor<2x4x6xf32>, tensor<2x4x6xf32>, tensor<2x4x6xf32>, tensor<2x4x6xf32>, tensor<2x4x6xf32>
}

// ceil_mode, count_include_pad (the ceil_mode extra row past the padded
// input never counts), dilated max pooling.
func.func @pools(%x: tensor<1x7x7x2xf32>) -> (tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>, tensor<1x3x3x2xf32>, tensor<1x5x5x2xf32>, tensor<1x4x4x2xf32>) {
  %0 = mote.max_pool2d %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pad = array<i64: 1, 1, 1, 1>, ceil_mode = true} : (tensor<1x7x7x2xf32>) -> tensor<1x4x4x2xf32>
  %1 = mote.avg_pool2d %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pad = array<i64: 1, 0, 1, 0>, count_include_pad = true, ceil_mode = true} : (tensor<1x7x7x2xf32>) -> tensor<1x4x4x2xf32>
  %2 = mote.avg_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x7x7x2xf32>) -> tensor<1x3x3x2xf32>
  %3 = mote.max_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 1, 1>, dilations = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x7x7x2xf32>) -> tensor<1x5x5x2xf32>
  %4 = mote.avg_pool2d %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pad = array<i64: 1, 1, 1, 1>} : (tensor<1x7x7x2xf32>) -> tensor<1x4x4x2xf32>
  return %0, %1, %2, %3, %4 : tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>, tensor<1x3x3x2xf32>, tensor<1x5x5x2xf32>, tensor<1x4x4x2xf32>
}

func.func @data(%x: tensor<1x2x3x4xf32>, %y: tensor<1x2x3x2xf32>) -> (tensor<1x2x3x6xf32>, tensor<2x12xf32>, tensor<1x4x2x3xf32>, tensor<1x3x5x6xf32>) {
  %0 = mote.concat %x, %y {axis = 3} : (tensor<1x2x3x4xf32>, tensor<1x2x3x2xf32>) -> tensor<1x2x3x6xf32>
  %1 = mote.reshape %x : (tensor<1x2x3x4xf32>) -> tensor<2x12xf32>
  %2 = mote.transpose %x {perms = array<i64: 0, 3, 1, 2>} : (tensor<1x2x3x4xf32>) -> tensor<1x4x2x3xf32>
  %3 = mote.pad %x {pads = array<i64: 0, 0, 1, 0, 0, 2, 1, 1>, value = 1.5 : f32} : (tensor<1x2x3x4xf32>) -> tensor<1x3x5x6xf32>
  return %0, %1, %2, %3 : tensor<1x2x3x6xf32>, tensor<2x12xf32>, tensor<1x4x2x3xf32>, tensor<1x3x5x6xf32>
}
