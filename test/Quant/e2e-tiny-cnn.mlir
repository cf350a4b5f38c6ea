// The example network, float vs calibrated int8 (and w4a8) on the reference
// interpreter: the quantized output must stay close to the float one.
// RUN: rm -rf %t && mkdir -p %t && %PYTHON %S/Inputs/e2e.py gen %t 1 8 8 1
// RUN: mote-opt %mote_src/examples/tiny_cnn.mlir --mote-fold-batchnorm --mote-calibrate="data=%t/calib.npy method=minmax" --mote-quantize -o %t/int8.mlir 2>&1 | FileCheck %s --check-prefix=REPORT
// RUN: mote-run %mote_src/examples/tiny_cnn.mlir --input %t/x.npy --output-dir %t/float
// RUN: mote-run %t/int8.mlir --input %t/x.npy --output-dir %t/int8
// RUN: %PYTHON %S/Inputs/e2e.py compare %t/float/output_0.npy %t/int8/output_0.npy 0.99 | FileCheck %s
// RUN: mote-opt %mote_src/examples/tiny_cnn.mlir --mote-fold-batchnorm --mote-calibrate="data=%t/calib.npy method=kl" --mote-quantize=precision=w4a8 -o %t/w4a8.mlir
// RUN: mote-run %t/w4a8.mlir --input %t/x.npy --output-dir %t/w4a8
// RUN: %PYTHON %S/Inputs/e2e.py compare %t/float/output_0.npy %t/w4a8/output_0.npy 0.95 | FileCheck %s
// RUN: FileCheck %s --check-prefix=IR < %t/int8.mlir

// REPORT: calibrate: 64/64 samples, method minmax
// REPORT: quantize: {{[0-9]+}} ops in integers, 0 kept in float
// CHECK: cosine
// CHECK: OK
// IR: mote.conv2d {{.*}} -> tensor<1x8x8x2x!quant.uniform<u8:f32
// IR-NOT: mote.clamp
// IR: mote.fully_connected
