// RUN: mote-opt %s -split-input-file -verify-diagnostics

// The ODS arguments generated from ISA.def require every field.
// expected-error @+1 {{'npu.load' op requires attribute 'elem_bytes'}}
npu.load {buffer = 1, sram_addr = 0, dram_addr = 0, rows = 1, cols = 1, pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0, on_chip = false}

// -----

// expected-error @+1 {{field 'rows' = 4096 does not fit its 12-bit unsigned encoding}}
npu.store {buffer = 1, sram_addr = 0, dram_addr = 0, rows = 4096, cols = 1, elem_bytes = 1, on_chip = false}

// -----

// expected-error @+1 {{has no field 'row'}}
npu.sync {engine = 0, row = 1}

// -----

// expected-error @+1 {{the store engine has no next engine}}
npu.store {buffer = 1, sram_addr = 0, dram_addr = 0, rows = 1, cols = 1, elem_bytes = 1, on_chip = false, push_next = true}

// -----

// expected-error @+1 {{engine execute has no register 99}}
npu.config {engine = 1, reg = 99, value = 0}

// -----

// expected-error @+1 {{target hash '0xzz' is not a number}}
npu.program attributes {target = #npu.target<name = "mote-default", hash = "0xzz", digit_bits = 4, signed_digits = true, weight_bytes = 262144, weight_align = 32, activation_bytes = 262144, activation_align = 16, accumulator_bytes = 65536, accumulator_align = 64>, dram_bytes = 1024} {
  npu.finish {}
}

// -----

// expected-error @+1 {{target 'mote-default': digit_bits must be in [1, 8] and every buffer size and alignment positive}}
npu.program attributes {target = #npu.target<name = "mote-default", hash = "0x1", digit_bits = 0, signed_digits = true, weight_bytes = 262144, weight_align = 32, activation_bytes = 262144, activation_align = 16, accumulator_bytes = 65536, accumulator_align = 64>, dram_bytes = 1024} {
  npu.finish {}
}

// -----

// The verifier reads the target from the program, not from a file: a
// target no file describes verifies (mote-sim would refuse to run it).
npu.program attributes {target = #npu.target<name = "mote-nonexistent", hash = "0x1", digit_bits = 4, signed_digits = true, weight_bytes = 4096, weight_align = 32, activation_bytes = 4096, activation_align = 16, accumulator_bytes = 4096, accumulator_align = 64>, dram_bytes = 1024} {
  npu.finish {}
}

// -----

// A weight tile past the end of the 256 KiB weight buffer.
npu.program attributes {target = #npu.target<name = "mote-default", hash = "0xb868d0c3184d1582", digit_bits = 4, signed_digits = true, weight_bytes = 262144, weight_align = 32, activation_bytes = 262144, activation_align = 16, accumulator_bytes = 65536, accumulator_align = 64>, dram_bytes = 1024} {
  // expected-error @+1 {{load destination [262112, 262176) exceeds the weight buffer (262144 bytes) of target 'mote-default'}}
  npu.load {buffer = 0, sram_addr = 262112, dram_addr = 0, rows = 1, cols = 1, elem_bytes = 64, pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0, on_chip = false}
  npu.finish {}
}

// -----

// An on-chip copy addresses the activation buffer, not DRAM: its source
// must lie inside the buffer (DRAM is only 1024 bytes here, which would
// refuse the address too, but for the wrong reason).
npu.program attributes {target = #npu.target<name = "mote-default", hash = "0xb868d0c3184d1582", digit_bits = 4, signed_digits = true, weight_bytes = 262144, weight_align = 32, activation_bytes = 262144, activation_align = 16, accumulator_bytes = 65536, accumulator_align = 64>, dram_bytes = 1048576} {
  // expected-error @+1 {{on-chip source/destination address 262144 lies beyond the activation buffer's 262144}}
  npu.load {buffer = 1, sram_addr = 0, dram_addr = 262144, rows = 1, cols = 1, elem_bytes = 1, pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0, on_chip = true}
  npu.finish {}
}

// -----

