// RUN: mote-opt %s | mote-opt | FileCheck %s
// RUN: mote-opt %s --mlir-print-op-generic | mote-opt | FileCheck %s

// The math, reduction and layer-norm ops (MoteMathOps.td) round-trip
// through the custom and the generic form.

!q = !quant.uniform<i8:f32, 0.05:-3>
!r = !quant.uniform<u8:f32, 0.02>

// CHECK-LABEL: func @unary
func.func @unary(%x: tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32> {
  // CHECK: mote.sqrt %{{.*}} : (tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  %0 = mote.sqrt %x : (tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  // CHECK: mote.reciprocal
  %1 = mote.reciprocal %0 : (tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  // CHECK: mote.log
  %2 = mote.log %1 : (tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  // CHECK: mote.erf
  %3 = mote.erf %2 : (tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  // CHECK: mote.pow %{{.*}} {exponent = 2.000000e+00 : f32}
  %4 = mote.pow %3 {exponent = 2.0 : f32} : (tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  // CHECK: mote.silu
  %5 = mote.silu %4 : (tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  // CHECK: mote.gelu
  %6 = mote.gelu %5 : (tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  return %6 : tensor<1x4x4x8xf32>
}

// CHECK-LABEL: func @quantized_unary
func.func @quantized_unary(%x: tensor<1x8x!q>) -> tensor<1x8x!r> {
  // CHECK: mote.gelu %{{.*}} : (tensor<1x8x!quant.uniform<i8:f32, 5.000000e-02:-3>>) -> tensor<1x8x!quant.uniform<u8:f32, 2.000000e-02>>
  %0 = mote.gelu %x : (tensor<1x8x!q>) -> tensor<1x8x!r>
  return %0 : tensor<1x8x!r>
}

// CHECK-LABEL: func @reduce
func.func @reduce(%x: tensor<2x3x4xf32>) -> (tensor<2x1x1xf32>, tensor<2xf32>, tensor<3x4xf32>, tensor<2x3x4xf32>) {
  // CHECK: mote.reduce_mean %{{.*}} {axes = array<i64: 1, 2>} : (tensor<2x3x4xf32>) -> tensor<2x1x1xf32>
  %0 = mote.reduce_mean %x {axes = array<i64: 1, 2>} : (tensor<2x3x4xf32>) -> tensor<2x1x1xf32>
  // CHECK: mote.reduce_sum %{{.*}} {axes = array<i64: 1, 2>, keepdims = false}
  %1 = mote.reduce_sum %x {axes = array<i64: 1, 2>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<2xf32>
  // CHECK: mote.reduce_max
  %2 = mote.reduce_max %x {axes = array<i64: 0>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<3x4xf32>
  // CHECK: mote.reduce_min %{{.*}} {axes = array<i64>}
  %3 = mote.reduce_min %x {axes = array<i64>} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %0, %1, %2, %3 : tensor<2x1x1xf32>, tensor<2xf32>, tensor<3x4xf32>, tensor<2x3x4xf32>
}

// CHECK-LABEL: func @quantized_reduce
func.func @quantized_reduce(%x: tensor<1x4x8x!q>) -> (tensor<1x4x1x!r>, tensor<1x8x!q>) {
  // CHECK: mote.reduce_mean {{.*}} -> tensor<1x4x1x!quant.uniform<u8:f32, 2.000000e-02>>
  %0 = mote.reduce_mean %x {axes = array<i64: 2>} : (tensor<1x4x8x!q>) -> tensor<1x4x1x!r>
  // CHECK: mote.reduce_max {{.*}} -> tensor<1x8x!quant.uniform<i8:f32, 5.000000e-02:-3>>
  %1 = mote.reduce_max %x {axes = array<i64: 1>, keepdims = false} : (tensor<1x4x8x!q>) -> tensor<1x8x!q>
  return %0, %1 : tensor<1x4x1x!r>, tensor<1x8x!q>
}

// CHECK-LABEL: func @layer_norm
func.func @layer_norm(%x: tensor<2x5x8xf32>, %g: tensor<8xf32>, %b: tensor<5x8xf32>) -> (tensor<2x5x8xf32>, tensor<2x5x8xf32>) {
  // CHECK: mote.layer_norm %{{.*}}, %{{.*}}, %{{.*}} {axis = 1 : i64, epsilon = 9.99999974E-6 : f32} : (tensor<2x5x8xf32>, tensor<8xf32>, tensor<5x8xf32>) -> tensor<2x5x8xf32>
  %0 = mote.layer_norm %x, %g, %b {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x5x8xf32>, tensor<8xf32>, tensor<5x8xf32>) -> tensor<2x5x8xf32>
  // CHECK: mote.layer_norm %{{.*}}, %{{.*}} {axis = 2 : i64
  %1 = mote.layer_norm %x, %g {axis = 2 : i64, epsilon = 0.0 : f32} : (tensor<2x5x8xf32>, tensor<8xf32>) -> tensor<2x5x8xf32>
  return %0, %1 : tensor<2x5x8xf32>, tensor<2x5x8xf32>
}
