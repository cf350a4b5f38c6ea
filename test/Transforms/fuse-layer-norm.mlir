// RUN: mote-opt %s -split-input-file --mote-fuse-layer-norm | FileCheck %s

// torch.onnx's LayerNorm (opset < 17) over the last axis, γ and β folded.
// CHECK-LABEL: func.func @layer_norm
// CHECK-DAG: %[[G:.*]] = mote.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]>
// CHECK-DAG: %[[B:.*]] = mote.constant dense<5.000000e-01> : tensor<4xf32>
// CHECK: %[[Y:.*]] = mote.layer_norm %arg0, %[[G]], %[[B]] {axis = 2 : i64, epsilon = 9.99999974E-6 : f32} : (tensor<2x3x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
// CHECK-NEXT: return %[[Y]]
func.func @layer_norm(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %eps = mote.constant dense<1.0e-5> : tensor<f32> -> tensor<f32>
  %g = mote.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32> -> tensor<4xf32>
  %b = mote.constant dense<0.5> : tensor<4xf32> -> tensor<4xf32>
  %m = mote.reduce_mean %x {axes = array<i64: 2>} : (tensor<2x3x4xf32>) -> tensor<2x3x1xf32>
  %d = mote.sub %x, %m : (tensor<2x3x4xf32>, tensor<2x3x1xf32>) -> tensor<2x3x4xf32>
  %sq = mote.pow %d {exponent = 2.0 : f32} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %v = mote.reduce_mean %sq {axes = array<i64: 2>} : (tensor<2x3x4xf32>) -> tensor<2x3x1xf32>
  %ve = mote.add %v, %eps : (tensor<2x3x1xf32>, tensor<f32>) -> tensor<2x3x1xf32>
  %s = mote.sqrt %ve : (tensor<2x3x1xf32>) -> tensor<2x3x1xf32>
  %n = mote.div %d, %s : (tensor<2x3x4xf32>, tensor<2x3x1xf32>) -> tensor<2x3x4xf32>
  %ng = mote.mul %n, %g : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  %y = mote.add %ng, %b : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  return %y : tensor<2x3x4xf32>
}

// -----

// Over the two trailing axes, d·d for the square, no affine tail: scale 1.
// A γ of shape [1, 3, 4] is reshaped to the normalized shape [3, 4].
// CHECK-LABEL: func.func @two_axes
// CHECK: %[[R:.*]] = mote.reshape %arg1 : (tensor<1x3x4xf32>) -> tensor<3x4xf32>
// CHECK: mote.layer_norm %arg0, %[[R]] {axis = 1 : i64, epsilon = 1.000000e-03 : f32}
// CHECK-NOT: mote.reduce_mean
func.func @two_axes(%x: tensor<2x3x4xf32>, %g: tensor<1x3x4xf32>) -> tensor<2x3x4xf32> {
  %eps = mote.constant dense<1.0e-3> : tensor<1x1x1xf32> -> tensor<1x1x1xf32>
  %m = mote.reduce_mean %x {axes = array<i64: 1, 2>} : (tensor<2x3x4xf32>) -> tensor<2x1x1xf32>
  %d = mote.sub %x, %m : (tensor<2x3x4xf32>, tensor<2x1x1xf32>) -> tensor<2x3x4xf32>
  %sq = mote.mul %d, %d : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %v = mote.reduce_mean %sq {axes = array<i64: 1, 2>} : (tensor<2x3x4xf32>) -> tensor<2x1x1xf32>
  %ve = mote.add %eps, %v : (tensor<1x1x1xf32>, tensor<2x1x1xf32>) -> tensor<2x1x1xf32>
  %s = mote.sqrt %ve : (tensor<2x1x1xf32>) -> tensor<2x1x1xf32>
  %n = mote.div %d, %s : (tensor<2x3x4xf32>, tensor<2x1x1xf32>) -> tensor<2x3x4xf32>
  %y = mote.mul %g, %n : (tensor<1x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %y : tensor<2x3x4xf32>
}

// -----

// A reduction over a leading axis is not a layer norm; a γ that varies
// over a non-normalized axis does not fold.
// CHECK-LABEL: func.func @not_trailing
// CHECK-NOT: mote.layer_norm
func.func @not_trailing(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %eps = mote.constant dense<1.0e-5> : tensor<f32> -> tensor<f32>
  %m = mote.reduce_mean %x {axes = array<i64: 0>} : (tensor<2x3xf32>) -> tensor<1x3xf32>
  %d = mote.sub %x, %m : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<2x3xf32>
  %sq = mote.pow %d {exponent = 2.0 : f32} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %v = mote.reduce_mean %sq {axes = array<i64: 0>} : (tensor<2x3xf32>) -> tensor<1x3xf32>
  %ve = mote.add %v, %eps : (tensor<1x3xf32>, tensor<f32>) -> tensor<1x3xf32>
  %s = mote.sqrt %ve : (tensor<1x3xf32>) -> tensor<1x3xf32>
  %n = mote.div %d, %s : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<2x3xf32>
  return %n : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @gamma_over_rows
// CHECK: %[[LN:.*]] = mote.layer_norm %arg0, %{{.*}} {axis = 1 : i64
// CHECK: mote.mul %[[LN]], %arg1
func.func @gamma_over_rows(%x: tensor<2x3xf32>, %g: tensor<2x1xf32>) -> tensor<2x3xf32> {
  %eps = mote.constant dense<1.0e-5> : tensor<f32> -> tensor<f32>
  %m = mote.reduce_mean %x {axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  %d = mote.sub %x, %m : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
  %sq = mote.pow %d {exponent = 2.0 : f32} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %v = mote.reduce_mean %sq {axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  %ve = mote.add %v, %eps : (tensor<2x1xf32>, tensor<f32>) -> tensor<2x1xf32>
  %s = mote.sqrt %ve : (tensor<2x1xf32>) -> tensor<2x1xf32>
  %n = mote.div %d, %s : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
  %y = mote.mul %n, %g : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}
