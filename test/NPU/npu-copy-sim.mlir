// Nearest resizes and constant pads as strided DMA on the chip (no compute,
// no host), bit-exact with the interpreter: whole-number up-scales (a
// stride-0 LOAD repeats each input pixel), a down-scale (a strided LOAD),
// a pad with a non-zero value (the output is filled, then the input is
// stored into its interior) and ConvTranspose's zero insertion (a pad of
// the unit dims of a rank-6 view). Linear resizes run on the vector unit
// (VEC Add weighted sums, exact in int32, one rounding): bilinear 2x, a
// W-only 3x and an align_corners 2x. A 1.5x nearest resize stays on the
// host.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON -c "import numpy as np; r = np.random.RandomState(3); np.save('%t/x.npy', (r.randn(1,4,6,8)*3).astype(np.float32))"
// RUN: mote-run %s --input x=%t/x.npy --output-dir %t/ref
// RUN: mote-opt %s --mote-npu-pipeline -o %t/c.npu.mlir
// RUN: FileCheck %s < %t/c.npu.mlir
// RUN: mote-translate --npu-to-mbin %t/c.npu.mlir -o %t/c.mbin
// RUN: mote-sim %t/c.mbin --input x=%t/x.npy --output-dir %t/sim --quiet
// RUN: for o in up down pad zins odd lin linw lina; do cmp %t/ref/$o.npy %t/sim/$o.npy || exit 1; done

// CHECK-LABEL: npu.program
// CHECK: kind = "resize"
// The 2x up-scale of W repeats each pixel (8 channel bytes) twice: a
// LOAD with a zero pixel stride.
// CHECK: npu.config {engine = 0 : i64, reg = 1 : i64, value = 0 : i64}
// CHECK: kind = "resize"
// CHECK: kind = "pad"
// The border: a broadcast LOAD of the fill byte, stored over the output.
// CHECK: npu.config {engine = 0 : i64, reg = 0 : i64, value = 0 : i64}
// CHECK: kind = "pad"
// CHECK: npu.host_segment
// CHECK: mote.resize {{.*}}mode = "nearest"{{.*}}1.500000e+00
// CHECK-NEXT: npu.host_yield
// Bilinear: each row's column pair summed exactly into the accumulator
// (d_acc), then the rows, rounded once by 2^20.
// CHECK: npu.layer {{.*}}kind = "resize"
// CHECK: npu.vec {{.*}}d_acc = true{{.*}}op = 1 : i64
// CHECK: npu.vec {{.*}}d_acc = true{{.*}}op = 1 : i64
// CHECK: npu.config {engine = 1 : i64, reg = {{[0-9]+}} : i64, value = 20 : i64}
// CHECK: npu.vec {a_acc = true, b_acc = true, {{.*}}op = 1 : i64
// CHECK: npu.layer {{.*}}kind = "resize"
// CHECK: npu.layer {{.*}}kind = "resize"
// CHECK-NOT: npu.host_segment
!q = !quant.uniform<i8:f32, 0.05:2>
func.func @copies(%x: tensor<1x4x6x8xf32> {mote.name = "x"}) -> (tensor<1x8x18x8xf32> {mote.name = "up"}, tensor<1x2x3x8xf32> {mote.name = "down"}, tensor<1x7x9x8xf32> {mote.name = "pad"}, tensor<1x8x12x8xf32> {mote.name = "zins"}, tensor<1x6x9x8xf32> {mote.name = "odd"}, tensor<1x8x12x8xf32> {mote.name = "lin"}, tensor<1x4x18x8xf32> {mote.name = "linw"}, tensor<1x8x12x8xf32> {mote.name = "lina"}) {
  %q = mote.quantize %x : (tensor<1x4x6x8xf32>) -> tensor<1x4x6x8x!q>
  %up = mote.resize %q {mode = "nearest", coordinate_mode = "half_pixel", nearest_mode = "round_prefer_floor", scales = array<f64: 1.0, 2.0, 3.0, 1.0>} : (tensor<1x4x6x8x!q>) -> tensor<1x8x18x8x!q>
  %down = mote.resize %q {mode = "nearest", coordinate_mode = "asymmetric", nearest_mode = "floor", scales = array<f64: 1.0, 0.5, 0.5, 1.0>} : (tensor<1x4x6x8x!q>) -> tensor<1x2x3x8x!q>
  %pad = mote.pad %q {pads = array<i64: 0, 0, 1, 2, 0, 3, 0, 0>, value = 0.25 : f32} : (tensor<1x4x6x8x!q>) -> tensor<1x7x9x8x!q>
  %v = mote.reshape %q : (tensor<1x4x6x8x!q>) -> tensor<1x4x1x6x1x8x!q>
  %vp = mote.pad %v {pads = array<i64: 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0>} : (tensor<1x4x1x6x1x8x!q>) -> tensor<1x4x2x6x2x8x!q>
  %zins = mote.reshape %vp : (tensor<1x4x2x6x2x8x!q>) -> tensor<1x8x12x8x!q>
  %odd = mote.resize %q {mode = "nearest", coordinate_mode = "half_pixel", nearest_mode = "round_prefer_floor", scales = array<f64: 1.0, 1.5, 1.5, 1.0>} : (tensor<1x4x6x8x!q>) -> tensor<1x6x9x8x!q>
  %lin = mote.resize %q {mode = "linear", coordinate_mode = "half_pixel", nearest_mode = "round_prefer_floor", scales = array<f64: 1.0, 2.0, 2.0, 1.0>} : (tensor<1x4x6x8x!q>) -> tensor<1x8x12x8x!q>
  %linw = mote.resize %q {mode = "linear", coordinate_mode = "half_pixel", nearest_mode = "round_prefer_floor", scales = array<f64: 1.0, 1.0, 3.0, 1.0>} : (tensor<1x4x6x8x!q>) -> tensor<1x4x18x8x!q>
  %lina = mote.resize %q {mode = "linear", coordinate_mode = "align_corners", nearest_mode = "round_prefer_floor", scales = array<f64: 1.0, 2.0, 2.0, 1.0>} : (tensor<1x4x6x8x!q>) -> tensor<1x8x12x8x!q>
  %d0 = mote.dequantize %up : (tensor<1x8x18x8x!q>) -> tensor<1x8x18x8xf32>
  %d1 = mote.dequantize %down : (tensor<1x2x3x8x!q>) -> tensor<1x2x3x8xf32>
  %d2 = mote.dequantize %pad : (tensor<1x7x9x8x!q>) -> tensor<1x7x9x8xf32>
  %d3 = mote.dequantize %zins : (tensor<1x8x12x8x!q>) -> tensor<1x8x12x8xf32>
  %d4 = mote.dequantize %odd : (tensor<1x6x9x8x!q>) -> tensor<1x6x9x8xf32>
  %d5 = mote.dequantize %lin : (tensor<1x8x12x8x!q>) -> tensor<1x8x12x8xf32>
  %d6 = mote.dequantize %linw : (tensor<1x4x18x8x!q>) -> tensor<1x4x18x8xf32>
  %d7 = mote.dequantize %lina : (tensor<1x8x12x8x!q>) -> tensor<1x8x12x8xf32>
  return %d0, %d1, %d2, %d3, %d4, %d5, %d6, %d7 : tensor<1x8x18x8xf32>, tensor<1x2x3x8xf32>, tensor<1x7x9x8xf32>, tensor<1x8x12x8xf32>, tensor<1x6x9x8xf32>, tensor<1x8x12x8xf32>, tensor<1x4x18x8xf32>, tensor<1x8x12x8xf32>
}
