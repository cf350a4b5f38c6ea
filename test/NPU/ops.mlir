// RUN: mote-opt %s | mote-opt | FileCheck %s

// A minimal well-formed program: load a tile, one MATMUL pass, requantize,
// store, with balanced tokens on all four queues.
// CHECK-LABEL: npu.program attributes {dram_bytes = 1024 : i64, target = #npu.target<name = "mote-default", hash = "0xb868d0c3184d1582", digit_bits = 4, signed_digits = true, weight_bytes = 262144, weight_align = 32, activation_bytes = 262144, activation_align = 16, accumulator_bytes = 65536, accumulator_align = 64>}
// CHECK: npu.data {bytes = dense<[1, 2, 3, 4]> : tensor<4xi8>, offset = 0 : i64}
// CHECK: npu.io {dram_addr = 64 : i64
// CHECK: npu.layer attributes {digit_macs = 16 : i64
// CHECK: npu.load {buffer = 1 : i64{{.*}}push_next = true
// CHECK: npu.matmul
// CHECK: npu.host_segment attributes {input_addrs = array<i64: 128>, output_addrs = array<i64: 192>, segment = 0 : i64}
// CHECK: mote.softmax
// CHECK: npu.host_yield %{{.*}} : tensor<1x4xf32>
// CHECK: npu.finish
npu.program attributes {target = #npu.target<name = "mote-default", hash = "0xb868d0c3184d1582", digit_bits = 4, signed_digits = true, weight_bytes = 262144, weight_align = 32, activation_bytes = 262144, activation_align = 16, accumulator_bytes = 65536, accumulator_align = 64>, dram_bytes = 1024} {
  npu.data {offset = 0, bytes = dense<[1, 2, 3, 4]> : tensor<4xi8>}
  npu.io {name = "x", is_input = true, shape = array<i64: 1, 4>, dram_perm = array<i64>, layout = "NC", dtype = "i8", dram_addr = 64, size = 4, scale = 0.5 : f64, zero_point = 0}
  npu.layer attributes {name = "fc", kind = "fully_connected", macs = 16, digit_macs = 16, dram_traffic = 8, roofline_cycles = 1} {
    npu.load {buffer = 1, sram_addr = 0, dram_addr = 64, rows = 1, cols = 1, elem_bytes = 4, pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0, on_chip = false, push_next = true}
    npu.config {engine = 1, reg = 0, value = 1, pop_prev = true}
    npu.config {engine = 1, reg = 1, value = 4}
    npu.config {engine = 1, reg = 3, value = 4}
    npu.config {engine = 1, reg = 4, value = 1}
    npu.config {engine = 1, reg = 5, value = 1}
    npu.matmul {act_addr = 0, wgt_addr = 0, acc_addr = 0, out_h = 1, out_w = 1, out_c = 4, a_digit = 0, a_signed = true, w_digit = 0, w_signed = true, shift = 0, accumulate = false, chain = false, depthwise = false}
    npu.vec {op = 0, src_a = 0, src_b = 0, out_h = 1, out_w = 1, channels = 4, dst_addr = 64, a_acc = true, b_acc = false, d_acc = false, push_next = true}
    npu.store {buffer = 1, sram_addr = 64, dram_addr = 128, rows = 1, cols = 1, elem_bytes = 4, on_chip = false, pop_prev = true, push_prev = true}
    npu.sync {engine = 1, pop_next = true, push_prev = true}
    npu.sync {engine = 0, pop_next = true}
  }
  npu.host_segment attributes {segment = 0, input_addrs = array<i64: 128>, output_addrs = array<i64: 192>} {
  ^bb0(%q: tensor<1x4x!quant.uniform<i8:f32, 0.25>>):
    %f = mote.dequantize %q : (tensor<1x4x!quant.uniform<i8:f32, 0.25>>) -> tensor<1x4xf32>
    %p = mote.softmax %f {axis = 1 : i64} : (tensor<1x4xf32>) -> tensor<1x4xf32>
    npu.host_yield %p : tensor<1x4xf32>
  }
  npu.finish {}
}
