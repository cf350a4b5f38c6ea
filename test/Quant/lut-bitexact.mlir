// A quantized nonlinearity and its mote.lut lowering give identical results:
// the tables are built from the interpreter's own real functions.
// RUN: rm -rf %t && mkdir -p %t && %PYTHON %S/Inputs/e2e.py ramp %t 512
// RUN: mote-opt %s --mote-quantize=use-lut=false -o %t/op.mlir
// RUN: mote-opt %s --mote-quantize -o %t/lut.mlir
// RUN: FileCheck %s --check-prefix=OP < %t/op.mlir
// RUN: FileCheck %s --check-prefix=LUT < %t/lut.mlir
// RUN: mote-run %t/op.mlir --input %t/ramp.npy --output-dir %t/op
// RUN: mote-run %t/lut.mlir --input %t/ramp.npy --output-dir %t/lut
// RUN: for i in 0 1 2 3 4 5; do cmp %t/op/output_$i.npy %t/lut/output_$i.npy || exit 1; done
// 4-bit activations: 16-entry tables.
// RUN: mote-opt %s --mote-quantize="precision=int4 use-lut=false" -o %t/op4.mlir
// RUN: mote-opt %s --mote-quantize=precision=int4 -o %t/lut4.mlir
// RUN: mote-run %t/op4.mlir --input %t/ramp.npy --output-dir %t/op4
// RUN: mote-run %t/lut4.mlir --input %t/ramp.npy --output-dir %t/lut4
// RUN: for i in 0 1 2 3 4 5; do cmp %t/op4/output_$i.npy %t/lut4/output_$i.npy || exit 1; done

// OP-COUNT-6: mote.dequantize
// OP-NOT: mote.lut
// LUT-COUNT-6: mote.lut
// LUT-NOT: mote.sigmoid

func.func @main(%x: tensor<1x512xf32> {mote.calib = array<f64: -5.0, 5.0>}) -> (tensor<1x512xf32>, tensor<1x512xf32>, tensor<1x512xf32>, tensor<1x512xf32>, tensor<1x512xf32>, tensor<1x512xf32>) {
  %0 = mote.sigmoid %x {mote.calib = array<f64: 0.0, 1.0>} : (tensor<1x512xf32>) -> tensor<1x512xf32>
  %1 = mote.tanh %x {mote.calib = array<f64: -1.0, 1.0>} : (tensor<1x512xf32>) -> tensor<1x512xf32>
  %2 = mote.hard_swish %x {mote.calib = array<f64: -0.375, 5.0>} : (tensor<1x512xf32>) -> tensor<1x512xf32>
  %3 = mote.hard_sigmoid %x {alpha = 0.2 : f32, beta = 0.5 : f32, mote.calib = array<f64: 0.0, 1.0>} : (tensor<1x512xf32>) -> tensor<1x512xf32>
  %4 = mote.leaky_relu %x {alpha = 0.1 : f32, mote.calib = array<f64: -0.5, 5.0>} : (tensor<1x512xf32>) -> tensor<1x512xf32>
  %5 = mote.exp %x {mote.calib = array<f64: 0.0, 20.0>} : (tensor<1x512xf32>) -> tensor<1x512xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<1x512xf32>, tensor<1x512xf32>, tensor<1x512xf32>, tensor<1x512xf32>, tensor<1x512xf32>, tensor<1x512xf32>
}
