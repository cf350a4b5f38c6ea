// RUN: mote-opt %s -split-input-file --mote-fuse-activations | FileCheck %s

// CHECK-LABEL: func.func @hard_swish
// CHECK-NEXT: %[[Y:.*]] = mote.hard_swish %arg0 : (tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
// CHECK-NEXT: return %[[Y]]
func.func @hard_swish(%x: tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32> {
  %0 = mote.hard_sigmoid %x {alpha = 0.166666672 : f32, beta = 0.5 : f32} : (tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  %1 = mote.mul %x, %0 : (tensor<1x4x4x8xf32>, tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  return %1 : tensor<1x4x4x8xf32>
}

// -----

// ONNX's default HardSigmoid (alpha 0.2) times x is not HardSwish.
// CHECK-LABEL: func.func @not_hard_swish
// CHECK: mote.hard_sigmoid
// CHECK: mote.mul
func.func @not_hard_swish(%x: tensor<8xf32>) -> tensor<8xf32> {
  %0 = mote.hard_sigmoid %x {alpha = 0.2 : f32, beta = 0.5 : f32} : (tensor<8xf32>) -> tensor<8xf32>
  %1 = mote.mul %0, %x : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %1 : tensor<8xf32>
}

// -----

// CHECK-LABEL: func.func @silu
// CHECK-NEXT: %[[Y:.*]] = mote.silu %arg0
// CHECK-NEXT: return %[[Y]]
func.func @silu(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %0 = mote.sigmoid %x : (tensor<2x8xf32>) -> tensor<2x8xf32>
  %1 = mote.mul %0, %x : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  return %1 : tensor<2x8xf32>
}

// -----

// x · sigmoid(y) with y ≠ x stays.
// CHECK-LABEL: func.func @not_silu
// CHECK: mote.sigmoid
// CHECK: mote.mul
func.func @not_silu(%x: tensor<8xf32>, %y: tensor<8xf32>) -> tensor<8xf32> {
  %0 = mote.sigmoid %y : (tensor<8xf32>) -> tensor<8xf32>
  %1 = mote.mul %x, %0 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %1 : tensor<8xf32>
}

// -----

// torch.onnx's form: ((x · (erf(x / √2) + 1)) · 0.5).
// CHECK-LABEL: func.func @gelu
// CHECK-NEXT: %[[Y:.*]] = mote.gelu %arg0
// CHECK-NEXT: return %[[Y]]
func.func @gelu(%x: tensor<1x3x8xf32>) -> tensor<1x3x8xf32> {
  %s = mote.constant dense<1.41421354> : tensor<1x1x1xf32> -> tensor<1x1x1xf32>
  %one = mote.constant dense<1.0> : tensor<1x1x1xf32> -> tensor<1x1x1xf32>
  %half = mote.constant dense<0.5> : tensor<f32> -> tensor<f32>
  %0 = mote.div %x, %s : (tensor<1x3x8xf32>, tensor<1x1x1xf32>) -> tensor<1x3x8xf32>
  %1 = mote.erf %0 : (tensor<1x3x8xf32>) -> tensor<1x3x8xf32>
  %2 = mote.add %1, %one : (tensor<1x3x8xf32>, tensor<1x1x1xf32>) -> tensor<1x3x8xf32>
  %3 = mote.mul %x, %2 : (tensor<1x3x8xf32>, tensor<1x3x8xf32>) -> tensor<1x3x8xf32>
  %4 = mote.mul %3, %half : (tensor<1x3x8xf32>, tensor<f32>) -> tensor<1x3x8xf32>
  return %4 : tensor<1x3x8xf32>
}

// -----

// (x · 0.5) · (1 + erf(x · 1/√2)).
// CHECK-LABEL: func.func @gelu_reassociated
// CHECK-NEXT: %[[Y:.*]] = mote.gelu %arg0
// CHECK-NEXT: return %[[Y]]
func.func @gelu_reassociated(%x: tensor<8xf32>) -> tensor<8xf32> {
  %r = mote.constant dense<0.707106769> : tensor<1xf32> -> tensor<1xf32>
  %one = mote.constant dense<1.0> : tensor<1xf32> -> tensor<1xf32>
  %half = mote.constant dense<0.5> : tensor<1xf32> -> tensor<1xf32>
  %0 = mote.mul %r, %x : (tensor<1xf32>, tensor<8xf32>) -> tensor<8xf32>
  %1 = mote.erf %0 : (tensor<8xf32>) -> tensor<8xf32>
  %2 = mote.add %one, %1 : (tensor<1xf32>, tensor<8xf32>) -> tensor<8xf32>
  %3 = mote.mul %x, %half : (tensor<8xf32>, tensor<1xf32>) -> tensor<8xf32>
  %4 = mote.mul %3, %2 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %4 : tensor<8xf32>
}

// -----

// A wrong constant (0.6 instead of 0.5) is not GELU.
// CHECK-LABEL: func.func @not_gelu
// CHECK-NOT: mote.gelu
// CHECK: mote.erf
func.func @not_gelu(%x: tensor<8xf32>) -> tensor<8xf32> {
  %s = mote.constant dense<1.41421354> : tensor<1xf32> -> tensor<1xf32>
  %one = mote.constant dense<1.0> : tensor<1xf32> -> tensor<1xf32>
  %c = mote.constant dense<0.6> : tensor<1xf32> -> tensor<1xf32>
  %0 = mote.div %x, %s : (tensor<8xf32>, tensor<1xf32>) -> tensor<8xf32>
  %1 = mote.erf %0 : (tensor<8xf32>) -> tensor<8xf32>
  %2 = mote.add %1, %one : (tensor<8xf32>, tensor<1xf32>) -> tensor<8xf32>
  %3 = mote.mul %x, %2 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %4 = mote.mul %3, %c : (tensor<8xf32>, tensor<1xf32>) -> tensor<8xf32>
  return %4 : tensor<8xf32>
}
