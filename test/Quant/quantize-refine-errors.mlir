// Refinements without calibration data, bad search options, bad data.
// RUN: not mote-opt %s --mote-quantize="weight-search=true" 2>&1 | FileCheck %s --check-prefix=NODATA
// RUN: not mote-opt %s --mote-quantize="bias-correction=true adaround=true" 2>&1 | FileCheck %s --check-prefix=NODATA2
// RUN: rm -rf %t && mkdir -p %t && %PYTHON %S/Inputs/refine.py bias %t
// RUN: not mote-opt %s --mote-quantize="data=%t/bias.npy weight-search=true search-lowest=0" 2>&1 | FileCheck %s --check-prefix=LOWEST
// RUN: not mote-opt %s --mote-quantize="data=%t/bias.npy weight-search=true" 2>&1 | FileCheck %s --check-prefix=SHAPE
// RUN: not mote-opt %s --mote-quantize="data=%t/missing.npy bias-correction=true" 2>&1 | FileCheck %s --check-prefix=MISSING

// NODATA: error: mote-quantize: weight-search need calibration data: pass data=FILE.npy|FILE.npz|DIR
// NODATA2: error: mote-quantize: bias-correction, adaround need calibration data
// LOWEST: error: mote-quantize: search-lowest must be in (0, 1]
// SHAPE: error: mote-quantize: {{.*}}bias.npy: shape 2x2 is neither the argument's shape 1x8
// MISSING: error: mote-quantize: calibration data '{{.*}}missing.npy' does not exist

func.func @main(%x: tensor<1x8xf32> {mote.calib = array<f64: -1.0, 1.0>}) -> tensor<1x1xf32> {
  %w = mote.constant dense<[[1.0, 0.1, 0.12, -0.09, 0.11, 0.13, -0.1, 0.08]]> : tensor<1x8xf32> -> tensor<1x8xf32>
  %y = mote.fully_connected %x, %w {mote.calib = array<f64: -2.0, 2.0>} : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x1xf32>
  return %y : tensor<1x1xf32>
}
