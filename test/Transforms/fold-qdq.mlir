// RUN: mote-opt %s -mote-fold-qdq -split-input-file | FileCheck %s

!qx = !quant.uniform<i8:f32, 0.05:-2>
!qy = !quant.uniform<i8:f32, 0.1:4>
!qw = !quant.uniform<i8:f32:0, {0.02, 0.04}>

// Conv → Relu → Q with per-channel weights: the float conv becomes a
// quantized conv (bias at s_x·s_w[o] = 0.001, 0.002), the clamp moves after
// the quantize onto the quantized type.
// CHECK-LABEL: func @conv_relu
// CHECK-DAG: %[[W:.*]] = mote.constant dense<1> : tensor<2x1x1x3xi8> -> tensor<2x1x1x3x!quant.uniform<i8:f32:0, {2.000000e-02,4.000000e-02}>>
// CHECK-DAG: %[[B:.*]] = mote.constant dense<[100, -125]> : tensor<2xi32> -> tensor<2x!quant.uniform<i32:f32:0, {{.*}}>>
// CHECK: %[[C:.*]] = mote.conv2d %arg0, %[[W]], %[[B]] {{.*}} -> tensor<1x4x4x2x!quant.uniform<i8:f32, 1.000000e-01:4>>
// CHECK-NEXT: %[[R:.*]] = mote.clamp %[[C]] {max = 6.000000e+00 : f32, min = 0.000000e+00 : f32}
// CHECK-NEXT: return %[[R]]
func.func @conv_relu(%x: tensor<1x4x4x3x!qx>) -> tensor<1x4x4x2x!qy> {
  %w = mote.constant dense<1> : tensor<2x1x1x3xi8> -> tensor<2x1x1x3x!qw>
  %b = mote.constant dense<[0.1, -0.25]> : tensor<2xf32> -> tensor<2xf32>
  %dx = mote.dequantize %x : (tensor<1x4x4x3x!qx>) -> tensor<1x4x4x3xf32>
  %dw = mote.dequantize %w : (tensor<2x1x1x3x!qw>) -> tensor<2x1x1x3xf32>
  %c = mote.conv2d %dx, %dw, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x4x4x3xf32>, tensor<2x1x1x3xf32>, tensor<2xf32>) -> tensor<1x4x4x2xf32>
  %r = mote.clamp %c {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x4x4x2xf32>
  %q = mote.quantize %r : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2x!qy>
  return %q : tensor<1x4x4x2x!qy>
}

// -----

!qx = !quant.uniform<u8:f32, 0.05:128>
!qy = !quant.uniform<u8:f32, 0.1:128>
!qw = !quant.uniform<i8:f32, 0.02>
!qb = !quant.uniform<i32:f32, 0.001>

