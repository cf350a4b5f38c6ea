// RUN: mote-opt %s --pass-pipeline="builtin.module(npu.program(npu-estimate{print}))" 2>%t.err | FileCheck %s
// RUN: FileCheck %s --check-prefix=TABLE < %t.err

// digit-MACs = out_h*out_w*out_c * KH*KW*CG = 1*1*8*(3*3*4) = 288 per pass,
// two passes; DRAM = 36 + 8 bytes loaded, 8 stored = 52; roofline =
// max(576 / 256, 52 / 8) = 6.5 -> 7 cycles on mote-default.
// CHECK-LABEL: npu.program
// CHECK: npu.layer attributes {digit_macs = 576 : i64, dram_traffic = 52 : i64, kind = "conv2d", macs = 288 : i64, name = "c", roofline_cycles = 7 : i64}
// TABLE: layer{{ +}}kind{{ +}}macs{{ +}}digit-macs{{ +}}dram-bytes{{ +}}roofline
// TABLE-NEXT: c{{ +}}conv2d{{ +}}288{{ +}}576{{ +}}52{{ +}}7
// TABLE-NEXT: total roofline cycles: 7
npu.program attributes {target = #npu.target<name = "mote-default", hash = "0xb868d0c3184d1582", digit_bits = 4, signed_digits = true, weight_bytes = 262144, weight_align = 32, activation_bytes = 262144, activation_align = 16, accumulator_bytes = 65536, accumulator_align = 64>, dram_bytes = 1024} {
  npu.layer attributes {name = "c", kind = "conv2d", macs = 288, digit_macs = 0, dram_traffic = 0, roofline_cycles = 0} {
    npu.load {buffer = 1, sram_addr = 0, dram_addr = 64, rows = 3, cols = 3, elem_bytes = 4, pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0, on_chip = false}
    npu.load {buffer = 0, sram_addr = 0, dram_addr = 0, rows = 1, cols = 1, elem_bytes = 8, pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0, on_chip = false, push_next = true}
    npu.config {engine = 1, reg = 0, value = 3, pop_prev = true}
    npu.config {engine = 1, reg = 1, value = 4}
    npu.config {engine = 1, reg = 3, value = 4}
    npu.config {engine = 1, reg = 4, value = 3}
    npu.config {engine = 1, reg = 5, value = 3}
    npu.matmul {act_addr = 0, wgt_addr = 0, acc_addr = 0, out_h = 1, out_w = 1, out_c = 8, a_digit = 0, a_signed = false, w_digit = 0, w_signed = false, shift = 0, accumulate = false, chain = false, depthwise = false}
    npu.matmul {act_addr = 0, wgt_addr = 0, acc_addr = 0, out_h = 1, out_w = 1, out_c = 8, a_digit = 1, a_signed = false, w_digit = 0, w_signed = false, shift = 4, accumulate = true, chain = false, depthwise = false}
    npu.vec {op = 0, src_a = 0, src_b = 64, out_h = 1, out_w = 1, channels = 8, dst_addr = 64, a_acc = true, b_acc = false, d_acc = false, push_next = true}
    npu.store {buffer = 1, sram_addr = 64, dram_addr = 128, rows = 1, cols = 1, elem_bytes = 8, on_chip = false, pop_prev = true, push_prev = true}
    npu.sync {engine = 1, pop_next = true, push_prev = true}
    npu.sync {engine = 0, pop_next = true}
  }
  npu.finish {}
}
