// RUN: mote-opt %s -mote-fold-batchnorm -split-input-file | FileCheck %s

// conv -> mul(gamma) -> add(beta) becomes one conv with scaled weights and a
// bias: W' = W * gamma[o], b' = b * gamma[o] + beta[o].
// CHECK-LABEL: func @conv_scale_shift
// CHECK-DAG: %[[W:.*]] = mote.constant dense<{{\[}}[{{\[}}[2.000000e+00]]], {{\[}}[{{\[}}-1.500000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[B:.*]] = mote.constant dense<[1.500000e+00, -1.000000e+00]> : tensor<2xf32>
// CHECK: %[[C:.*]] = mote.conv2d %arg0, %[[W]], %[[B]]
// CHECK-NOT: mote.mul
// CHECK-NOT: mote.add
// CHECK: return %[[C]]
func.func @conv_scale_shift(%x: tensor<1x4x4x1xf32>) -> tensor<1x4x4x2xf32> {
  %w = mote.constant dense<[[[[1.0]]], [[[0.5]]]]> : tensor<2x1x1x1xf32> -> tensor<2x1x1x1xf32>
  %b = mote.constant dense<[0.5, 1.0]> : tensor<2xf32> -> tensor<2xf32>
  %gamma = mote.constant dense<[2.0, -3.0]> : tensor<2xf32> -> tensor<2xf32>
  %beta = mote.constant dense<[[[[0.5, 2.0]]]]> : tensor<1x1x1x2xf32> -> tensor<1x1x1x2xf32>
  %c = mote.conv2d %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x4x4x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x4x4x2xf32>
  %s = mote.mul %c, %gamma : (tensor<1x4x4x2xf32>, tensor<2xf32>) -> tensor<1x4x4x2xf32>
  %t = mote.add %beta, %s : (tensor<1x1x1x2xf32>, tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  return %t : tensor<1x4x4x2xf32>
}

// -----

// A shift on a bias-less fully-connected layer creates the bias; sub negates.
// CHECK-LABEL: func @fc_sub
// CHECK: %[[B:.*]] = mote.constant dense<[-1.000000e+00, -2.000000e+00, -3.000000e+00]>
// CHECK: mote.fully_connected %arg0, %{{.*}}, %[[B]]
// CHECK-NOT: mote.sub
func.func @fc_sub(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %w = mote.constant dense<1.0> : tensor<3x4xf32> -> tensor<3x4xf32>
  %s = mote.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32> -> tensor<3xf32>
  %y = mote.fully_connected %x, %w : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  %z = mote.sub %y, %s : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %z : tensor<2x3xf32>
}

// -----

// Not folded: the conv has a second user, and constant - conv is not a shift.
// CHECK-LABEL: func @not_folded
// CHECK: mote.conv2d
// CHECK: mote.mul
// CHECK: mote.sub
func.func @not_folded(%x: tensor<1x4x4x1xf32>) -> (tensor<1x4x4x1xf32>, tensor<1x4x4x1xf32>) {
  %w = mote.constant dense<1.0> : tensor<1x1x1x1xf32> -> tensor<1x1x1x1xf32>
  %g = mote.constant dense<2.0> : tensor<1xf32> -> tensor<1xf32>
  %c = mote.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x4x4x1xf32>, tensor<1x1x1x1xf32>) -> tensor<1x4x4x1xf32>
  %m = mote.mul %c, %g : (tensor<1x4x4x1xf32>, tensor<1xf32>) -> tensor<1x4x4x1xf32>
  %s = mote.sub %g, %m : (tensor<1xf32>, tensor<1x4x4x1xf32>) -> tensor<1x4x4x1xf32>
  return %s, %c : tensor<1x4x4x1xf32>, tensor<1x4x4x1xf32>
}

// -----

// A per-spatial (not per-channel) scale cannot fold.
// CHECK-LABEL: func @not_per_channel
// CHECK: mote.mul
func.func @not_per_channel(%x: tensor<1x2x1x1xf32>) -> tensor<1x2x1x1xf32> {
  %w = mote.constant dense<1.0> : tensor<1x1x1x1xf32> -> tensor<1x1x1x1xf32>
  %g = mote.constant dense<[[[2.0]], [[3.0]]]> : tensor<2x1x1xf32> -> tensor<2x1x1xf32>
  %c = mote.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x2x1x1xf32>, tensor<1x1x1x1xf32>) -> tensor<1x2x1x1xf32>
  %m = mote.mul %c, %g : (tensor<1x2x1x1xf32>, tensor<2x1x1xf32>) -> tensor<1x2x1x1xf32>
  return %m : tensor<1x2x1x1xf32>
}
