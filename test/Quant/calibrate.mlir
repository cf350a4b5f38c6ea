// RUN: rm -rf %t && mkdir -p %t && %PYTHON %S/Inputs/calib_data.py %t
// RUN: mote-opt %s --mote-calibrate="data=%t/x.npy method=minmax" | FileCheck %s --check-prefix=MINMAX
// RUN: mote-opt %s --mote-calibrate="data=%t/dir method=minmax" | FileCheck %s --check-prefix=MINMAX
// RUN: mote-opt %s --mote-calibrate="data=%t/x.npy method=minmax samples=1" | FileCheck %s --check-prefix=FIRST
// RUN: mote-opt %s --mote-calibrate="data=%t/u8.npy method=minmax" | FileCheck %s --check-prefix=U8
// RUN: mote-opt %s --mote-calibrate="data=%t/heavy.npy method=minmax" 2>&1 | FileCheck %s --check-prefix=HEAVY-MINMAX
// RUN: mote-opt %s --mote-calibrate="data=%t/heavy.npy method=kl" | FileCheck %s --check-prefix=HEAVY-CLIPPED
// RUN: mote-opt %s --mote-calibrate="data=%t/heavy.npy method=mse" | FileCheck %s --check-prefix=HEAVY-MSE
// RUN: mote-opt %s --mote-calibrate="data=%t/heavy.npy" | FileCheck %s --check-prefix=HEAVY-DEFAULT
// RUN: mote-opt %s --mote-calibrate="data=%t/heavy.npy method=percentile percentile=99.0" | FileCheck %s --check-prefix=HEAVY-CLIPPED

// Ranges include 0; relu's range starts at 0; x * 2 doubles the range.
// MINMAX-LABEL: func.func @main
// MINMAX-SAME: mote.calib = array<f64: -4.000000e+00, 3.000000e+00>
// MINMAX: mote.clamp {{.*}}mote.calib = array<f64: 0.000000e+00, 3.000000e+00>
// MINMAX: mote.mul {{.*}}mote.calib = array<f64: -8.000000e+00, 6.000000e+00>
// MINMAX-NOT: mote.constant {{.*}}mote.calib

// FIRST-LABEL: func.func @main
// FIRST-SAME: mote.calib = array<f64: -1.000000e+00, 3.000000e+00>

// U8-LABEL: func.func @main
// U8-SAME: mote.calib = array<f64: 0.000000e+00, 2.000000e+02>

// The outlier 60 survives minmax only.
// HEAVY-MINMAX: calibrate: 200/2000 samples
// HEAVY-MINMAX: calibrate: 2000/2000 samples, method minmax
// HEAVY-MINMAX: func.func @main(%{{.*}}: tensor<1x4xf32> {mote.calib = array<f64: {{.*}}, 6.000000e+01>}
// KL and the 99th percentile clip it to below 20; MSE weighs its squared
// error (once in 8000 values) against the rounding noise of the rest and
// clips less; the default, percentile 99.99, keeps it (8000 values).
// HEAVY-CLIPPED: func.func @main(%{{.*}}: tensor<1x4xf32> {mote.calib = array<f64: -{{[0-9.e+]+}}, {{([0-9]\.[0-9]+(e\+00)?|1[0-9]\.[0-9]+)}}>}
// HEAVY-MSE: func.func @main(%{{.*}}: tensor<1x4xf32> {mote.calib = array<f64: -{{[0-9.e+]+}}, {{[1-5][0-9]\.[0-9]+}}>}
// HEAVY-DEFAULT: func.func @main(%{{.*}}: tensor<1x4xf32> {mote.calib = array<f64: {{.*}}, 6.000000e+01>}

func.func @main(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %two = mote.constant dense<2.0> : tensor<1x4xf32> -> tensor<1x4xf32>
  %r = mote.clamp %x {min = 0.0 : f32, max = 0x7F800000 : f32} : tensor<1x4xf32>
  %m = mote.mul %x, %two : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %s = mote.add %r, %m : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  return %s : tensor<1x4xf32>
}
