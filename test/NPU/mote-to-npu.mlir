// RUN: mote-opt %s -split-input-file --mote-bitwidth-lowering=quiet --mote-to-npu=weights=stream | FileCheck %s
// RUN: mote-opt %s -split-input-file --mote-bitwidth-lowering="digit-bits=8 quiet" --mote-to-npu="target=mote-d8" | FileCheck %s --check-prefix=D8

// An int8 conv (u8 activations, i8 weights) + relu clamp + max pool, with
// NCHW float I/O. At d=4: 2 activation digits x 2 weight planes = 4 MATMUL
// passes with shifts 0/4/4/8, then one VEC requantize whose clamp is the
// fused ReLU, a STORE, a max-pool layer, and the I/O descriptors.
// CHECK-LABEL: npu.program attributes {dram_bytes = {{[0-9]+}} : i64, target = #npu.target<name = "mote-default", hash = "0x{{[0-9a-f]+}}", digit_bits = 4, signed_digits = true, weight_bytes = 262144, weight_align = 32, activation_bytes = 262144, activation_align = 16, accumulator_bytes = 65536, accumulator_align = 64>}
// CHECK: npu.data {bytes = dense<{{.*}}> : tensor<{{[0-9]+}}xi8>, offset = 0 : i64}
// CHECK: npu.io {dram_addr = [[IN:[0-9]+]] : i64, dram_perm = array<i64: 0, 2, 3, 1>, dtype = "u8", is_input = true, layout = "NCHW", name = "x", scale = 0.0039215686274509803 : f64, shape = array<i64: 1, 1, 4, 4>, size = 16 : i64, zero_point = 0 : i64}
// CHECK: npu.io {dram_addr = {{[0-9]+}} : i64, dram_perm = array<i64>, dtype = "i8", is_input = false, {{.*}}name = "y", {{.*}}shape = array<i64: 1, 2, 2, 2>
// CHECK: npu.layer {{.*}}kind = "conv2d", loop_order = "oc,oh,ow,ic", macs = 288 : i64{{.*}}tile = array<i64: 4, 4, 2, 1>
// CHECK: npu.load {buffer = 0 : i64, cols = 2 : i64, dram_addr = 0 : i64, elem_bytes = 64 : i64
// CHECK: npu.config {engine = 0 : i64, reg = 2 : i64, value = 0 : i64}
// CHECK: npu.load {buffer = 1 : i64, cols = 4 : i64, dram_addr = [[IN]] : i64, elem_bytes = 1 : i64, pad_bottom = 1 : i64, pad_left = 1 : i64, pad_right = 1 : i64, pad_top = 1 : i64, push_next = true, rows = 4 : i64, sram_addr = 0 : i64}
// CHECK: npu.config {engine = 1 : i64, pop_prev = true, reg = 4 : i64, value = 3 : i64}
// The fused ReLU: clamp [-5, 127] = quantize([0, 6]) through (0.01, -5).
// CHECK: npu.config {engine = 1 : i64, reg = 25 : i64, value = -5 : i64}
// CHECK: npu.config {engine = 1 : i64, reg = 26 : i64, value = 127 : i64}
// CHECK: npu.matmul {a_digit = 1 : i64, acc_addr = 0 : i64, act_addr = {{.*}}shift = 8 : i64, w_digit = 1 : i64, w_signed = true
// CHECK-COUNT-3: npu.matmul {{.*}}accumulate = true
// The conv's output stays on chip and its one tile is whole rows: the
// requantize writes it in place, so the layer has no STORE.
// CHECK: npu.vec {{{.*}}a_acc = true{{.*}}dst_addr = [[Y:[0-9]+]] : i64, op = 0 : i64{{.*}}push_prev = true
// CHECK-NOT: npu.store
// CHECK: npu.sync {engine = 1 : i64, push_prev = true}
// CHECK: npu.sync {engine = 0 : i64, pop_next = true}
// CHECK: npu.layer {{.*}}kind = "max_pool2d"
// CHECK: npu.vec {{.*}}op = 4 : i64
// The NHWC -> NCHW output transpose is a strided copy: H and W merge into
// one run, so one step moves both channels (rows of 4 pixels).
// CHECK: npu.layer {{.*}}kind = "transpose"
// CHECK: npu.load {{.*}}cols = 4 : i64{{.*}}rows = 2 : i64
// CHECK: npu.vec {{.*}}op = 7 : i64
// CHECK-NOT: npu.vec
// CHECK: npu.finish
// CHECK-NOT: func.func
// D8: target = #npu.target<name = "mote-d8"
// D8-COUNT-1: npu.matmul {{.*}}shift = 0 : i64
// D8-NOT: npu.matmul
// D8: npu.finish
func.func @net(%arg0: tensor<1x1x4x4xf32> {mote.name = "x", mote.layout = "NCHW"}) -> (tensor<1x2x2x2xf32> {mote.name = "y"}) {
  %q = mote.quantize %arg0 : (tensor<1x1x4x4xf32>) -> tensor<1x1x4x4x!quant.uniform<u8:f32, 0.0039215686274509803>>
  %t = mote.transpose %q {perms = array<i64: 0, 2, 3, 1>} : (tensor<1x1x4x4x!quant.uniform<u8:f32, 0.0039215686274509803>>) -> tensor<1x4x4x1x!quant.uniform<u8:f32, 0.0039215686274509803>>
  %w = mote.constant dense<[[[[100], [-77], [5]], [[1], [2], [3]], [[-127], [127], [0]]], [[[1], [-1], [1]], [[-1], [1], [-1]], [[60], [-60], [9]]]]> : tensor<2x3x3x1xi8> -> tensor<2x3x3x1x!quant.uniform<i8<-127:127>:f32:0, {0.01, 0.02}>>
  %b = mote.constant dense<[100, -200]> : tensor<2xi32> -> tensor<2x!quant.uniform<i32:f32:0, {3.921568627450980e-05, 7.843137254901960e-05}>>
  %c = mote.conv2d %t, %w, %b {dilations = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x4x4x1x!quant.uniform<u8:f32, 0.0039215686274509803>>, tensor<2x3x3x1x!quant.uniform<i8<-127:127>:f32:0, {0.01, 0.02}>>, tensor<2x!quant.uniform<i32:f32:0, {3.921568627450980e-05, 7.843137254901960e-05}>>) -> tensor<1x4x4x2x!quant.uniform<i8:f32, 0.01:-5>>
  %r = mote.clamp %c {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x4x4x2x!quant.uniform<i8:f32, 0.01:-5>>
  %p = mote.max_pool2d %r {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x4x4x2x!quant.uniform<i8:f32, 0.01:-5>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.01:-5>>
  %o = mote.transpose %p {perms = array<i64: 0, 3, 1, 2>} : (tensor<1x2x2x2x!quant.uniform<i8:f32, 0.01:-5>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.01:-5>>
  %d = mote.dequantize %o : (tensor<1x2x2x2x!quant.uniform<i8:f32, 0.01:-5>>) -> tensor<1x2x2x2xf32>
  return %d : tensor<1x2x2x2xf32>
}

// -----

// The pipeline helper motec uses: --mote-to-npu then --npu-estimate (the
// estimate fills dram_traffic and roofline_cycles).
// RUN: mote-opt %s -split-input-file --mote-bitwidth-lowering=quiet --mote-npu-pipeline="target=mote-small" | FileCheck %s --check-prefix=PIPE
// PIPE: target = #npu.target<name = "mote-small"
// A 4-bit input is stored one element per byte with dtype "u4": the host
// saturates it to [0, 15], as the interpreter does, not to a byte's range.
// PIPE: npu.io {{.*}}dtype = "u4", is_input = true
// PIPE: npu.layer attributes {digit_macs = 64 : i64, dram_traffic = {{[1-9][0-9]*}} : i64, kind = "fully_connected", {{.*}}roofline_cycles = {{[1-9][0-9]*}} : i64
func.func @fc(%arg0: tensor<1x16xf32>) -> tensor<1x4xf32> {
  %q = mote.quantize %arg0 : (tensor<1x16xf32>) -> tensor<1x16x!quant.uniform<u4:f32, 0.5>>
  %w = mote.constant dense<3> : tensor<4x16xi4> -> tensor<4x16x!quant.uniform<i4<-7:7>:f32:0, {0.25, 0.25, 0.5, 0.5}>>
  %y = mote.fully_connected %q, %w : (tensor<1x16x!quant.uniform<u4:f32, 0.5>>, tensor<4x16x!quant.uniform<i4<-7:7>:f32:0, {0.25, 0.25, 0.5, 0.5}>>) -> tensor<1x4x!quant.uniform<i8:f32, 2.0>>
  %d = mote.dequantize %y : (tensor<1x4x!quant.uniform<i8:f32, 2.0>>) -> tensor<1x4xf32>
  return %d : tensor<1x4xf32>
}