npu.program attributes {target = #npu.target<name = "mote-default", hash = "0xb868d0c3184d1582", digit_bits = 4, signed_digits = true, weight_bytes = 262144, weight_align = 32, activation_bytes = 262144, activation_align = 16, accumulator_bytes = 65536, accumulator_align = 64>, dram_bytes = 1024} {
  // expected-error @+1 {{load destination address 8 in the activation buffer is not 16-byte aligned}}
  npu.load {buffer = 1, sram_addr = 8, dram_addr = 0, rows = 1, cols = 1, elem_bytes = 1, pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0, on_chip = false}
  npu.finish {}
}

// -----

npu.program attributes {target = #npu.target<name = "mote-default", hash = "0xb868d0c3184d1582", digit_bits = 4, signed_digits = true, weight_bytes = 262144, weight_align = 32, activation_bytes = 262144, activation_align = 16, accumulator_bytes = 65536, accumulator_align = 64>, dram_bytes = 1024} {
  npu.config {engine = 1, reg = 0, value = 1}
  npu.config {engine = 1, reg = 1, value = 4}
  npu.config {engine = 1, reg = 3, value = 4}
  npu.config {engine = 1, reg = 4, value = 1}
  npu.config {engine = 1, reg = 5, value = 1}
  // expected-error @+1 {{shift 0 must be at least digit_bits * (a_digit + w_digit) = 4}}
  npu.matmul {act_addr = 0, wgt_addr = 0, acc_addr = 0, out_h = 1, out_w = 1, out_c = 4, a_digit = 1, a_signed = true, w_digit = 0, w_signed = false, shift = 0, accumulate = false, chain = false, depthwise = false}
  npu.finish {}
}

// -----

npu.program attributes {target = #npu.target<name = "mote-default", hash = "0xb868d0c3184d1582", digit_bits = 4, signed_digits = true, weight_bytes = 262144, weight_align = 32, activation_bytes = 262144, activation_align = 16, accumulator_bytes = 65536, accumulator_align = 64>, dram_bytes = 1024} {
  // expected-error @+1 {{register MM_IN_W = 0 must be in [1, 1048576] before a matmul}}
  npu.matmul {act_addr = 0, wgt_addr = 0, acc_addr = 0, out_h = 1, out_w = 1, out_c = 4, a_digit = 0, a_signed = true, w_digit = 0, w_signed = false, shift = 0, accumulate = false, chain = false, depthwise = false}
  npu.finish {}
}

// -----

// The register ranges are the simulator's (ISA/Footprint.h).
npu.program attributes {target = #npu.target<name = "mote-default", hash = "0xb868d0c3184d1582", digit_bits = 4, signed_digits = true, weight_bytes = 262144, weight_align = 32, activation_bytes = 262144, activation_align = 16, accumulator_bytes = 65536, accumulator_align = 64>, dram_bytes = 1024} {
  npu.config {engine = 1, reg = 0, value = 4}
  npu.config {engine = 1, reg = 1, value = 4}
  npu.config {engine = 1, reg = 3, value = 4}
  npu.config {engine = 1, reg = 4, value = 1}
  npu.config {engine = 1, reg = 5, value = 1}
  npu.config {engine = 1, reg = 6, value = 5000}
  // expected-error @+1 {{register MM_STRIDE_H = 5000 must be in [1, 4096] before a matmul}}
  npu.matmul {act_addr = 0, wgt_addr = 0, acc_addr = 0, out_h = 1, out_w = 1, out_c = 4, a_digit = 0, a_signed = true, w_digit = 0, w_signed = false, shift = 0, accumulate = false, chain = false, depthwise = false}
  npu.finish {}
}

// -----

// expected-error @+1 {{token queue load->execute is unbalanced: 1 more pushes than pops}}
npu.program attributes {target = #npu.target<name = "mote-default", hash = "0xb868d0c3184d1582", digit_bits = 4, signed_digits = true, weight_bytes = 262144, weight_align = 32, activation_bytes = 262144, activation_align = 16, accumulator_bytes = 65536, accumulator_align = 64>, dram_bytes = 1024} {
  npu.load {buffer = 1, sram_addr = 0, dram_addr = 0, rows = 1, cols = 1, elem_bytes = 1, pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0, on_chip = false, push_next = true}
  npu.finish {}
}

