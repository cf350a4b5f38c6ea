// The math functions (sqrt, reciprocal, log, erf, pow, silu, gelu) and the
// elu/selu/softplus family become one mote.lut each, and the table gives
// exactly what the quantized op computes: both come from
// mote::interp::getUnaryFunction.
// RUN: rm -rf %t && mkdir -p %t && %PYTHON %S/Inputs/e2e.py ramp %t 512
// RUN: mote-opt %s --mote-quantize=use-lut=false -o %t/op.mlir
// RUN: mote-opt %s --mote-quantize -o %t/lut.mlir
// RUN: FileCheck %s --check-prefix=OP < %t/op.mlir
// RUN: FileCheck %s --check-prefix=OPG < %t/op.mlir
// RUN: FileCheck %s --check-prefix=LUT < %t/lut.mlir
// RUN: mote-run %t/op.mlir --input %t/ramp.npy --output-dir %t/op
// RUN: mote-run %t/lut.mlir --input %t/ramp.npy --output-dir %t/lut
// RUN: for i in 0 1 2 3 4 5 6 7 8 9 10; do cmp %t/op/output_$i.npy %t/lut/output_$i.npy || exit 1; done
// 4-bit activations: 16-entry tables.
// RUN: mote-opt %s --mote-quantize=precision=int4 -o %t/lut4.mlir
// RUN: FileCheck %s --check-prefix=LUT4 < %t/lut4.mlir
// RUN: mote-opt %s --mote-quantize="precision=int4 use-lut=false" -o %t/op4.mlir
// RUN: mote-run %t/op4.mlir --input %t/ramp.npy --output-dir %t/op4
// RUN: mote-run %t/lut4.mlir --input %t/ramp.npy --output-dir %t/lut4
// RUN: for i in 0 1 2 3 4 5 6 7 8 9 10; do cmp %t/op4/output_$i.npy %t/lut4/output_$i.npy || exit 1; done

// OP-COUNT-11: mote.dequantize
// OP-NOT: mote.lut
// OPG: mote.gelu {{.*}} -> tensor<1x512x!quant.uniform<i8
// LUT-COUNT-11: mote.lut {{.*}} : tensor<256xi8>
// LUT-NOT: mote.gelu
// LUT4-COUNT-11: mote.lut {{.*}} : tensor<16xi4>

func.func @main(%x: tensor<1x512xf32> {mote.calib = array<f64: -5.0, 5.0>}) -> (tensor<1x512xf32>, tensor<1x512xf32>, tensor<1x512xf32>, tensor<1x512xf32>, tensor<1x512xf32>, tensor<1x512xf32>, tensor<1x512xf32>, tensor<1x512xf32>, tensor<1x512xf32>, tensor<1x512xf32>, tensor<1x512xf32>) {
  %0 = mote.sqrt %x {mote.calib = array<f64: 0.0, 2.3>} : (tensor<1x512xf32>) -> tensor<1x512xf32>
  %1 = mote.reciprocal %x {mote.calib = array<f64: -4.0, 4.0>} : (tensor<1x512xf32>) -> tensor<1x512xf32>
  %2 = mote.log %x {mote.calib = array<f64: -3.0, 1.7>} : (tensor<1x512xf32>) -> tensor<1x512xf32>
  %3 = mote.erf %x {mote.calib = array<f64: -1.0, 1.0>} : (tensor<1x512xf32>) -> tensor<1x512xf32>
  %4 = mote.pow %x {exponent = 2.0 : f32, mote.calib = array<f64: 0.0, 25.0>} : (tensor<1x512xf32>) -> tensor<1x512xf32>
  %5 = mote.pow %x {exponent = 3.0 : f32, mote.calib = array<f64: -125.0, 125.0>} : (tensor<1x512xf32>) -> tensor<1x512xf32>
  %6 = mote.silu %x {mote.calib = array<f64: -0.3, 5.0>} : (tensor<1x512xf32>) -> tensor<1x512xf32>
  %7 = mote.gelu %x {mote.calib = array<f64: -0.2, 5.0>} : (tensor<1x512xf32>) -> tensor<1x512xf32>
  %8 = mote.elu %x {alpha = 1.0 : f32, mote.calib = array<f64: -1.0, 5.0>} : (tensor<1x512xf32>) -> tensor<1x512xf32>
  %9 = mote.selu %x {alpha = 1.67326319 : f32, gamma = 1.05070102 : f32, mote.calib = array<f64: -1.8, 5.3>} : (tensor<1x512xf32>) -> tensor<1x512xf32>
  %10 = mote.softplus %x {mote.calib = array<f64: 0.0, 5.0>} : (tensor<1x512xf32>) -> tensor<1x512xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10 : tensor<1x512xf32>, tensor<1x512xf32>, tensor<1x512xf32>, tensor<1x512xf32>, tensor<1x512xf32>, tensor<1x512xf32>, tensor<1x512xf32>, tensor<1x512xf32>, tensor<1x512xf32>, tensor<1x512xf32>, tensor<1x512xf32>
}