// Gemm-style FC; the bias comes as an int32 DequantizeLinear at s_x·s_w.
// CHECK-LABEL: func @fc_dq_bias
// CHECK-DAG: %[[W:.*]] = mote.constant dense<3> : tensor<2x4xi8>
// CHECK-DAG: %[[B:.*]] = mote.constant dense<[7, -9]> : tensor<2xi32> -> tensor<2x!quant.uniform<i32:f32, 1.000000e-03>>
// CHECK: %[[F:.*]] = mote.fully_connected %arg0, %[[W]], %[[B]] : {{.*}} -> tensor<3x2x!quant.uniform<u8:f32, 1.000000e-01:128>>
// CHECK-NEXT: return %[[F]]
func.func @fc_dq_bias(%x: tensor<3x4x!qx>) -> tensor<3x2x!qy> {
  %w = mote.constant dense<3> : tensor<2x4xi8> -> tensor<2x4x!qw>
  %b = mote.constant dense<[7, -9]> : tensor<2xi32> -> tensor<2x!qb>
  %dx = mote.dequantize %x : (tensor<3x4x!qx>) -> tensor<3x4xf32>
  %dw = mote.dequantize %w : (tensor<2x4x!qw>) -> tensor<2x4xf32>
  %db = mote.dequantize %b : (tensor<2x!qb>) -> tensor<2xf32>
  %f = mote.fully_connected %dx, %dw, %db : (tensor<3x4xf32>, tensor<2x4xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  %q = mote.quantize %f : (tensor<3x2xf32>) -> tensor<3x2x!qy>
  return %q : tensor<3x2x!qy>
}

// -----

!qx = !quant.uniform<i8:f32, 0.05>
!qy = !quant.uniform<i8:f32, 0.1>
!qw = !quant.uniform<i8:f32:1, {0.02, 0.04, 0.08}>

// MatMul with rhs per column (last axis).
// CHECK-LABEL: func @matmul_per_column
// CHECK: %[[M:.*]] = mote.matmul %arg0, %{{.*}} : {{.*}} -> tensor<2x3x!quant.uniform<i8:f32, 1.000000e-01>>
// CHECK-NEXT: return %[[M]]
func.func @matmul_per_column(%x: tensor<2x4x!qx>) -> tensor<2x3x!qy> {
  %w = mote.constant dense<1> : tensor<4x3xi8> -> tensor<4x3x!qw>
  %dx = mote.dequantize %x : (tensor<2x4x!qx>) -> tensor<2x4xf32>
  %dw = mote.dequantize %w : (tensor<4x3x!qw>) -> tensor<4x3xf32>
  %m = mote.matmul %dx, %dw : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  %q = mote.quantize %m : (tensor<2x3xf32>) -> tensor<2x3x!qy>
  return %q : tensor<2x3x!qy>
}

// -----

!qw = !quant.uniform<i8:f32:0, {0.02, 0.04}>
!qx = !quant.uniform<i8:f32, 0.05>
!qy = !quant.uniform<i8:f32, 0.1>

// OIHW per-axis weights transposed to OHWI at import: the dequantize moves
// through the transpose (axis 0 stays axis 0), the transpose of the constant
// folds, and the conv folds.
// CHECK-LABEL: func @oihw_weights
// CHECK: %[[W:.*]] = mote.constant dense<{{\[\[\[\[}}1, 2], [3, 4]]], {{\[\[\[}}5, 6], [7, 8]]]]> : tensor<2x1x2x2xi8> -> tensor<2x1x2x2x!quant.uniform<i8:f32:0, {2.000000e-02,4.000000e-02}>>
// CHECK-NOT: mote.transpose
// CHECK: mote.conv2d %arg0, %[[W]] {{.*}}!quant.uniform<i8:f32, 1.000000e-01>>
func.func @oihw_weights(%x: tensor<1x4x4x2x!qx>) -> tensor<1x4x3x2x!qy> {
  %w = mote.constant dense<[[[[1, 3]], [[2, 4]]], [[[5, 7]], [[6, 8]]]]> : tensor<2x2x1x2xi8> -> tensor<2x2x1x2x!qw>
  %dw = mote.dequantize %w : (tensor<2x2x1x2x!qw>) -> tensor<2x2x1x2xf32>
  %t = mote.transpose %dw {perms = array<i64: 0, 2, 3, 1>} : (tensor<2x2x1x2xf32>) -> tensor<2x1x2x2xf32>
  %dx = mote.dequantize %x : (tensor<1x4x4x2x!qx>) -> tensor<1x4x4x2xf32>
  %c = mote.conv2d %dx, %t {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x4x4x2xf32>, tensor<2x1x2x2xf32>) -> tensor<1x4x3x2xf32>
  %q = mote.quantize %c : (tensor<1x4x3x2xf32>) -> tensor<1x4x3x2x!qy>
  return %q : tensor<1x4x3x2x!qy>
}

// -----

!qa = !quant.uniform<u8:f32, 0.02>
!qb = !quant.uniform<u8:f32, 0.03>
!qy = !quant.uniform<u8:f32, 0.04>

// CHECK-LABEL: func @add
// CHECK: %[[A:.*]] = mote.add %arg0, %arg1 : (tensor<4x!quant.uniform<u8:f32, 2.000000e-02>>, tensor<4x!quant.uniform<u8:f32, 3.000000e-02>>) -> tensor<4x!quant.uniform<u8:f32, 4.000000e-02>>
// CHECK-NEXT: return %[[A]]
func.func @add(%a: tensor<4x!qa>, %b: tensor<4x!qb>) -> tensor<4x!qy> {
  %da = mote.dequantize %a : (tensor<4x!qa>) -> tensor<4xf32>
  %db = mote.dequantize %b : (tensor<4x!qb>) -> tensor<4xf32>
  %s = mote.add %da, %db : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %q = mote.quantize %s : (tensor<4xf32>) -> tensor<4x!qy>
  return %q : tensor<4x!qy>
}

// -----

!qx = !quant.uniform<u8:f32, 0.02>
!qy = !quant.uniform<u8:f32, 0.05:3>

// Same type around max_pool2d: the quantized op alone. Different type
// around reshape: the op on the input type, then a requant.
// CHECK-LABEL: func @data_movement
// CHECK: %[[P:.*]] = mote.max_pool2d %arg0 {{.*}} -> tensor<1x2x2x1x!quant.uniform<u8:f32, 2.000000e-02>>
// CHECK: %[[R:.*]] = mote.reshape %[[P]] : {{.*}} -> tensor<1x4x!quant.uniform<u8:f32, 2.000000e-02>>
// CHECK: %[[Q:.*]] = mote.requant %[[R]] : {{.*}} -> tensor<1x4x!quant.uniform<u8:f32, 5.000000e-02:3>>
// CHECK-NEXT: return %[[Q]]
func.func @data_movement(%x: tensor<1x4x4x1x!qx>) -> tensor<1x4x!qy> {
  %d = mote.dequantize %x : (tensor<1x4x4x1x!qx>) -> tensor<1x4x4x1xf32>
  %p = mote.max_pool2d %d {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x4x4x1xf32>) -> tensor<1x2x2x1xf32>
  %q = mote.quantize %p : (tensor<1x2x2x1xf32>) -> tensor<1x2x2x1x!qx>
  %d2 = mote.dequantize %q : (tensor<1x2x2x1x!qx>) -> tensor<1x2x2x1xf32>
  %r = mote.reshape %d2 : (tensor<1x2x2x1xf32>) -> tensor<1x4xf32>
  %q2 = mote.quantize %r : (tensor<1x4xf32>) -> tensor<1x4x!qy>
  return %q2 : tensor<1x4x!qy>
}

// -----

!qx = !quant.uniform<u8:f32, 0.02>
!qy = !quant.uniform<u8:f32, 0.03>

// avg_pool2d and concat rescale themselves.
// CHECK-LABEL: func @avg_pool_concat
// CHECK: %[[P:.*]] = mote.avg_pool2d %arg0 {{.*}} -> tensor<1x1x1x2x!quant.uniform<u8:f32, 3.000000e-02>>
// CHECK: %[[C:.*]] = mote.concat %[[P]], %arg1 {axis = 3 : i64} : {{.*}} -> tensor<1x1x1x4x!quant.uniform<u8:f32, 3.000000e-02>>
// CHECK-NEXT: return %[[C]]
func.func @avg_pool_concat(%x: tensor<1x2x2x2x!qx>, %y: tensor<1x1x1x2x!qx>) -> tensor<1x1x1x4x!qy> {
  %d = mote.dequantize %x : (tensor<1x2x2x2x!qx>) -> tensor<1x2x2x2xf32>
  %p = mote.avg_pool2d %d {kernel = array<i64: 2, 2>, strides = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x2x2x2xf32>) -> tensor<1x1x1x2xf32>
  %qp = mote.quantize %p : (tensor<1x1x1x2xf32>) -> tensor<1x1x1x2x!qy>
  %dp = mote.dequantize %qp : (tensor<1x1x1x2x!qy>) -> tensor<1x1x1x2xf32>
  %dy = mote.dequantize %y : (tensor<1x1x1x2x!qx>) -> tensor<1x1x1x2xf32>
  %c = mote.concat %dp, %dy {axis = 3 : i64} : (tensor<1x1x1x2xf32>, tensor<1x1x1x2xf32>) -> tensor<1x1x1x4xf32>
  %q = mote.quantize %c : (tensor<1x1x1x4xf32>) -> tensor<1x1x1x4x!qy>
  return %q : tensor<1x1x1x4x!qy>
}

// -----

!qa = !quant.uniform<i8:f32, 0.02:1>
!qb = !quant.uniform<u8:f32, 0.05:128>

// dequantize → quantize: a different type becomes requant, the same type
// folds away.
// CHECK-LABEL: func @requant
// CHECK: %[[R:.*]] = mote.requant %arg0 : (tensor<4x!quant.uniform<i8:f32, 2.000000e-02:1>>) -> tensor<4x!quant.uniform<u8:f32, 5.000000e-02:128>>
// CHECK-NEXT: return %[[R]], %arg0
func.func @requant(%a: tensor<4x!qa>) -> (tensor<4x!qb>, tensor<4x!qa>) {
  %d = mote.dequantize %a : (tensor<4x!qa>) -> tensor<4xf32>
  %q = mote.quantize %d : (tensor<4xf32>) -> tensor<4x!qb>
  %q2 = mote.quantize %d : (tensor<4xf32>) -> tensor<4x!qa>
  return %q, %q2 : tensor<4x!qb>, tensor<4x!qa>
}

// -----

// Negative cases.

!qx = !quant.uniform<i8:f32, 0.05>
!qy = !quant.uniform<i8:f32, 0.1>
!qw = !quant.uniform<i8:f32, 0.02>

// The float conv has a second (float) user: it stays float.
// CHECK-LABEL: func @conv_two_users
// CHECK: mote.conv2d {{.*}} -> tensor<1x4x4x2xf32>
// CHECK: mote.quantize
func.func @conv_two_users(%x: tensor<1x4x4x3x!qx>) -> (tensor<1x4x4x2x!qy>, tensor<1x4x4x2xf32>) {
  %w = mote.constant dense<1> : tensor<2x1x1x3xi8> -> tensor<2x1x1x3x!qw>
  %dx = mote.dequantize %x : (tensor<1x4x4x3x!qx>) -> tensor<1x4x4x3xf32>
  %dw = mote.dequantize %w : (tensor<2x1x1x3x!qw>) -> tensor<2x1x1x3xf32>
  %c = mote.conv2d %dx, %dw {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x4x4x3xf32>, tensor<2x1x1x3xf32>) -> tensor<1x4x4x2xf32>
  %q = mote.quantize %c : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2x!qy>
  return %q, %c : tensor<1x4x4x2x!qy>, tensor<1x4x4x2xf32>
}

// A float (not dequantized) weight: nothing folds.
// CHECK-LABEL: func @conv_float_weight
// CHECK: mote.conv2d {{.*}} -> tensor<1x4x4x2xf32>
// CHECK: mote.quantize
func.func @conv_float_weight(%x: tensor<1x4x4x3x!qx>, %w: tensor<2x1x1x3xf32>) -> tensor<1x4x4x2x!qy> {
  %dx = mote.dequantize %x : (tensor<1x4x4x3x!qx>) -> tensor<1x4x4x3xf32>
  %c = mote.conv2d %dx, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x4x4x3xf32>, tensor<2x1x1x3xf32>) -> tensor<1x4x4x2xf32>
  %q = mote.quantize %c : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2x!qy>
  return %q : tensor<1x4x4x2x!qy>
}

