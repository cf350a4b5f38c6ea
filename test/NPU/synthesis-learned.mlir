// Learned and residual synthesis (docs/Synthesis.md) run on the NPU on
// every digit width: each term's digit passes chain into the term's own
// accumulator tile (acc_addr 0, then the next aligned tile), and one VEC
// combine (op 11) finishes the terms with per-term per-channel records and
// the sum's single requantization; the simulator equals the interpreter
// bit for bit.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON -c "import numpy as np; r = np.random.RandomState(1); np.save('%t/x.npy', r.rand(1,4,4,1).astype(np.float32))"
// Learned, 2 x 3-bit terms, 4-bit digits (mote-default):
// RUN: mote-opt %s --mote-quant-synthesis="mode=learned terms=2 bits=3 min-gain-db=-1000" -o %t/l.mlir 2>/dev/null
// RUN: mote-opt %t/l.mlir --mote-bitwidth-lowering="digit-bits=4 quiet=true" --mote-npu-pipeline -o %t/l4.npu.mlir
// RUN: FileCheck %s < %t/l4.npu.mlir
// RUN: mote-run %t/l.mlir --input x=%t/x.npy --output-dir %t/l.ref
// RUN: mote-translate --npu-to-mbin %t/l4.npu.mlir -o %t/l4.mbin
// RUN: mote-sim %t/l4.mbin --input x=%t/x.npy --output-dir %t/l4.sim --quiet
// RUN: cmp %t/l.ref/y.npy %t/l4.sim/y.npy
// The same on 2-bit digits (mote-d2) and 8-bit digits (mote-d8):
// RUN: mote-opt %t/l.mlir --mote-bitwidth-lowering="digit-bits=2 quiet=true" --mote-npu-pipeline="target=mote-d2" -o %t/l2.npu.mlir
// RUN: mote-translate --npu-to-mbin %t/l2.npu.mlir -o %t/l2.mbin
// RUN: mote-sim %t/l2.mbin --input x=%t/x.npy --output-dir %t/l2.sim --quiet
// RUN: cmp %t/l.ref/y.npy %t/l2.sim/y.npy
// RUN: mote-opt %t/l.mlir --mote-bitwidth-lowering="digit-bits=8 quiet=true" --mote-npu-pipeline="target=mote-d8" -o %t/l8.npu.mlir
// RUN: FileCheck %s --check-prefix=D8 < %t/l8.npu.mlir
// RUN: mote-translate --npu-to-mbin %t/l8.npu.mlir -o %t/l8.mbin
// RUN: mote-sim %t/l8.mbin --input x=%t/x.npy --output-dir %t/l8.sim --quiet
// RUN: cmp %t/l.ref/y.npy %t/l8.sim/y.npy
// Residual, 4 x 1-bit terms, on 4- and 2-bit digits:
// RUN: mote-opt %s --mote-quant-synthesis="mode=residual terms=4 bits=1" -o %t/r.mlir 2>/dev/null
// RUN: mote-run %t/r.mlir --input x=%t/x.npy --output-dir %t/r.ref
// RUN: mote-opt %t/r.mlir --mote-bitwidth-lowering="digit-bits=4 quiet=true" --mote-npu-pipeline -o %t/r4.npu.mlir
// RUN: FileCheck %s --check-prefix=RES < %t/r4.npu.mlir
// RUN: mote-translate --npu-to-mbin %t/r4.npu.mlir -o %t/r4.mbin
// RUN: mote-sim %t/r4.mbin --input x=%t/x.npy --output-dir %t/r4.sim --quiet
// RUN: cmp %t/r.ref/y.npy %t/r4.sim/y.npy
// RUN: mote-opt %t/r.mlir --mote-bitwidth-lowering="digit-bits=2 quiet=true" --mote-npu-pipeline="target=mote-d2" -o %t/r2.npu.mlir
// RUN: mote-translate --npu-to-mbin %t/r2.npu.mlir -o %t/r2.mbin
// RUN: mote-sim %t/r2.mbin --input x=%t/x.npy --output-dir %t/r2.sim --quiet
// RUN: cmp %t/r.ref/y.npy %t/r2.sim/y.npy
// More terms than the VEC combine takes: a clear error naming the layer.
// RUN: mote-opt %s --mote-quant-synthesis="mode=residual terms=9 bits=1" 2>/dev/null | not mote-opt --mote-bitwidth-lowering="digit-bits=4 quiet=true" --mote-to-npu -o /dev/null 2>&1 | FileCheck %s --check-prefix=TOOMANY
// TOOMANY: error: NPU lowering: layer '{{.*}}' has 9 synthesis terms; the VEC combine takes at most 8

// CHECK-LABEL: npu.layer {{.*}}kind = "conv2d"
// Term 0: input digit 1 then 0 chained into tile 0; term 1 into tile 1.
// CHECK: npu.matmul {a_digit = 1 : i64, acc_addr = 0 : i64, act_addr = {{.*}}chain = true
// CHECK: npu.matmul {a_digit = 0 : i64, acc_addr = 0 : i64, accumulate = true, act_addr = {{[0-9]+}} : i64, out_c
// CHECK: npu.matmul {a_digit = 1 : i64, acc_addr = [[T1:[1-9][0-9]*]] : i64, act_addr = {{.*}}chain = true
// CHECK: npu.matmul {a_digit = 0 : i64, acc_addr = [[T1]] : i64, accumulate = true, act_addr = {{[0-9]+}} : i64, out_c
// CHECK: npu.vec {a_acc = true, {{.*}}op = 11 : i64, {{.*}}src_a = 0 : i64
// CHECK-LABEL: npu.layer {{.*}}kind = "fully_connected"
// CHECK-COUNT-6: npu.matmul
// CHECK: npu.vec {a_acc = true, {{.*}}op = 11 : i64
// CHECK: npu.finish

// One pass per term on 8-bit digits.
// D8-LABEL: npu.layer {{.*}}kind = "conv2d"
// D8: npu.matmul {{{.*}}acc_addr = 0 : i64, act_addr =
// D8: npu.matmul {{{.*}}acc_addr = {{[1-9][0-9]*}} : i64, act_addr =
// D8: npu.vec {{{.*}}op = 11 : i64

// RES-LABEL: npu.layer {{.*}}kind = "conv2d"
// RES-COUNT-8: npu.matmul
// RES: npu.vec {{{.*}}op = 11 : i64
// RES-LABEL: npu.layer {{.*}}kind = "fully_connected"
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
