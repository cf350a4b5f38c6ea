// RUN: mote-opt %s -split-input-file -verify-diagnostics
// RUN: not mote-opt %s -split-input-file --mote-bitwidth-lowering="digit-bits=0" 2>&1 | FileCheck %s --check-prefix=BITS
// RUN: not mote-opt %s -split-input-file --mote-bitwidth-lowering="multiplier-bits=1" 2>&1 | FileCheck %s --check-prefix=MULT
// BITS: mote-bitwidth-lowering: digit-bits must be in [1, 16], got 0
// MULT: mote-bitwidth-lowering: multiplier-bits must be in [2, 32], got 1

func.func @digit_ok(%x: tensor<4x!quant.uniform<i8:f32, 5.000000e-01:3>>) -> tensor<4x!quant.uniform<u4:f32, 5.000000e-01>> {
  %0 = mote.digit %x {bits = 4 : i64, index = 0 : i64} : (tensor<4x!quant.uniform<i8:f32, 5.000000e-01:3>>) -> tensor<4x!quant.uniform<u4:f32, 5.000000e-01>>
  return %0 : tensor<4x!quant.uniform<u4:f32, 5.000000e-01>>
}

// -----

func.func @digit_width(%x: tensor<4x!quant.uniform<i8:f32, 5.000000e-01>>) -> tensor<4x!quant.uniform<u4:f32, 5.000000e-01>> {
  // expected-error @+1 {{result storage must have 2 bits (one digit), not 4}}
  %0 = mote.digit %x {bits = 2 : i64, index = 0 : i64} : (tensor<4x!quant.uniform<i8:f32, 5.000000e-01>>) -> tensor<4x!quant.uniform<u4:f32, 5.000000e-01>>
  return %0 : tensor<4x!quant.uniform<u4:f32, 5.000000e-01>>
}

// -----

func.func @digit_zp(%x: tensor<4x!quant.uniform<i8:f32, 5.000000e-01>>) -> tensor<4x!quant.uniform<u4:f32, 5.000000e-01:1>> {
  // expected-error @+1 {{result zero point must be 0}}
  %0 = mote.digit %x {bits = 4 : i64, index = 1 : i64} : (tensor<4x!quant.uniform<i8:f32, 5.000000e-01>>) -> tensor<4x!quant.uniform<u4:f32, 5.000000e-01:1>>
  return %0 : tensor<4x!quant.uniform<u4:f32, 5.000000e-01:1>>
}

// -----

func.func @digit_index(%x: tensor<4x!quant.uniform<i8:f32, 5.000000e-01>>) -> tensor<4x!quant.uniform<u4:f32, 5.000000e-01>> {
  // expected-error @+1 {{index must be in [0, 62 / bits], got -1}}
  %0 = mote.digit %x {bits = 4 : i64, index = -1 : i64} : (tensor<4x!quant.uniform<i8:f32, 5.000000e-01>>) -> tensor<4x!quant.uniform<u4:f32, 5.000000e-01>>
  return %0 : tensor<4x!quant.uniform<u4:f32, 5.000000e-01>>
}