// A non-constant bias: the bias cannot be requantized at compile time.
// CHECK-LABEL: func @fc_runtime_bias
// CHECK: mote.fully_connected {{.*}} -> tensor<1x2xf32>
func.func @fc_runtime_bias(%x: tensor<1x3x!qx>, %b: tensor<2xf32>) -> tensor<1x2x!qy> {
  %w = mote.constant dense<1> : tensor<2x3xi8> -> tensor<2x3x!qw>
  %dx = mote.dequantize %x : (tensor<1x3x!qx>) -> tensor<1x3xf32>
  %dw = mote.dequantize %w : (tensor<2x3x!qw>) -> tensor<2x3xf32>
  %f = mote.fully_connected %dx, %dw, %b : (tensor<1x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  %q = mote.quantize %f : (tensor<1x2xf32>) -> tensor<1x2x!qy>
  return %q : tensor<1x2x!qy>
}

// One operand of the add is float: it stays float.
// CHECK-LABEL: func @add_float_operand
// CHECK: mote.add {{.*}} -> tensor<4xf32>
func.func @add_float_operand(%a: tensor<4x!qx>, %b: tensor<4xf32>) -> tensor<4x!qy> {
  %da = mote.dequantize %a : (tensor<4x!qx>) -> tensor<4xf32>
  %s = mote.add %da, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %q = mote.quantize %s : (tensor<4xf32>) -> tensor<4x!qy>
  return %q : tensor<4x!qy>
}

// A float sigmoid between dequantize and quantize is not folded here (the
// quantizer turns it into a LUT).
// CHECK-LABEL: func @sigmoid_stays
// CHECK: mote.sigmoid {{.*}} -> tensor<4xf32>
func.func @sigmoid_stays(%a: tensor<4x!qx>) -> tensor<4x!qy> {
  %da = mote.dequantize %a : (tensor<4x!qx>) -> tensor<4xf32>
  %s = mote.sigmoid %da : (tensor<4xf32>) -> tensor<4xf32>
  %q = mote.quantize %s : (tensor<4xf32>) -> tensor<4x!qy>
  return %q : tensor<4x!qy>
}
