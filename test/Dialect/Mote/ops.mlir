// RUN: mote-opt %s | mote-opt | FileCheck %s
// RUN: mote-opt %s --mlir-print-op-generic | mote-opt | FileCheck %s
// RUN: mote-opt %s --emit-bytecode | mote-opt | FileCheck %s

// Every mote op round-trips through the custom form, the generic form and
// bytecode.

!qa = !quant.uniform<i8:f32, 0.05:-3>
!qr = !quant.uniform<u8:f32, 0.025>
!qw = !quant.uniform<i8<-127:127>:f32:0, {0.01, 0.02}>
!qb = !quant.uniform<i32:f32:0, {5.0e-04, 1.0e-03}>
!qacc = !quant.uniform<i32:f32:3, {5.0e-04, 1.0e-03}>

// CHECK-LABEL: func @float_conv
func.func @float_conv(%x: tensor<1x8x8x3xf32>) -> tensor<1x4x4x16xf32> {
  // CHECK: mote.constant dense_resource<conv_w> : tensor<16x3x3x3xf32> -> tensor<16x3x3x3xf32>
  %w = mote.constant dense_resource<conv_w> : tensor<16x3x3x3xf32> -> tensor<16x3x3x3xf32>
  // CHECK: mote.constant dense<5.000000e-01> : tensor<16xf32>
  %b = mote.constant dense<0.5> : tensor<16xf32> -> tensor<16xf32>
  // CHECK: mote.conv2d %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
  %y = mote.conv2d %x, %w, %b {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x3xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>) -> tensor<1x4x4x16xf32>
  return %y : tensor<1x4x4x16xf32>
}

// CHECK-LABEL: func @depthwise_no_bias
func.func @depthwise_no_bias(%x: tensor<1x8x8x4xf32>, %w: tensor<4x3x3x1xf32>) -> tensor<1x4x4x4xf32> {
  // CHECK: mote.conv2d %{{.*}}, %{{.*}} {dilations = array<i64: 2, 2>, groups = 4 : i64
  %y = mote.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, groups = 4} : (tensor<1x8x8x4xf32>, tensor<4x3x3x1xf32>) -> tensor<1x4x4x4xf32>
  return %y : tensor<1x4x4x4xf32>
}

// CHECK-LABEL: func @quantized_conv
func.func @quantized_conv(%x: tensor<1x4x4x3x!qa>, %w: tensor<2x1x1x3x!qw>, %b: tensor<2x!qb>) -> (tensor<1x4x4x2x!qr>, tensor<1x4x4x2x!qacc>) {
  // CHECK: mote.conv2d {{.*}} -> tensor<1x4x4x2x!quant.uniform<u8:f32, 2.500000e-02>>
  %y = mote.conv2d %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x4x4x3x!qa>, tensor<2x1x1x3x!qw>, tensor<2x!qb>) -> tensor<1x4x4x2x!qr>
  // CHECK: mote.conv2d {{.*}} -> tensor<1x4x4x2x!quant.uniform<i32:f32:3, {5.000000e-04,1.000000e-03}>>
  %acc = mote.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x4x4x3x!qa>, tensor<2x1x1x3x!qw>) -> tensor<1x4x4x2x!qacc>
  return %y, %acc : tensor<1x4x4x2x!qr>, tensor<1x4x4x2x!qacc>
}

// CHECK-LABEL: func @products
func.func @products(%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>, %x: tensor<2x4xf32>, %w: tensor<6x4xf32>, %bias: tensor<6xf32>) -> (tensor<2x3x5xf32>, tensor<2x6xf32>) {
  // CHECK: mote.matmul
  %0 = mote.matmul %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
  // CHECK: mote.fully_connected
  %1 = mote.fully_connected %x, %w, %bias : (tensor<2x4xf32>, tensor<6x4xf32>, tensor<6xf32>) -> tensor<2x6xf32>
  return %0, %1 : tensor<2x3x5xf32>, tensor<2x6xf32>
}

