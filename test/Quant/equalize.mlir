// RUN: mote-opt %s -split-input-file --mote-equalize 2>/dev/null | FileCheck %s
// RUN: mote-opt %s -split-input-file --mote-equalize 2>&1 >/dev/null | FileCheck %s --check-prefix=REPORT
// Float equivalence of the depthwise chain (and the others) on random data:
// RUN: rm -rf %t && mkdir -p %t && %PYTHON %S/Inputs/refine.py x %t 1 4 4 1
// RUN: split-file %s %t/split
// RUN: mote-opt %t/split/chain.mlir --mote-equalize -o %t/eq.mlir 2>/dev/null
// RUN: mote-run %t/split/chain.mlir --input %t/x.npy --output-dir %t/float
// RUN: mote-run %t/eq.mlir --input %t/x.npy --output-dir %t/eq
// RUN: %PYTHON %S/Inputs/refine.py close %t/float/output_0.npy %t/eq/output_0.npy 1e-5 | FileCheck %s --check-prefix=CLOSE
// CLOSE: close

// conv -> ReLU -> conv: r1 = [4, 1], r2 = [1, 4], s = [2, 0.5]; both ranges
// become 2 after one round, the second round changes nothing.
// CHECK-LABEL: func.func @pair
// CHECK-DAG: mote.constant dense<2.000000e+00> : tensor<2x1x1x1xf32>
// CHECK-DAG: mote.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-DAG: mote.constant dense<2.000000e+00> : tensor<1x1x1x2xf32>
// REPORT: equalize: @pair: 1 layer pairs, 2 rounds
//--- pair.mlir
func.func @pair(%x: tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32> {
  %w1 = mote.constant dense<[[[[4.0]]], [[[1.0]]]]> : tensor<2x1x1x1xf32> -> tensor<2x1x1x1xf32>
  %b1 = mote.constant dense<[2.0, 1.0]> : tensor<2xf32> -> tensor<2xf32>
  %c1 = mote.conv2d %x, %w1, %b1 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x2x2x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %r1 = mote.clamp %c1 {min = 0.0 : f32, max = 0x7F800000 : f32} : tensor<1x2x2x2xf32>
  %w2 = mote.constant dense<[[[[1.0, 4.0]]]]> : tensor<1x1x1x2xf32> -> tensor<1x1x1x2xf32>
  %c2 = mote.conv2d %r1, %w2 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x2x2x2xf32>, tensor<1x1x1x2xf32>) -> tensor<1x2x2x1xf32>
  return %c2 : tensor<1x2x2x1xf32>
}

// -----

// conv -> ReLU -> depthwise 3x3 -> ReLU -> max_pool -> pointwise: two
// pairs, swept until the depthwise ranges settle between both neighbours.
// Input channel c of the depthwise conv is its filter c.
// CHECK-LABEL: func.func @chain
// CHECK: mote.conv2d
// CHECK: mote.conv2d {{.*}}groups = 2
// CHECK: mote.conv2d
// REPORT: equalize: @chain: 2 layer pairs, {{[0-9]+}} rounds
//--- chain.mlir
func.func @chain(%x: tensor<1x4x4x1xf32>) -> tensor<1x2x2x1xf32> {
  %w1 = mote.constant dense<[[[[3.0]]], [[[-0.25]]]]> : tensor<2x1x1x1xf32> -> tensor<2x1x1x1xf32>
  %b1 = mote.constant dense<[0.5, 0.1]> : tensor<2xf32> -> tensor<2xf32>
  %c1 = mote.conv2d %x, %w1, %b1 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x4x4x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x4x4x2xf32>
  %r1 = mote.clamp %c1 {min = 0.0 : f32, max = 0x7F800000 : f32} : tensor<1x4x4x2xf32>
  %w2 = mote.constant dense<[[[[0.1], [0.2], [-0.3]], [[0.4], [0.5], [0.6]], [[-0.7], [0.8], [0.9]]], [[[4.0], [-2.0], [1.0]], [[3.0], [5.0], [-6.0]], [[1.5], [2.5], [0.5]]]]> : tensor<2x3x3x1xf32> -> tensor<2x3x3x1xf32>
  %b2 = mote.constant dense<[0.05, -0.2]> : tensor<2xf32> -> tensor<2xf32>
  %c2 = mote.conv2d %r1, %w2, %b2 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, groups = 2 : i64} : (tensor<1x4x4x2xf32>, tensor<2x3x3x1xf32>, tensor<2xf32>) -> tensor<1x4x4x2xf32>
  %r2 = mote.clamp %c2 {min = 0.0 : f32, max = 0x7F800000 : f32} : tensor<1x4x4x2xf32>
  %p = mote.max_pool2d %r2 {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x4x4x2xf32>) -> tensor<1x2x2x2xf32>
  %w3 = mote.constant dense<[[[[0.02, 3.0]]]]> : tensor<1x1x1x2xf32> -> tensor<1x1x1x2xf32>
  %b3 = mote.constant dense<[0.3]> : tensor<1xf32> -> tensor<1xf32>
  %c3 = mote.conv2d %p, %w3, %b3 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x2x2x2xf32>, tensor<1x1x1x2xf32>, tensor<1xf32>) -> tensor<1x2x2x1xf32>
  return %c3 : tensor<1x2x2x1xf32>
}

// -----

// ReLU6 does not commute with a per-channel scale; a value with two uses
// (residual) cannot be rescaled for one of them: nothing changes.
// CHECK-LABEL: func.func @blocked
// CHECK-DAG: mote.constant dense<[{{\[\[\[}}4.000000e+00]]], {{\[\[\[}}1.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: mote.constant dense<[{{\[\[\[}}1.000000e+00, 4.000000e+00]]]]> : tensor<1x1x1x2xf32>
// REPORT: equalize: @blocked: 0 layer pairs, 0 rounds
//--- blocked.mlir
func.func @blocked(%x: tensor<1x2x2x1xf32>) -> (tensor<1x2x2x1xf32>, tensor<1x2x2x2xf32>) {
  %w1 = mote.constant dense<[[[[4.0]]], [[[1.0]]]]> : tensor<2x1x1x1xf32> -> tensor<2x1x1x1xf32>
  %c1 = mote.conv2d %x, %w1 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x2x2x1xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %r1 = mote.clamp %c1 {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x2x2x2xf32>
  %w2 = mote.constant dense<[[[[1.0, 4.0]]]]> : tensor<1x1x1x2xf32> -> tensor<1x1x1x2xf32>
  %c2 = mote.conv2d %r1, %w2 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x2x2x2xf32>, tensor<1x1x1x2xf32>) -> tensor<1x2x2x1xf32>
  %c3 = mote.conv2d %x, %w1 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x2x2x1xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %r3 = mote.clamp %c3 {min = 0.0 : f32, max = 0x7F800000 : f32} : tensor<1x2x2x2xf32>
  %c4 = mote.conv2d %r3, %w2 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x2x2x2xf32>, tensor<1x1x1x2xf32>) -> tensor<1x2x2x1xf32>
  %s = mote.add %r3, %r3 : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  return %c2, %s : tensor<1x2x2x1xf32>, tensor<1x2x2x2xf32>
}
