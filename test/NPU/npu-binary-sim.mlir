// Elementwise sub, mul, maximum and minimum of two quantized tensors on the
// vector unit (whole, per channel and scalar broadcast, as squeeze-and-
// excitation's channel-wise mul) equal the interpreter bit for bit.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON -c "import numpy as np; r = np.random.RandomState(7); np.save('%t/x.npy', (r.randn(1,3,5,8)*6).astype(np.float32)); np.save('%t/g.npy', r.rand(1,1,1,8).astype(np.float32)); np.save('%t/s.npy', (r.randn(1)*3).astype(np.float32))"
// RUN: mote-run %s --input x=%t/x.npy --input g=%t/g.npy --input s=%t/s.npy --output-dir %t/ref
// RUN: mote-opt %s --mote-npu-pipeline -o %t/b.npu.mlir
// RUN: FileCheck %s < %t/b.npu.mlir
// RUN: mote-translate --npu-to-mbin %t/b.npu.mlir -o %t/b.mbin
// RUN: mote-sim %t/b.mbin --input x=%t/x.npy --input g=%t/g.npy --input s=%t/s.npy --output-dir %t/sim --quiet
// RUN: cmp %t/ref/y.npy %t/sim/y.npy

// CHECK-LABEL: npu.program
// CHECK-NOT: npu.host_segment
// CHECK: kind = "mul"
// CHECK: npu.vec {{.*}}op = 10
// CHECK: kind = "sub"
// CHECK: npu.vec {{.*}}op = 9
// CHECK: kind = "maximum"
// CHECK: kind = "minimum"
// CHECK: kind = "mul"
func.func @binary(%x: tensor<1x3x5x8xf32> {mote.name = "x"}, %g: tensor<1x1x1x8xf32> {mote.name = "g"}, %s: tensor<1xf32> {mote.name = "s"}) -> (tensor<1x3x5x8xf32> {mote.name = "y"}) {
  %qx = mote.quantize %x : (tensor<1x3x5x8xf32>) -> tensor<1x3x5x8x!quant.uniform<i8:f32, 0.125:-3>>
  %qg = mote.quantize %g : (tensor<1x1x1x8xf32>) -> tensor<1x1x1x8x!quant.uniform<u8:f32, 0.00390625>>
  %qs = mote.quantize %s : (tensor<1xf32>) -> tensor<1x!quant.uniform<i8:f32, 0.03125:2>>
  // Squeeze-and-excitation: a per-channel gate.
  %se = mote.mul %qx, %qg : (tensor<1x3x5x8x!quant.uniform<i8:f32, 0.125:-3>>, tensor<1x1x1x8x!quant.uniform<u8:f32, 0.00390625>>) -> tensor<1x3x5x8x!quant.uniform<i8:f32, 0.0625:1>>
  %d = mote.sub %qx, %se : (tensor<1x3x5x8x!quant.uniform<i8:f32, 0.125:-3>>, tensor<1x3x5x8x!quant.uniform<i8:f32, 0.0625:1>>) -> tensor<1x3x5x8x!quant.uniform<i8:f32, 0.1:0>>
  %hi = mote.maximum %d, %qs : (tensor<1x3x5x8x!quant.uniform<i8:f32, 0.1:0>>, tensor<1x!quant.uniform<i8:f32, 0.03125:2>>) -> tensor<1x3x5x8x!quant.uniform<i8:f32, 0.1:0>>
  %lo = mote.minimum %hi, %se : (tensor<1x3x5x8x!quant.uniform<i8:f32, 0.1:0>>, tensor<1x3x5x8x!quant.uniform<i8:f32, 0.0625:1>>) -> tensor<1x3x5x8x!quant.uniform<i8:f32, 0.1:-4>>
  %sq = mote.mul %lo, %lo : (tensor<1x3x5x8x!quant.uniform<i8:f32, 0.1:-4>>, tensor<1x3x5x8x!quant.uniform<i8:f32, 0.1:-4>>) -> tensor<1x3x5x8x!quant.uniform<u8:f32, 0.2>>
  %y = mote.dequantize %sq : (tensor<1x3x5x8x!quant.uniform<u8:f32, 0.2>>) -> tensor<1x3x5x8xf32>
  return %y : tensor<1x3x5x8xf32>
}
