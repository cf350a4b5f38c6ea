// mote.slice and mote.resize: round trip, identity folds and verifier
// errors.
// RUN: mote-opt %s -split-input-file | mote-opt -split-input-file | FileCheck %s --check-prefix=ROUND
// RUN: mote-opt %s -split-input-file -canonicalize | FileCheck %s --check-prefix=CANON

// ROUND-LABEL: func.func @ops
// ROUND: mote.slice %arg0 {starts = array<i64: 0, 3, 0, 1>, steps = array<i64: 1, -2, 1, 2>} : (tensor<1x4x4x3xf32>) -> tensor<1x2x4x1xf32>
// ROUND: mote.resize %arg0 {coordinate_mode = "half_pixel", mode = "linear", nearest_mode = "round_prefer_floor", scales = array<f64: 1.000000e+00, 2.000000e+00, 2.000000e+00, 1.000000e+00>} : (tensor<1x4x4x3xf32>) -> tensor<1x8x8x3xf32>
// ROUND: mote.slice %arg1 {{.*}} : (tensor<1x4x!quant.uniform<u8:f32, 5.000000e-01:10>>) -> tensor<1x2x!quant.uniform<u8:f32, 5.000000e-01:10>>
func.func @ops(%x: tensor<1x4x4x3xf32>, %q: tensor<1x4x!quant.uniform<u8:f32, 0.5:10>>) -> (tensor<1x2x4x1xf32>, tensor<1x8x8x3xf32>, tensor<1x2x!quant.uniform<u8:f32, 0.5:10>>) {
  %s = mote.slice %x {starts = array<i64: 0, 3, 0, 1>, steps = array<i64: 1, -2, 1, 2>} : (tensor<1x4x4x3xf32>) -> tensor<1x2x4x1xf32>
  %r = mote.resize %x {mode = "linear", coordinate_mode = "half_pixel", nearest_mode = "round_prefer_floor", scales = array<f64: 1.0, 2.0, 2.0, 1.0>} : (tensor<1x4x4x3xf32>) -> tensor<1x8x8x3xf32>
  %t = mote.slice %q {starts = array<i64: 0, 2>, steps = array<i64: 1, 1>} : (tensor<1x4x!quant.uniform<u8:f32, 0.5:10>>) -> tensor<1x2x!quant.uniform<u8:f32, 0.5:10>>
  return %s, %r, %t : tensor<1x2x4x1xf32>, tensor<1x8x8x3xf32>, tensor<1x2x!quant.uniform<u8:f32, 0.5:10>>
}

// -----

// A whole-tensor slice and a unit-scale resize are the identity.
// CANON-LABEL: func.func @identity
// CANON-NOT: mote.slice
// CANON-NOT: mote.resize
// CANON: return %arg0, %arg0
func.func @identity(%x: tensor<1x4x1x3xf32>) -> (tensor<1x4x1x3xf32>, tensor<1x4x1x3xf32>) {
  %s = mote.slice %x {starts = array<i64: 0, 0, 0, 0>, steps = array<i64: 1, 1, 7, 1>} : (tensor<1x4x1x3xf32>) -> tensor<1x4x1x3xf32>
  %r = mote.resize %x {mode = "nearest", coordinate_mode = "asymmetric", nearest_mode = "floor", scales = array<f64: 1.0, 1.0, 1.0, 1.0>} : (tensor<1x4x1x3xf32>) -> tensor<1x4x1x3xf32>
  return %s, %r : tensor<1x4x1x3xf32>, tensor<1x4x1x3xf32>
}