// CHECK-LABEL: func @elementwise
func.func @elementwise(%a: tensor<1x4x4x8xf32>, %b: tensor<8xf32>) -> tensor<1x4x4x8xf32> {
  // CHECK: mote.add
  %0 = mote.add %a, %b : (tensor<1x4x4x8xf32>, tensor<8xf32>) -> tensor<1x4x4x8xf32>
  // CHECK: mote.sub
  %1 = mote.sub %0, %b : (tensor<1x4x4x8xf32>, tensor<8xf32>) -> tensor<1x4x4x8xf32>
  // CHECK: mote.mul
  %2 = mote.mul %1, %a : (tensor<1x4x4x8xf32>, tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  // CHECK: mote.div
  %3 = mote.div %2, %b : (tensor<1x4x4x8xf32>, tensor<8xf32>) -> tensor<1x4x4x8xf32>
  // CHECK: mote.maximum
  %4 = mote.maximum %3, %a : (tensor<1x4x4x8xf32>, tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  // CHECK: mote.minimum
  %5 = mote.minimum %4, %a : (tensor<1x4x4x8xf32>, tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  // CHECK: mote.prelu
  %6 = mote.prelu %5, %b : (tensor<1x4x4x8xf32>, tensor<8xf32>) -> tensor<1x4x4x8xf32>
  // CHECK: mote.clamp %{{.*}} {max = 6.000000e+00 : f32, min = 0.000000e+00 : f32} : tensor<1x4x4x8xf32>
  %7 = mote.clamp %6 {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x4x4x8xf32>
  // CHECK: mote.sigmoid
  %8 = mote.sigmoid %7 : (tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  // CHECK: mote.tanh
  %9 = mote.tanh %8 : (tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  // CHECK: mote.hard_sigmoid
  %10 = mote.hard_sigmoid %9 {alpha = 0.2 : f32, beta = 0.5 : f32} : (tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  // CHECK: mote.hard_swish
  %11 = mote.hard_swish %10 : (tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  // CHECK: mote.leaky_relu
  %12 = mote.leaky_relu %11 {alpha = 0.1 : f32} : (tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  // CHECK: mote.exp
  %13 = mote.exp %12 : (tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  // CHECK: mote.softmax %{{.*}} {axis = 3 : i64}
  %14 = mote.softmax %13 {axis = 3} : (tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  // CHECK: mote.elu %{{.*}} {alpha = 1.000000e+00 : f32}
  %15 = mote.elu %14 {alpha = 1.0 : f32} : (tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  // CHECK: mote.selu %{{.*}} {alpha = 1.67326319 : f32, gamma = 1.05070102 : f32}
  %16 = mote.selu %15 {alpha = 1.67326319217681884765625 : f32, gamma = 1.05070102214813232421875 : f32} : (tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  // CHECK: mote.softplus %{{.*}} : (tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  %17 = mote.softplus %16 : (tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  // CHECK: mote.log_softmax %{{.*}} {axis = 1 : i64}
  %18 = mote.log_softmax %17 {axis = 1} : (tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  return %18 : tensor<1x4x4x8xf32>
}

// CHECK-LABEL: func @quantized_activations
func.func @quantized_activations(%x: tensor<2x8x!qa>) -> tensor<2x8x!qr> {
  // CHECK: mote.elu {{.*}} -> tensor<2x8x!quant.uniform<i8:f32, 5.000000e-02:-3>>
  %0 = mote.elu %x {alpha = 0.5 : f32} : (tensor<2x8x!qa>) -> tensor<2x8x!qa>
  // CHECK: mote.selu
  %1 = mote.selu %0 {alpha = 1.5 : f32, gamma = 1.0 : f32} : (tensor<2x8x!qa>) -> tensor<2x8x!qa>
  // CHECK: mote.log_softmax {{.*}} {axis = 1 : i64}
  %2 = mote.log_softmax %1 {axis = 1} : (tensor<2x8x!qa>) -> tensor<2x8x!qa>
  // CHECK: mote.softplus {{.*}} -> tensor<2x8x!quant.uniform<u8:f32, 2.500000e-02>>
  %3 = mote.softplus %2 : (tensor<2x8x!qa>) -> tensor<2x8x!qr>
  return %3 : tensor<2x8x!qr>
}

// CHECK-LABEL: func @pooling
func.func @pooling(%x: tensor<1x5x5x8xf32>) -> (tensor<1x3x3x8xf32>, tensor<1x2x2x8xf32>, tensor<1x1x1x8xf32>) {
  // CHECK: mote.max_pool2d {{.*}}ceil_mode = true
  %0 = mote.max_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, ceil_mode = true} : (tensor<1x5x5x8xf32>) -> tensor<1x3x3x8xf32>
  // CHECK: mote.avg_pool2d {{.*}}count_include_pad = true
  %1 = mote.avg_pool2d %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, count_include_pad = true} : (tensor<1x5x5x8xf32>) -> tensor<1x2x2x8xf32>
  // CHECK: mote.avg_pool2d
  %2 = mote.avg_pool2d %x {kernel = array<i64: 5, 5>, strides = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x5x5x8xf32>) -> tensor<1x1x1x8xf32>
  return %0, %1, %2 : tensor<1x3x3x8xf32>, tensor<1x2x2x8xf32>, tensor<1x1x1x8xf32>
}

// CHECK-LABEL: func @data_movement
func.func @data_movement(%a: tensor<1x2x2x3xf32>, %b: tensor<1x2x2x5xf32>) -> (tensor<1x32xf32>, tensor<1x8x2x2xf32>, tensor<1x4x4x8xf32>) {
  // CHECK: mote.concat %{{.*}}, %{{.*}} {axis = 3 : i64}
  %0 = mote.concat %a, %b {axis = 3} : (tensor<1x2x2x3xf32>, tensor<1x2x2x5xf32>) -> tensor<1x2x2x8xf32>
  // CHECK: mote.reshape
  %1 = mote.reshape %0 : (tensor<1x2x2x8xf32>) -> tensor<1x32xf32>
  // CHECK: mote.transpose %{{.*}} {perms = array<i64: 0, 3, 1, 2>}
  %2 = mote.transpose %0 {perms = array<i64: 0, 3, 1, 2>} : (tensor<1x2x2x8xf32>) -> tensor<1x8x2x2xf32>
  // CHECK: mote.pad %{{.*}} {pads = array<i64: 0, 0, 1, 1, 1, 1, 0, 0>}
  %3 = mote.pad %0 {pads = array<i64: 0, 0, 1, 1, 1, 1, 0, 0>} : (tensor<1x2x2x8xf32>) -> tensor<1x4x4x8xf32>
  return %1, %2, %3 : tensor<1x32xf32>, tensor<1x8x2x2xf32>, tensor<1x4x4x8xf32>
}

// CHECK-LABEL: func @quantization
func.func @quantization(%x: tensor<4x16xf32>) -> tensor<4x16xf32> {
  // CHECK: mote.quantize %{{.*}} : (tensor<4x16xf32>) -> tensor<4x16x!quant.uniform<i8:f32, 5.000000e-02:-3>>
  %q = mote.quantize %x : (tensor<4x16xf32>) -> tensor<4x16x!qa>
  // CHECK: mote.requant
  %r = mote.requant %q : (tensor<4x16x!qa>) -> tensor<4x16x!qr>
  // CHECK: mote.lut %{{.*}}, dense<{{.*}}> : tensor<256xi8>
  %l = mote.lut %q, dense<1> : tensor<256xi8> : (tensor<4x16x!qa>) -> tensor<4x16x!qa>
  // CHECK: mote.add {{.*}} -> tensor<4x16x!quant.uniform<u8:f32, 2.500000e-02>>
  %s = mote.add %r, %l : (tensor<4x16x!qr>, tensor<4x16x!qa>) -> tensor<4x16x!qr>
  // CHECK: mote.dequantize
  %d = mote.dequantize %s : (tensor<4x16x!qr>) -> tensor<4x16xf32>
  return %d : tensor<4x16xf32>
}

// CHECK-LABEL: func @quantized_constants
func.func @quantized_constants() -> (tensor<2x1x1x3x!qw>, tensor<2x!qb>) {
  // CHECK: mote.constant dense<{{.*}}> : tensor<2x1x1x3xi8> -> tensor<2x1x1x3x!quant.uniform<i8<-127:127>:f32:0, {1.000000e-02,2.000000e-02}>>
  %w = mote.constant dense<[[[[1, -2, 127]]], [[[-127, 0, 5]]]]> : tensor<2x1x1x3xi8> -> tensor<2x1x1x3x!qw>
  %b = mote.constant dense<[100, -7]> : tensor<2xi32> -> tensor<2x!qb>
  return %w, %b : tensor<2x1x1x3x!qw>, tensor<2x!qb>
}

{-#
  dialect_resources: {
    builtin: {
      conv_w: "0x040000000000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E0000803E0000C03E0000C0BE000080BE000000BE000000000000003E"
    }
  }
#-}
