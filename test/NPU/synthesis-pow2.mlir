// Pow2 multi-term synthesis (docs/Synthesis.md) after bit-width lowering
// runs on the NPU: each term's digit passes carry the term's exact
// power-of-two shift (the 2^4 term: 8 and 4, the 2^0 term: 4 and 0), the
// term biases fold into the per-channel records, and the simulator equals
// the interpreter bit for bit.
// RUN: rm -rf %t && mkdir -p %t
// RUN: mote-opt %s --mote-quant-synthesis="mode=pow2 terms=2 bits=4" --mote-bitwidth-lowering="digit-bits=4 quiet=true" -o %t/syn.mlir 2>/dev/null
// RUN: mote-opt %t/syn.mlir --mote-npu-pipeline -o %t/syn.npu.mlir
// RUN: FileCheck %s < %t/syn.npu.mlir
// RUN: %PYTHON -c "import numpy as np; r = np.random.RandomState(1); np.save('%t/x.npy', r.rand(8,4,4,1).astype(np.float32))"
// RUN: mote-run %s --input x=%t/x.npy --output-dir %t/ref
// RUN: mote-translate --npu-to-mbin %t/syn.npu.mlir -o %t/syn.mbin
// RUN: mote-sim %t/syn.mbin --input x=%t/x.npy --output-dir %t/sim --quiet
// RUN: cmp %t/ref/y.npy %t/sim/y.npy
// CHECK-LABEL: npu.layer {{.*}}kind = "conv2d"
// CHECK: npu.matmul {a_digit = 1 : i64, acc_addr = 0 : i64, act_addr = {{.*}}shift = 8 : i64, w_digit = 0 : i64, w_signed = true
// CHECK: npu.matmul {a_digit = 0 : i64, {{.*}}accumulate = true, {{.*}}shift = 4 : i64, w_digit = 0 : i64, w_signed = true
// CHECK: npu.matmul {a_digit = 1 : i64, {{.*}}accumulate = true, {{.*}}shift = 4 : i64, w_digit = 0 : i64, wgt_addr
// CHECK: npu.matmul {a_digit = 0 : i64, {{.*}}accumulate = true, {{.*}}shift = 0 : i64, w_digit = 0 : i64, wgt_addr
// CHECK: npu.layer {{.*}}kind = "fully_connected"
// CHECK-COUNT-4: npu.matmul
// CHECK: npu.finish
func.func @net(%arg0: tensor<1x4x4x1xf32> {mote.name = "x"}) -> (tensor<1x3xf32> {mote.name = "y"}) {
  %t = mote.quantize %arg0 : (tensor<1x4x4x1xf32>) -> tensor<1x4x4x1x!quant.uniform<u8:f32, 0.0039215686274509803>>
  %w = mote.constant dense<[[[[100], [-77], [5]], [[1], [2], [3]], [[-127], [127], [0]]], [[[1], [-1], [1]], [[-1], [1], [-1]], [[60], [-60], [9]]]]> : tensor<2x3x3x1xi8> -> tensor<2x3x3x1x!quant.uniform<i8<-127:127>:f32:0, {0.01, 0.02}>>
  %b = mote.constant dense<[100, -200]> : tensor<2xi32> -> tensor<2x!quant.uniform<i32:f32:0, {3.921568627450980e-05, 7.843137254901960e-05}>>
  %c = mote.conv2d %t, %w, %b {dilations = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x4x4x1x!quant.uniform<u8:f32, 0.0039215686274509803>>, tensor<2x3x3x1x!quant.uniform<i8<-127:127>:f32:0, {0.01, 0.02}>>, tensor<2x!quant.uniform<i32:f32:0, {3.921568627450980e-05, 7.843137254901960e-05}>>) -> tensor<1x4x4x2x!quant.uniform<i8:f32, 0.01:-5>>
  %f = mote.reshape %c : (tensor<1x4x4x2x!quant.uniform<i8:f32, 0.01:-5>>) -> tensor<1x32x!quant.uniform<i8:f32, 0.01:-5>>
  %fw = mote.constant dense<[[-21, 25, 122, 4, 57, 73, -127, -106, 126, 20, 75, -20, 122, 42, 11, 22, -8, 39, 97, 21, 45, -34, 40, 15, 121, -101, -46, 91, 23, -61, -125, 64], [-67, 2, 52, -37, -58, -23, -17, -30, 30, -21, 25, 124, -65, -120, 121, 44, -94, -4, -48, 49, -90, -107, -33, -78, 22, 0, 79, 117, -99, -8, -73, -127], [65, 106, -109, -11, 64, 38, 57, 57, 72, 38, 126, 47, -94, -14, -126, -42, -10, -8, 75, 108, -3, 101, -28, 92, 17, -47, 33, 17, 115, -109, -52, 56]]> : tensor<3x32xi8> -> tensor<3x32x!quant.uniform<i8<-127:127>:f32:0, {0.004, 0.006, 0.003}>>
  %fb = mote.constant dense<[500, -300, 42]> : tensor<3xi32> -> tensor<3x!quant.uniform<i32:f32:0, {4.0e-05, 6.0e-05, 3.0e-05}>>
  %y = mote.fully_connected %f, %fw, %fb : (tensor<1x32x!quant.uniform<i8:f32, 0.01:-5>>, tensor<3x32x!quant.uniform<i8<-127:127>:f32:0, {0.004, 0.006, 0.003}>>, tensor<3x!quant.uniform<i32:f32:0, {4.0e-05, 6.0e-05, 3.0e-05}>>) -> tensor<1x3x!quant.uniform<i8:f32, 0.05:3>>
  %d = mote.dequantize %y : (tensor<1x3x!quant.uniform<i8:f32, 0.05:3>>) -> tensor<1x3xf32>
  return %d : tensor<1x3xf32>
}
