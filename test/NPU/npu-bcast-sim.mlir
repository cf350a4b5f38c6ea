// Broadcasting adds (per channel and scalar) on the simulator equal the
// interpreter bit for bit.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON -c "import numpy as np; r = np.random.RandomState(1); np.save('%t/x.npy', (r.randn(1,2,3,4)*20).astype(np.float32)); np.save('%t/v.npy', (r.randn(1,1,1,4)*10).astype(np.float32)); np.save('%t/s.npy', (r.rand(1)*20).astype(np.float32))"
// RUN: mote-run %s --input x=%t/x.npy --input v=%t/v.npy --input s=%t/s.npy --output-dir %t/ref
// RUN: mote-opt %s --mote-npu-pipeline -o %t/bc.npu.mlir
// RUN: mote-translate --npu-to-mbin %t/bc.npu.mlir -o %t/bc.mbin
// RUN: mote-sim %t/bc.mbin --input x=%t/x.npy --input v=%t/v.npy --input s=%t/s.npy --output-dir %t/sim --quiet
// RUN: cmp %t/ref/y.npy %t/sim/y.npy
func.func @bcast(%x: tensor<1x2x3x4xf32> {mote.name = "x"}, %v: tensor<1x1x1x4xf32> {mote.name = "v"}, %s: tensor<1xf32> {mote.name = "s"}) -> (tensor<1x2x3x4xf32> {mote.name = "y"}) {
  %qx = mote.quantize %x : (tensor<1x2x3x4xf32>) -> tensor<1x2x3x4x!quant.uniform<i8:f32, 0.5>>
  %qv = mote.quantize %v : (tensor<1x1x1x4xf32>) -> tensor<1x1x1x4x!quant.uniform<i8:f32, 0.25:1>>
  %qs = mote.quantize %s : (tensor<1xf32>) -> tensor<1x!quant.uniform<u8:f32, 0.125:7>>
  %a = mote.add %qx, %qv : (tensor<1x2x3x4x!quant.uniform<i8:f32, 0.5>>, tensor<1x1x1x4x!quant.uniform<i8:f32, 0.25:1>>) -> tensor<1x2x3x4x!quant.uniform<i8:f32, 1.0>>
  %b = mote.add %qs, %a : (tensor<1x!quant.uniform<u8:f32, 0.125:7>>, tensor<1x2x3x4x!quant.uniform<i8:f32, 1.0>>) -> tensor<1x2x3x4x!quant.uniform<i8:f32, 1.0>>
  %d = mote.dequantize %b : (tensor<1x2x3x4x!quant.uniform<i8:f32, 1.0>>) -> tensor<1x2x3x4xf32>
  return %d : tensor<1x2x3x4xf32>
}