// -----

// expected-error @+1 {{token queue store->execute is unbalanced: 1 more pops than pushes}}
npu.program attributes {target = #npu.target<name = "mote-default", hash = "0xb868d0c3184d1582", digit_bits = 4, signed_digits = true, weight_bytes = 262144, weight_align = 32, activation_bytes = 262144, activation_align = 16, accumulator_bytes = 65536, accumulator_align = 64>, dram_bytes = 1024} {
  npu.sync {engine = 1, pop_next = true}
  npu.finish {}
}

// -----

npu.program attributes {target = #npu.target<name = "mote-default", hash = "0xb868d0c3184d1582", digit_bits = 4, signed_digits = true, weight_bytes = 262144, weight_align = 32, activation_bytes = 262144, activation_align = 16, accumulator_bytes = 65536, accumulator_align = 64>, dram_bytes = 1024} {
  npu.finish {}
  // expected-error @+1 {{follows npu.finish}}
  npu.sync {engine = 0}
}

// -----

npu.program attributes {target = #npu.target<name = "mote-default", hash = "0xb868d0c3184d1582", digit_bits = 4, signed_digits = true, weight_bytes = 262144, weight_align = 32, activation_bytes = 262144, activation_align = 16, accumulator_bytes = 65536, accumulator_align = 64>, dram_bytes = 1024} {
  // expected-error @+1 {{segment ends beyond dram_bytes 1024}}
  npu.data {offset = 1022, bytes = dense<[1, 2, 3, 4]> : tensor<4xi8>}
  npu.finish {}
}

// -----

npu.program attributes {target = #npu.target<name = "mote-default", hash = "0xb868d0c3184d1582", digit_bits = 4, signed_digits = true, weight_bytes = 262144, weight_align = 32, activation_bytes = 262144, activation_align = 16, accumulator_bytes = 65536, accumulator_align = 64>, dram_bytes = 1024} {
  // expected-error @+1 {{size 3 does not match the shape (4 bytes)}}
  npu.io {name = "x", is_input = true, shape = array<i64: 1, 4>, dram_perm = array<i64>, layout = "NC", dtype = "i8", dram_addr = 64, size = 3, scale = 0.5 : f64, zero_point = 0}
  npu.finish {}
}

// -----

npu.program attributes {target = #npu.target<name = "mote-default", hash = "0xb868d0c3184d1582", digit_bits = 4, signed_digits = true, weight_bytes = 262144, weight_align = 32, activation_bytes = 262144, activation_align = 16, accumulator_bytes = 65536, accumulator_align = 64>, dram_bytes = 1024} {
  // expected-error @+1 {{offset must be non-negative}}
  npu.data {offset = -1, bytes = dense<[1, 2]> : tensor<2xi8>}
  npu.finish
}

// -----

npu.program attributes {target = #npu.target<name = "mote-default", hash = "0xb868d0c3184d1582", digit_bits = 4, signed_digits = true, weight_bytes = 262144, weight_align = 32, activation_bytes = 262144, activation_align = 16, accumulator_bytes = 65536, accumulator_align = 64>, dram_bytes = 1024} {
  // expected-error @+1 {{dtype must be i8, u8, i32, f32, or i2..i7 / u1..u7, got 'i9'}}
  npu.io {dram_addr = 0 : i64, dram_perm = array<i64>, dtype = "i9", is_input = true, layout = "C", name = "x", scale = 1.0 : f64, shape = array<i64: 4>, size = 4 : i64, zero_point = 0 : i64}
  npu.finish
}

// -----

// Fields are typed: a Bool field takes true / false.
// expected-error @+1 {{'npu.load' op attribute 'on_chip' failed to satisfy constraint: bool attribute}}
npu.load {buffer = 1, sram_addr = 0, dram_addr = 0, rows = 1, cols = 1, elem_bytes = 1, pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0, on_chip = 1}
