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

// A norm over a leading axis runs in a transposed frame; a γ that varies
// over a non-normalized axis does not fold.
// CHECK-LABEL: func.func @leading_axis
// CHECK: %[[T:.*]] = mote.transpose %arg0 {perms = array<i64: 1, 0>}
// CHECK: %[[LN:.*]] = mote.layer_norm %[[T]], %{{.*}} {axis = 1 : i64
// CHECK: mote.transpose %[[LN]] {perms = array<i64: 1, 0>}
// CHECK-NOT: mote.reduce_mean
func.func @leading_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
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

// -----

// nn.LayerNorm over the last axis of an NCHW tensor is a norm over W of
// the importer's NHWC tensor: it normalizes in a transposed frame, and γ
// ([1,1,W,1] in NHWC) follows into it.
// CHECK-LABEL: func.func @non_trailing
// CHECK: %[[T:.*]] = mote.transpose %arg0 {perms = array<i64: 0, 1, 3, 2>} : (tensor<1x4x6x3xf32>) -> tensor<1x4x3x6xf32>
// CHECK: %[[G:.*]] = mote.transpose %arg1 {perms = array<i64: 0, 1, 3, 2>} : (tensor<1x1x6x1xf32>) -> tensor<1x1x1x6xf32>
// CHECK: %[[R:.*]] = mote.reshape %[[G]] : (tensor<1x1x1x6xf32>) -> tensor<6xf32>
// CHECK: %[[LN:.*]] = mote.layer_norm %[[T]], %[[R]] {axis = 3 : i64
// CHECK: %[[Y:.*]] = mote.transpose %[[LN]] {perms = array<i64: 0, 1, 3, 2>}
// CHECK: return %[[Y]]
func.func @non_trailing(%x: tensor<1x4x6x3xf32>, %g: tensor<1x1x6x1xf32>) -> tensor<1x4x6x3xf32> {
  %eps = mote.constant dense<1.0e-5> : tensor<1x1x1x1xf32> -> tensor<1x1x1x1xf32>
  %m = mote.reduce_mean %x {axes = array<i64: 2>} : (tensor<1x4x6x3xf32>) -> tensor<1x4x1x3xf32>
  %d = mote.sub %x, %m : (tensor<1x4x6x3xf32>, tensor<1x4x1x3xf32>) -> tensor<1x4x6x3xf32>
  %sq = mote.pow %d {exponent = 2.0 : f32} : (tensor<1x4x6x3xf32>) -> tensor<1x4x6x3xf32>
  %v = mote.reduce_mean %sq {axes = array<i64: 2>} : (tensor<1x4x6x3xf32>) -> tensor<1x4x1x3xf32>
  %ve = mote.add %v, %eps : (tensor<1x4x1x3xf32>, tensor<1x1x1x1xf32>) -> tensor<1x4x1x3xf32>
  %s = mote.sqrt %ve : (tensor<1x4x1x3xf32>) -> tensor<1x4x1x3xf32>
  %n = mote.div %d, %s : (tensor<1x4x6x3xf32>, tensor<1x4x1x3xf32>) -> tensor<1x4x6x3xf32>
  %y = mote.mul %n, %g : (tensor<1x4x6x3xf32>, tensor<1x1x6x1xf32>) -> tensor<1x4x6x3xf32>
  return %y : tensor<1x4x6x3xf32>
}
