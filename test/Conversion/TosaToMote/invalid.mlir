// RUN: mote-opt %s --split-input-file --tosa-to-mote --verify-diagnostics

// Every unsupported case fails the pass with an error on the op that
// names it and says why.

func.func @slice(%x: tensor<4x4xf32>) -> tensor<2x2xf32> {
  %start = tosa.const_shape {values = dense<[0, 0]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %size = tosa.const_shape {values = dense<[2, 2]> : tensor<2xindex>} : () -> !tosa.shape<2>
  // expected-error @+1 {{cannot convert 'tosa.slice' to mote: no mote equivalent, or an operand has an unsupported type}}
  %0 = tosa.slice %x, %start, %size : (tensor<4x4xf32>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

func.func @inexact_round(%arg0: tensor<4xi32>) -> tensor<4xi8> {
  %m = "tosa.const"() <{values = dense<1073741824> : tensor<1xi32>}> : () -> tensor<1xi32>
  %s = "tosa.const"() <{values = dense<40> : tensor<1xi8>}> : () -> tensor<1xi8>
  %zp32 = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
  %zp8 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  // expected-warning @+1 {{INEXACT_ROUND rounding with a shift above 31 is converted to mote's single rounding; results may differ by one LSB}}
  %0 = tosa.rescale %arg0, %m, %s, %zp32, %zp8 {rounding_mode = INEXACT_ROUND, scale32 = true, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<4xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

// A per-channel rescale of a tensor with one scale: no single output scale
// reproduces both multipliers.
func.func @per_channel_rescale_of_per_tensor(%arg0: tensor<1x2xi8>) -> tensor<1x2xi8> {
  %m = "tosa.const"() <{values = dense<[1073741824, 1431655765]> : tensor<2xi32>}> : () -> tensor<2xi32>
  %s = "tosa.const"() <{values = dense<30> : tensor<2xi8>}> : () -> tensor<2xi8>
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  // expected-error @+1 {{cannot convert 'tosa.rescale' to mote: no single output scale makes mote recompute these multipliers exactly}}
  %0 = tosa.rescale %arg0, %m, %s, %zp, %zp {rounding_mode = SINGLE_ROUND, scale32 = true, per_channel = true, input_unsigned = false, output_unsigned = false} : (tensor<1x2xi8>, tensor<2xi32>, tensor<2xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2xi8>
  return %0 : tensor<1x2xi8>
}

// -----

// expected-error @+1 {{graph input #0 is used with different zero points}}
func.func @conflicting_input_zero_points(%arg0: tensor<1x4x4x3xi8>) -> (tensor<1x4x4x2xi32>, tensor<1x4x4x2xi32>) {
  %w = "tosa.const"() <{values = dense<1> : tensor<2x1x1x3xi8>}> : () -> tensor<2x1x1x3xi8>
  %b = "tosa.const"() <{values = dense<0> : tensor<2xi32>}> : () -> tensor<2xi32>
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %zp2 = "tosa.const"() <{values = dense<4> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.conv2d %arg0, %w, %b, %zp, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x3xi8>, tensor<2x1x1x3xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x2xi32>
  %1 = tosa.conv2d %arg0, %w, %b, %zp2, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x3xi8>, tensor<2x1x1x3xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x2xi32>
  return %0, %1 : tensor<1x4x4x2xi32>, tensor<1x4x4x2xi32>
}

// -----

func.func @int_sigmoid(%x: tensor<4xi8>) -> tensor<4xi8> {
  // expected-error @+1 {{cannot convert 'tosa.sigmoid' to mote: integer form is not supported; TOSA expresses integer nonlinearities with tosa.table}}
  %0 = tosa.sigmoid %x : (tensor<4xi8>) -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

// A float → int cast that is not a quantization (no constant scale).
func.func @float_to_int_cast(%x: tensor<4xf32>) -> tensor<4xi8> {
  // expected-error @+1 {{cannot convert 'tosa.cast' to mote: the value cast to an integer is not scaled by a constant}}
  %0 = tosa.cast %x : (tensor<4xf32>) -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

func.func @int16_table(%x: tensor<4xi16>) -> tensor<4xi32> {
  %t = "tosa.const"() <{values = dense<0> : tensor<513xi16>}> : () -> tensor<513xi16>
  // expected-error @+1 {{cannot convert 'tosa.table' to mote: only 8-bit tables (256 entries) are supported; int16 tables interpolate, which mote.lut does not}}
  %0 = tosa.table %x, %t : (tensor<4xi16>, tensor<513xi16>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// Both operands come from earlier layers, so neither scale is free.
func.func @add_scales_differ(%a: tensor<4xi32>) -> tensor<4xi32> {
  %m1 = "tosa.const"() <{values = dense<1073741824> : tensor<1xi32>}> : () -> tensor<1xi32>
  %m2 = "tosa.const"() <{values = dense<1431655765> : tensor<1xi32>}> : () -> tensor<1xi32>
  %s = "tosa.const"() <{values = dense<31> : tensor<1xi8>}> : () -> tensor<1xi8>
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
  %0 = tosa.rescale %a, %m1, %s, %zp, %zp {rounding_mode = SINGLE_ROUND, scale32 = true, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<4xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi32>) -> tensor<4xi32>
  %1 = tosa.rescale %a, %m2, %s, %zp, %zp {rounding_mode = SINGLE_ROUND, scale32 = true, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<4xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi32>) -> tensor<4xi32>
  // expected-error @+1 {{cannot convert 'tosa.add' to mote: operands have different scales (2 and 1.5); TOSA combines raw integers, which mote expresses exactly only at one common scale}}
  %2 = tosa.add %0, %1 : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %2 : tensor<4xi32>
}
