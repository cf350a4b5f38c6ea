// mote.slice and mote.resize are data movement: quantized, they keep their
// input's type (like reshape and transpose), nothing requantizes.
// RUN: mote-opt %s --mote-quantize 2>/dev/null | FileCheck %s

// CHECK-LABEL: func.func @resample
// CHECK: %[[X:.*]] = mote.quantize %arg0 {{.*}} -> tensor<1x4x4x2x!quant.uniform<i8:f32, [[T:[^>]*]]>>
// CHECK: %[[S:.*]] = mote.slice %[[X]] {{.*}} -> tensor<1x2x4x2x!quant.uniform<i8:f32, [[T]]>>
// CHECK: %[[R:.*]] = mote.resize %[[S]] {{.*}} -> tensor<1x4x8x2x!quant.uniform<i8:f32, [[T]]>>
// CHECK: %[[D:.*]] = mote.dequantize %[[R]]
// CHECK: return %[[D]]
func.func @resample(%x: tensor<1x4x4x2xf32> {mote.calib = array<f64: -4.0, 4.0>}) -> tensor<1x4x8x2xf32> {
  %s = mote.slice %x {starts = array<i64: 0, 1, 0, 0>, steps = array<i64: 1, 2, 1, 1>, mote.calib = array<f64: -4.0, 4.0>} : (tensor<1x4x4x2xf32>) -> tensor<1x2x4x2xf32>
  %r = mote.resize %s {mode = "linear", coordinate_mode = "half_pixel", nearest_mode = "round_prefer_floor", scales = array<f64: 1.0, 2.0, 2.0, 1.0>, mote.calib = array<f64: -4.0, 4.0>} : (tensor<1x2x4x2xf32>) -> tensor<1x4x8x2xf32>
  return %r : tensor<1x4x8x2xf32>
}
