// Two arguments bound by name from one .npz; errors for bad data.
// RUN: rm -rf %t && mkdir -p %t && %PYTHON %S/Inputs/calib_data.py %t
// RUN: mote-opt %s --mote-calibrate="data=%t/two.npz method=minmax" | FileCheck %s
// RUN: not mote-opt %s --mote-calibrate="data=%t/x.npy" 2>&1 | FileCheck %s --check-prefix=NPY
// RUN: not mote-opt %s --mote-calibrate="data=%t/missing.npz" 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not mote-opt %s --mote-calibrate="data=%t/two.npz method=bogus" 2>&1 | FileCheck %s --check-prefix=METHOD
// RUN: not mote-opt %s --mote-calibrate 2>&1 | FileCheck %s --check-prefix=NODATA

// CHECK-LABEL: func.func @main
// CHECK-SAME: {mote.calib = array<f64: -4.000000e+00, 3.000000e+00>, mote.name = "a"}
// CHECK-SAME: {mote.calib = array<f64: -6.000000e+00, 8.000000e+00>, mote.name = "b"}
// CHECK: mote.sub {{.*}}mote.calib = array<f64: -1.200000e+01, 9.000000e+00>

// NPY: a .npy file feeds only single-argument functions
// MISSING: calibration data '{{.*}}missing.npz' does not exist
// METHOD: unknown method 'bogus'
// NODATA: no calibration data

func.func @main(%a: tensor<1x4xf32> {mote.name = "a"}, %b: tensor<1x4xf32> {mote.name = "b"}) -> tensor<1x4xf32> {
  %s = mote.sub %a, %b : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  return %s : tensor<1x4xf32>
}
