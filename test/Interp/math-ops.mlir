// The math, reduction and layer-norm kernels against independent
// references (Inputs/math_cases.py): float within 1e-5, quantized exactly.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON %S/Inputs/math_cases.py gen math %t
// RUN: mote-run %s --entry math --input %t/math.npz --output-dir %t/math
// RUN: %PYTHON %S/Inputs/math_cases.py check math %t

// RUN: %PYTHON %S/Inputs/math_cases.py gen reduce %t
// RUN: mote-run %s --entry reduce --input %t/reduce.npz --output-dir %t/reduce
// RUN: %PYTHON %S/Inputs/math_cases.py check reduce %t

// RUN: %PYTHON %S/Inputs/math_cases.py gen layer_norm %t
// RUN: mote-run %s --entry layer_norm --input %t/layer_norm.npz --output-dir %t/layer_norm
// RUN: %PYTHON %S/Inputs/math_cases.py check layer_norm %t

// RUN: %PYTHON %S/Inputs/math_cases.py gen qreduce %t
// RUN: mote-run %s --entry qreduce --input %t/qreduce.npz --output-dir %t/qreduce
// RUN: %PYTHON %S/Inputs/math_cases.py check qreduce %t

// RUN: %PYTHON %S/Inputs/math_cases.py gen qmath %t
// RUN: mote-run %s --entry qmath --input %t/qmath.npz --output-dir %t/qmath
// RUN: %PYTHON %S/Inputs/math_cases.py check qmath %t

func.func @math(%p: tensor<2x3x4xf32>, %x: tensor<2x3x4xf32>) -> (tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>) {
  %0 = mote.sqrt %p : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %1 = mote.reciprocal %p : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %2 = mote.log %p : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %3 = mote.erf %x : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %4 = mote.pow %p {exponent = 1.5 : f32} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %5 = mote.silu %x : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %6 = mote.gelu %x : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>
}

func.func @reduce(%x: tensor<2x3x4x5xf32>) -> (tensor<2x1x4x1xf32>, tensor<2x3x5xf32>, tensor<1x1x1x1xf32>, tensor<2x3x4xf32>) {
  %0 = mote.reduce_sum %x {axes = array<i64: 1, 3>} : (tensor<2x3x4x5xf32>) -> tensor<2x1x4x1xf32>
  %1 = mote.reduce_mean %x {axes = array<i64: 2>, keepdims = false} : (tensor<2x3x4x5xf32>) -> tensor<2x3x5xf32>
  %2 = mote.reduce_max %x {axes = array<i64: 0, 1, 2, 3>} : (tensor<2x3x4x5xf32>) -> tensor<1x1x1x1xf32>
  %3 = mote.reduce_min %x {axes = array<i64: 3>, keepdims = false} : (tensor<2x3x4x5xf32>) -> tensor<2x3x4xf32>
  return %0, %1, %2, %3 : tensor<2x1x4x1xf32>, tensor<2x3x5xf32>, tensor<1x1x1x1xf32>, tensor<2x3x4xf32>
}

func.func @layer_norm(%x: tensor<2x3x8xf32>, %g: tensor<8xf32>, %b: tensor<3x8xf32>) -> (tensor<2x3x8xf32>, tensor<2x3x8xf32>) {
  %0 = mote.layer_norm %x, %g {axis = 2 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x3x8xf32>, tensor<8xf32>) -> tensor<2x3x8xf32>
  %1 = mote.layer_norm %x, %b {axis = 1 : i64, epsilon = 0.25 : f32} : (tensor<2x3x8xf32>, tensor<3x8xf32>) -> tensor<2x3x8xf32>
  return %0, %1 : tensor<2x3x8xf32>, tensor<2x3x8xf32>
}

!qi = !quant.uniform<i8:f32, 1.000000e-01:-3>
!qm = !quant.uniform<i8:f32, 1.000000e-01:4>
!qs = !quant.uniform<u8:f32, 4.000000e-01>

func.func @qreduce(%x: tensor<2x3x4x!qi>) -> (tensor<2x1x1x!qm>, tensor<3x4x!qm>, tensor<2x3x!qs>, tensor<1x3x1x!qi>, tensor<2x4x!qi>) {
  %0 = mote.reduce_mean %x {axes = array<i64: 1, 2>} : (tensor<2x3x4x!qi>) -> tensor<2x1x1x!qm>
  %1 = mote.reduce_mean %x {axes = array<i64: 0>, keepdims = false} : (tensor<2x3x4x!qi>) -> tensor<3x4x!qm>
  %2 = mote.reduce_sum %x {axes = array<i64: 2>, keepdims = false} : (tensor<2x3x4x!qi>) -> tensor<2x3x!qs>
  %3 = mote.reduce_max %x {axes = array<i64: 0, 2>} : (tensor<2x3x4x!qi>) -> tensor<1x3x1x!qi>
  %4 = mote.reduce_min %x {axes = array<i64: 1>, keepdims = false} : (tensor<2x3x4x!qi>) -> tensor<2x4x!qi>
  return %0, %1, %2, %3, %4 : tensor<2x1x1x!qm>, tensor<3x4x!qm>, tensor<2x3x!qs>, tensor<1x3x1x!qi>, tensor<2x4x!qi>
}

!qx = !quant.uniform<i8:f32, 5.000000e-02:-10>
!qo = !quant.uniform<i8:f32, 3.000000e-02:5>
!qu = !quant.uniform<u8:f32, 2.000000e-02>

func.func @qmath(%x: tensor<16x16x!qx>) -> (tensor<16x16x!qo>, tensor<16x16x!qo>, tensor<16x16x!qu>, tensor<16x16x!qo>, tensor<16x16x!qo>) {
  %0 = mote.gelu %x : (tensor<16x16x!qx>) -> tensor<16x16x!qo>
  %1 = mote.silu %x : (tensor<16x16x!qx>) -> tensor<16x16x!qo>
  %2 = mote.sqrt %x : (tensor<16x16x!qx>) -> tensor<16x16x!qu>
  %3 = mote.pow %x {exponent = 3.0 : f32} : (tensor<16x16x!qx>) -> tensor<16x16x!qo>
  %4 = mote.erf %x : (tensor<16x16x!qx>) -> tensor<16x16x!qo>
  return %0, %1, %2, %3, %4 : tensor<16x16x!qo>, tensor<16x16x!qo>, tensor<16x16x!qu>, tensor<16x16x!qo>, tensor<16x16x!qo>
}
