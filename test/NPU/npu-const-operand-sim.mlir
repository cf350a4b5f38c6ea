// A constant operand of an elementwise op (an add of a constant tensor, the
// `x + 3` and `/ 6` of an exported hard-sigmoid) lives in the constant image
// and the op runs on the chip, bit-exact with the interpreter.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON -c "import numpy as np; r = np.random.RandomState(4); np.save('%t/x.npy', (r.randn(1,4)*2).astype(np.float32))"
// RUN: mote-run %s --input x=%t/x.npy --output-dir %t/ref
// RUN: mote-opt %s --mote-npu-pipeline -o %t/c.npu.mlir
// RUN: FileCheck %s < %t/c.npu.mlir
// RUN: mote-translate --npu-to-mbin %t/c.npu.mlir -o %t/c.mbin
// RUN: mote-sim %t/c.mbin --input x=%t/x.npy --output-dir %t/sim --quiet
// RUN: cmp %t/ref/y.npy %t/sim/y.npy

// CHECK-LABEL: npu.program
// CHECK-NOT: npu.host_segment
// CHECK: kind = "add"
// CHECK: kind = "mul"
func.func @const_operand(%arg0: tensor<1x4xf32> {mote.name = "x"}) -> (tensor<1x4xf32> {mote.name = "y"}) {
  %q = mote.quantize %arg0 : (tensor<1x4xf32>) -> tensor<1x4x!quant.uniform<i8:f32, 0.05>>
  %c = mote.constant dense<[[1, 2, 3, 4]]> : tensor<1x4xi8> -> tensor<1x4x!quant.uniform<i8:f32, 0.5>>
  %a = mote.add %q, %c : (tensor<1x4x!quant.uniform<i8:f32, 0.05>>, tensor<1x4x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x4x!quant.uniform<i8:f32, 0.1>>
  %k = mote.constant dense<[42]> : tensor<1xi8> -> tensor<1x!quant.uniform<u8:f32, 0.00390625>>
  %m = mote.mul %a, %k : (tensor<1x4x!quant.uniform<i8:f32, 0.1>>, tensor<1x!quant.uniform<u8:f32, 0.00390625>>) -> tensor<1x4x!quant.uniform<i8:f32, 0.02:-1>>
  %d = mote.dequantize %m : (tensor<1x4x!quant.uniform<i8:f32, 0.02:-1>>) -> tensor<1x4xf32>
  return %d : tensor<1x4xf32>
}
