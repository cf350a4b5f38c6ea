// RUN: mote-opt %s -split-input-file --mote-to-npu | FileCheck %s
// The split pipeline (annotations checked by the later passes) agrees.
// RUN: mote-opt %s -split-input-file --mote-to-npu -o %t.direct.mlir
// RUN: mote-opt %s -split-input-file --mote-npu-pipeline -o %t.pipe.mlir
// RUN: mote-opt %t.direct.mlir -split-input-file --pass-pipeline="builtin.module(npu.program(npu-estimate))" -o %t.direct.est.mlir
// RUN: diff %t.direct.est.mlir %t.pipe.mlir

// A DS-CNN style global average pool: a 25x5 window with stride 25x5 over
// 64 channels (two 32-channel tiles). The stride used to count as border padding (pad + stride >
// 15 rejected every tile); now only the real LOAD borders are checked.
// CHECK-LABEL: npu.program
// CHECK: npu.layer {{.*}}kind = "avg_pool2d"{{.*}}tile = array<i64: 1, 1, 32, 32>
// CHECK: npu.load {buffer = 1 : i64, cols = 5 : i64, {{.*}}elem_bytes = 32 : i64, {{.*}}rows = 25 : i64
// CHECK: npu.config {engine = 1 : i64, reg = 30 : i64, value = 5 : i64}
// CHECK: npu.vec {{{.*}}op = 5 : i64, out_h = 1 : i64, out_w = 1 : i64
func.func @ds_cnn_pool(%arg0: tensor<1x25x5x64xf32>) -> tensor<1x1x1x64xf32> {
  %q = mote.quantize %arg0 : (tensor<1x25x5x64xf32>) -> tensor<1x25x5x64x!quant.uniform<i8:f32, 0.5>>
  %p = mote.avg_pool2d %q {kernel = array<i64: 25, 5>, strides = array<i64: 25, 5>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x25x5x64x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x1x1x64x!quant.uniform<i8:f32, 0.25:3>>
  %d = mote.dequantize %p : (tensor<1x1x1x64x!quant.uniform<i8:f32, 0.25:3>>) -> tensor<1x1x1x64xf32>
  return %d : tensor<1x1x1x64xf32>
}

// -----

// Channel concat: each input is copied into its slice of the result (VEC
// clamp to the type's range) or requantized when its type differs (VEC
// rescale), and stored with the result's pixel stride (ST_PIX_STRIDE = 5).
// CHECK-LABEL: npu.program
// CHECK: npu.io {dram_addr = [[A:[0-9]+]] : i64, {{.*}}name = "a"
// CHECK: npu.io {dram_addr = [[B:[0-9]+]] : i64, {{.*}}name = "b"
// CHECK: npu.io {dram_addr = [[Y:[0-9]+]] : i64, {{.*}}is_input = false
// CHECK: npu.layer {{.*}}kind = "concat"
// CHECK: npu.load {buffer = 1 : i64, cols = 2 : i64, dram_addr = [[A]] : i64, elem_bytes = 2 : i64
// CHECK: npu.vec {{.*}}channels = 2 : i64, {{.*}}op = 7 : i64
// CHECK: npu.config {engine = 2 : i64, reg = 1 : i64, value = 5 : i64}
// CHECK: npu.store {{.*}}dram_addr = [[Y]] : i64, elem_bytes = 2 : i64
// CHECK: npu.load {{.*}}dram_addr = [[B]] : i64, elem_bytes = 3 : i64
// CHECK: npu.config {engine = 1 : i64, reg = 19 : i64, value = 1073741824 : i64}
// CHECK: npu.vec {{.*}}channels = 3 : i64, {{.*}}op = 8 : i64
// CHECK: npu.store {{.*}}elem_bytes = 3 : i64
// CHECK: npu.finish
func.func @concat(%a: tensor<1x2x2x2xf32> {mote.name = "a"}, %b: tensor<1x2x2x3xf32> {mote.name = "b"}) -> tensor<1x2x2x5xf32> {
  %qa = mote.quantize %a : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.5>>
  %qb = mote.quantize %b : (tensor<1x2x2x3xf32>) -> tensor<1x2x2x3x!quant.uniform<i8:f32, 0.25:4>>
  %c = mote.concat %qa, %qb {axis = 3 : i64} : (tensor<1x2x2x2x!quant.uniform<i8:f32, 0.5>>, tensor<1x2x2x3x!quant.uniform<i8:f32, 0.25:4>>) -> tensor<1x2x2x5x!quant.uniform<i8:f32, 0.5>>
  %d = mote.dequantize %c : (tensor<1x2x2x5x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x2x2x5xf32>
  return %d : tensor<1x2x2x5xf32>
}

// -----

// Broadcasting add: the per-channel operand is loaded with zero row and
// pixel strides, the scalar as rows x channels single bytes.
// CHECK-LABEL: npu.program
// CHECK: npu.io {dram_addr = [[X:[0-9]+]] : i64, {{.*}}name = "x"
// CHECK: npu.io {dram_addr = [[V:[0-9]+]] : i64, {{.*}}name = "v"
// CHECK: npu.io {dram_addr = [[S:[0-9]+]] : i64, {{.*}}name = "s"
// CHECK: npu.layer {{.*}}kind = "add"
// CHECK: npu.load {buffer = 1 : i64, cols = 3 : i64, dram_addr = [[X]] : i64, elem_bytes = 4 : i64
// CHECK: npu.config {engine = 0 : i64, reg = 0 : i64, value = 0 : i64}
// CHECK: npu.config {engine = 0 : i64, reg = 1 : i64, value = 0 : i64}
// CHECK: npu.load {buffer = 1 : i64, cols = 3 : i64, dram_addr = [[V]] : i64, elem_bytes = 4 : i64, {{.*}}push_next = true, rows = 2 : i64
// CHECK: npu.vec {{.*}}op = 1 : i64
// CHECK: npu.layer {{.*}}kind = "add"
// CHECK: npu.load {buffer = 1 : i64, cols = 4 : i64, dram_addr = [[S]] : i64, elem_bytes = 1 : i64, {{.*}}rows = 6 : i64
// CHECK: npu.vec {{.*}}op = 1 : i64
func.func @bcast(%x: tensor<1x2x3x4xf32> {mote.name = "x"}, %v: tensor<1x1x1x4xf32> {mote.name = "v"}, %s: tensor<1xf32> {mote.name = "s"}) -> tensor<1x2x3x4xf32> {
  %qx = mote.quantize %x : (tensor<1x2x3x4xf32>) -> tensor<1x2x3x4x!quant.uniform<i8:f32, 0.5>>
  %qv = mote.quantize %v : (tensor<1x1x1x4xf32>) -> tensor<1x1x1x4x!quant.uniform<i8:f32, 0.25:1>>
  %qs = mote.quantize %s : (tensor<1xf32>) -> tensor<1x!quant.uniform<u8:f32, 0.125:7>>
  %a = mote.add %qx, %qv : (tensor<1x2x3x4x!quant.uniform<i8:f32, 0.5>>, tensor<1x1x1x4x!quant.uniform<i8:f32, 0.25:1>>) -> tensor<1x2x3x4x!quant.uniform<i8:f32, 1.0>>
  %b = mote.add %qs, %a : (tensor<1x!quant.uniform<u8:f32, 0.125:7>>, tensor<1x2x3x4x!quant.uniform<i8:f32, 1.0>>) -> tensor<1x2x3x4x!quant.uniform<i8:f32, 1.0>>
  %d = mote.dequantize %b : (tensor<1x2x3x4x!quant.uniform<i8:f32, 1.0>>) -> tensor<1x2x3x4xf32>
  return %d : tensor<1x2x3x4xf32>
}

// -----

// Grouped convolution (2 groups of 2 input and 3 output channels): output
// blocks divide a group, each block LOADs its group's input channels
// (dram_addr offset 2 for the second group) and reduces over MM_IN_CG = 2.
// CHECK-LABEL: npu.program
// CHECK: npu.io {dram_addr = [[X:[0-9]+]] : i64
// CHECK: npu.layer {{.*}}kind = "conv2d", {{.*}}macs = 972 : i64{{.*}}tile = array<i64: 3, 3, 3, 2>
// CHECK: npu.load {buffer = 1 : i64, cols = 3 : i64, dram_addr = [[X]] : i64, elem_bytes = 2 : i64
// CHECK: npu.config {engine = 1 : i64, reg = 3 : i64, value = 2 : i64}
// CHECK: npu.matmul {{.*}}out_c = 3 : i64
// CHECK: npu.load {buffer = 1 : i64, cols = 3 : i64, dram_addr = {{[0-9]+}} : i64, elem_bytes = 2 : i64
// CHECK: npu.matmul {{.*}}out_c = 3 : i64
// CHECK: npu.finish
func.func @grouped(%arg0: tensor<1x3x3x4xf32>) -> tensor<1x3x3x6xf32> {
  %q = mote.quantize %arg0 : (tensor<1x3x3x4xf32>) -> tensor<1x3x3x4x!quant.uniform<u4:f32, 0.5>>
  %w3 = mote.constant dense<1> : tensor<6x3x3x2xi4> -> tensor<6x3x3x2x!quant.uniform<i4<-7:7>:f32:0, {0.25, 0.25, 0.25, 0.5, 0.5, 0.5}>>
  %c = mote.conv2d %q, %w3 {dilations = array<i64: 1, 1>, groups = 2 : i64, pad = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x3x3x4x!quant.uniform<u4:f32, 0.5>>, tensor<6x3x3x2x!quant.uniform<i4<-7:7>:f32:0, {0.25, 0.25, 0.25, 0.5, 0.5, 0.5}>>) -> tensor<1x3x3x6x!quant.uniform<i8:f32, 0.5>>
  %d = mote.dequantize %c : (tensor<1x3x3x6x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x3x3x6xf32>
  return %d : tensor<1x3x3x6xf32>
}
