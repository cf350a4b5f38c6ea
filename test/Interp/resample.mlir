// mote.slice and mote.resize on float and quantized tensors. Nearest and
// slice copy storage values; linear resize of a quantized tensor sums
// (q - zp) with 10-bit fixed-point weights and rounds once, half up
// (Numerics.h): 10 + 0.25 * 2 = 10.5 -> 11, 20 + 0.25 * 10 = 22.5 -> 23,
// 20 + 0.75 * 10 = 27.5 -> 28.

// RUN: rm -rf %t && mkdir -p %t
// RUN: /usr/bin/python3 -c "import numpy as np; np.save('%t/q.npy', np.array([[10, 12], [20, 30]], np.uint8)); np.save('%t/f.npy', np.arange(12, dtype=np.float32).reshape(3, 4))" 
// RUN: mote-run %s --entry qlinear --input %t/q.npy --print-outputs | FileCheck %s --check-prefix=QLIN
// QLIN: output_0: shape 2x4 uint8
// QLIN-NEXT: [10, 11, 12, 12, 20, 23, 28, 30]
// RUN: mote-run %s --entry qnearest --input %t/q.npy --print-outputs | FileCheck %s --check-prefix=QNEAR
// QNEAR: output_0: shape 4x2 uint8
// QNEAR-NEXT: [10, 12, 10, 12, 20, 30, 20, 30]
// RUN: mote-run %s --entry fslice --input %t/f.npy --print-outputs | FileCheck %s --check-prefix=FSLICE
// FSLICE: output_0: shape 2x2 float32
// FSLICE-NEXT: [11, 9, 3, 1]

func.func @qlinear(%x: tensor<2x2x!quant.uniform<u8:f32, 0.5:10>>) -> tensor<2x4x!quant.uniform<u8:f32, 0.5:10>> {
  %y = mote.resize %x {mode = "linear", coordinate_mode = "half_pixel", nearest_mode = "round_prefer_floor", scales = array<f64: 1.0, 2.0>} : (tensor<2x2x!quant.uniform<u8:f32, 0.5:10>>) -> tensor<2x4x!quant.uniform<u8:f32, 0.5:10>>
  return %y : tensor<2x4x!quant.uniform<u8:f32, 0.5:10>>
}

func.func @qnearest(%x: tensor<2x2x!quant.uniform<u8:f32, 0.5:10>>) -> tensor<4x2x!quant.uniform<u8:f32, 0.5:10>> {
  %y = mote.resize %x {mode = "nearest", coordinate_mode = "asymmetric", nearest_mode = "floor", scales = array<f64: 2.0, 1.0>} : (tensor<2x2x!quant.uniform<u8:f32, 0.5:10>>) -> tensor<4x2x!quant.uniform<u8:f32, 0.5:10>>
  return %y : tensor<4x2x!quant.uniform<u8:f32, 0.5:10>>
}

func.func @fslice(%x: tensor<3x4xf32>) -> tensor<2x2xf32> {
  %y = mote.slice %x {starts = array<i64: 2, 3>, steps = array<i64: -2, -2>} : (tensor<3x4xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}
