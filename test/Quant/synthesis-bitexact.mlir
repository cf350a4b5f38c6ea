// pow2 synthesis is bit-exact: the quantized example network and its
// synthesized form (2×4-bit and 4×2-bit terms) give byte-identical outputs
// on the reference interpreter; learned and residual stay close.
// RUN: rm -rf %t && mkdir -p %t && %PYTHON %S/Inputs/e2e.py gen %t 1 8 8 1
// RUN: mote-opt %mote_src/examples/tiny_cnn.mlir --mote-fold-batchnorm --mote-calibrate="data=%t/calib.npy method=minmax" --mote-quantize -o %t/int8.mlir
// RUN: mote-opt %t/int8.mlir --mote-quant-synthesis="report=%t/pow2.json" -o %t/pow2.mlir
// RUN: FileCheck %s --check-prefix=REPORT < %t/pow2.json
// RUN: mote-opt %t/int8.mlir --mote-quant-synthesis="terms=4 bits=2" -o %t/pow2x4.mlir
// RUN: mote-opt %t/int8.mlir --mote-quant-synthesis="mode=residual" -o %t/residual.mlir
// RUN: mote-run %t/int8.mlir --input %t/calib.npy --output-dir %t/int8
// RUN: mote-run %t/pow2.mlir --input %t/calib.npy --output-dir %t/pow2
// RUN: mote-run %t/pow2x4.mlir --input %t/calib.npy --output-dir %t/pow2x4
// RUN: mote-run %t/residual.mlir --input %t/calib.npy --output-dir %t/residual
// RUN: cmp %t/int8/output_0.npy %t/pow2/output_0.npy
// RUN: cmp %t/int8/output_0.npy %t/pow2x4/output_0.npy
// RUN: not cmp -s %t/int8/output_0.npy %t/residual/output_0.npy
// RUN: %PYTHON %S/Inputs/e2e.py compare %t/int8/output_0.npy %t/residual/output_0.npy 0.99 | FileCheck %s
// RUN: FileCheck %s --check-prefix=IR < %t/pow2.mlir

// REPORT-COUNT-3: "chosen": "pow2"
// CHECK: OK
// IR-NOT: i8<-127:127>
// IR: mote.add {{.*}} -> tensor<1x8x8x2x!quant.uniform<i32:f32
