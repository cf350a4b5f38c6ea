// RUN: mote-opt %s -split-input-file -verify-diagnostics --mote-quantize=quiet=true
// RUN: not mote-opt %s --mote-quantize=precision=int3 2>&1 | FileCheck %s --check-prefix=PRECISION
// RUN: printf 'conv1 4\n' > %t.plan
// RUN: not mote-opt %s --mote-quantize=plan=%t.plan 2>&1 | FileCheck %s --check-prefix=PLAN
// PRECISION: unknown precision 'int3'
// PLAN: .plan:1: expected 'KEY WEIGHT_BITS ACT_BITS' with bits in [2, 8], got 'conv1 4'

// expected-error @+1 {{argument #0 has no mote.calib range; run --mote-calibrate first}}
func.func @uncalibrated_arg(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %s = mote.sigmoid %x {mote.calib = array<f64: 0.0, 1.0>} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  return %s : tensor<1x4xf32>
}

// -----

func.func @uncalibrated_op(%x: tensor<1x4xf32> {mote.calib = array<f64: -1.0, 1.0>}) -> tensor<1x4xf32> {
  // expected-error @+1 {{no mote.calib range on this op's result}}
  %s = mote.tanh %x : (tensor<1x4xf32>) -> tensor<1x4xf32>
  return %s : tensor<1x4xf32>
}

// -----

// div has no integer form: it stays in float, between conversions.
func.func @div(%x: tensor<1x4xf32> {mote.calib = array<f64: -1.0, 1.0>}, %y: tensor<1x4xf32> {mote.calib = array<f64: 1.0, 2.0>}) -> tensor<1x4xf32> {
  %a = mote.add %x, %y {mote.calib = array<f64: 0.0, 3.0>} : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  // expected-remark @+1 {{kept in float: it has no integer form}}
  %d = mote.div %a, %y {mote.calib = array<f64: 0.0, 3.0>} : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %s = mote.sigmoid %d {mote.calib = array<f64: 0.0, 1.0>} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  return %s : tensor<1x4xf32>
}
