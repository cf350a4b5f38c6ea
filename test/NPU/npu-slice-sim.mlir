// Slices as strided DMA on the chip (no compute, no host): ShuffleNet's
// channel split of an NHWC tensor and a strided spatial crop, bit-exact
// with the interpreter; a negative step (a flip) walks back with a
// negative DMA stride.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON -c "import numpy as np; r = np.random.RandomState(9); np.save('%t/x.npy', (r.randn(1,7,6,8)*3).astype(np.float32))"
// RUN: mote-run %s --input x=%t/x.npy --output-dir %t/ref
// RUN: mote-opt %s --mote-npu-pipeline -o %t/s.npu.mlir
// RUN: FileCheck %s < %t/s.npu.mlir
// RUN: mote-translate --npu-to-mbin %t/s.npu.mlir -o %t/s.mbin
// RUN: mote-sim %t/s.mbin --input x=%t/x.npy --output-dir %t/sim --quiet
// RUN: cmp %t/ref/lo.npy %t/sim/lo.npy
// RUN: cmp %t/ref/hi.npy %t/sim/hi.npy
// RUN: cmp %t/ref/crop.npy %t/sim/crop.npy
// RUN: cmp %t/ref/rev.npy %t/sim/rev.npy

// CHECK-LABEL: npu.program
// CHECK: kind = "slice"
// CHECK: kind = "slice"
// CHECK: kind = "slice"
// CHECK: kind = "slice"
// CHECK-NOT: npu.host_segment
func.func @slices(%x: tensor<1x7x6x8xf32> {mote.name = "x"}) -> (tensor<1x7x6x4xf32> {mote.name = "lo"}, tensor<1x7x6x4xf32> {mote.name = "hi"}, tensor<1x3x2x8xf32> {mote.name = "crop"}, tensor<1x7x6x8xf32> {mote.name = "rev"}) {
  %q = mote.quantize %x : (tensor<1x7x6x8xf32>) -> tensor<1x7x6x8x!quant.uniform<i8:f32, 0.05:2>>
  %lo = mote.slice %q {starts = array<i64: 0, 0, 0, 0>, steps = array<i64: 1, 1, 1, 1>} : (tensor<1x7x6x8x!quant.uniform<i8:f32, 0.05:2>>) -> tensor<1x7x6x4x!quant.uniform<i8:f32, 0.05:2>>
  %hi = mote.slice %q {starts = array<i64: 0, 0, 0, 4>, steps = array<i64: 1, 1, 1, 1>} : (tensor<1x7x6x8x!quant.uniform<i8:f32, 0.05:2>>) -> tensor<1x7x6x4x!quant.uniform<i8:f32, 0.05:2>>
  %crop = mote.slice %q {starts = array<i64: 0, 1, 1, 0>, steps = array<i64: 1, 2, 3, 1>} : (tensor<1x7x6x8x!quant.uniform<i8:f32, 0.05:2>>) -> tensor<1x3x2x8x!quant.uniform<i8:f32, 0.05:2>>
  %rev = mote.slice %q {starts = array<i64: 0, 6, 0, 0>, steps = array<i64: 1, -1, 1, 1>} : (tensor<1x7x6x8x!quant.uniform<i8:f32, 0.05:2>>) -> tensor<1x7x6x8x!quant.uniform<i8:f32, 0.05:2>>
  %dlo = mote.dequantize %lo : (tensor<1x7x6x4x!quant.uniform<i8:f32, 0.05:2>>) -> tensor<1x7x6x4xf32>
  %dhi = mote.dequantize %hi : (tensor<1x7x6x4x!quant.uniform<i8:f32, 0.05:2>>) -> tensor<1x7x6x4xf32>
  %dcrop = mote.dequantize %crop : (tensor<1x3x2x8x!quant.uniform<i8:f32, 0.05:2>>) -> tensor<1x3x2x8xf32>
  %drev = mote.dequantize %rev : (tensor<1x7x6x8x!quant.uniform<i8:f32, 0.05:2>>) -> tensor<1x7x6x8xf32>
  return %dlo, %dhi, %dcrop, %drev : tensor<1x7x6x4xf32>, tensor<1x7x6x4xf32>, tensor<1x3x2x8xf32>, tensor<1x7x6x8xf32>
}
