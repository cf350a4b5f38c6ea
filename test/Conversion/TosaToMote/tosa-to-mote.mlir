// RUN: mote-opt %s --split-input-file --tosa-to-mote | FileCheck %s
// RUN: mote-opt %s --split-input-file --tosa-to-mote --mote-fold-batchnorm --canonicalize | FileCheck %s --check-prefix=FOLD

// Float TOSA as torch-mlir emits it (MLIR 22 syntax): every op converts,
// constant subgraphs fold, and no tosa op is left.

// CHECK-LABEL: func @conv
// CHECK-NOT: tosa.
// CHECK: %[[W:.*]] = mote.constant dense<5.000000e-01> : tensor<16x3x3x3xf32>
// CHECK: %[[B:.*]] = mote.constant dense<2.500000e-01> : tensor<16xf32>
// CHECK: mote.conv2d %arg0, %[[W]], %[[B]] {dilations = array<i64: 1, 1>, pad = array<i64: 1, 0, 1, 0>, strides = array<i64: 2, 2>} : (tensor<1x8x8x3xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>) -> tensor<1x4x4x16xf32>
func.func @conv(%arg0: tensor<1x8x8x3xf32>) -> tensor<1x4x4x16xf32> {
  %w = "tosa.const"() <{values = dense<0.5> : tensor<16x3x3x3xf32>}> : () -> tensor<16x3x3x3xf32>
  %b = "tosa.const"() <{values = dense<0.25> : tensor<16xf32>}> : () -> tensor<16xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %0 = tosa.conv2d %arg0, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 0, 1, 0>, stride = array<i64: 2, 2>} : (tensor<1x8x8x3xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x16xf32>
  return %0 : tensor<1x4x4x16xf32>
}

// -----

// The [KH, KW, C, M] filter becomes OHWI [C·M, KH, KW, 1], output channel
// c·M + m; the one-element bias is broadcast.
// CHECK-LABEL: func @depthwise
// CHECK: mote.constant dense<{{\[}}[{{\[}}[1.000000e+00]]], {{\[}}[{{\[}}2.000000e+00]]], {{\[}}[{{\[}}3.000000e+00]]], {{\[}}[{{\[}}4.000000e+00]]]]> : tensor<4x1x1x1xf32>
// CHECK: mote.constant dense<0.000000e+00> : tensor<4xf32>
// CHECK: mote.conv2d {{.*}}groups = 2 : i64{{.*}} -> tensor<1x4x4x4xf32>
func.func @depthwise(%arg0: tensor<1x4x4x2xf32>) -> tensor<1x4x4x4xf32> {
  %w = "tosa.const"() <{values = dense<[[[[1.0, 2.0], [3.0, 4.0]]]]> : tensor<1x1x2x2xf32>}> : () -> tensor<1x1x2x2xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %0 = tosa.depthwise_conv2d %arg0, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<1x1x2x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// CHECK-LABEL: func @matmul
// CHECK: mote.matmul %arg0, %arg1 : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
func.func @matmul(%a: tensor<2x3x4xf32>, %b: tensor<2x4x5xf32>) -> tensor<2x3x5xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %0 = tosa.matmul %a, %b, %zp, %zp : (tensor<2x3x4xf32>, tensor<2x4x5xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// -----

// CHECK-LABEL: func @elementwise
// CHECK-DAG: %[[ONE:.*]] = mote.constant dense<1.000000e+00> : tensor<1x1xf32>
// CHECK-DAG: %[[M1:.*]] = mote.constant dense<-1.000000e+00> : tensor<1x1xf32>
// CHECK: mote.add %arg0, %arg1
// CHECK: mote.sub
// CHECK: mote.mul
// CHECK: mote.maximum
// CHECK: mote.minimum
// CHECK: mote.clamp %{{.*}} {max = 6.000000e+00 : f32, min = 0.000000e+00 : f32}
// CHECK: mote.sigmoid
// CHECK: mote.tanh
// CHECK: mote.exp
// CHECK: mote.mul %{{.*}}, %[[M1]]
// CHECK: mote.div %[[ONE]], %{{.*}}
// CHECK-NOT: tosa.
// CHECK: return
func.func @elementwise(%a: tensor<2x8xf32>, %b: tensor<1x8xf32>) -> tensor<2x8xf32> {
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %0 = tosa.add %a, %b : (tensor<2x8xf32>, tensor<1x8xf32>) -> tensor<2x8xf32>
  %1 = tosa.sub %0, %b : (tensor<2x8xf32>, tensor<1x8xf32>) -> tensor<2x8xf32>
  %2 = tosa.mul %1, %a, %shift : (tensor<2x8xf32>, tensor<2x8xf32>, tensor<1xi8>) -> tensor<2x8xf32>
  %3 = tosa.maximum %2, %a : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %4 = tosa.minimum %3, %a : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %5 = tosa.clamp %4 {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<2x8xf32>) -> tensor<2x8xf32>
  %6 = tosa.sigmoid %5 : (tensor<2x8xf32>) -> tensor<2x8xf32>
  %7 = tosa.tanh %6 : (tensor<2x8xf32>) -> tensor<2x8xf32>
  %8 = tosa.exp %7 : (tensor<2x8xf32>) -> tensor<2x8xf32>
  %9 = tosa.negate %8, %zp, %zp : (tensor<2x8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<2x8xf32>
  %10 = tosa.reciprocal %9 : (tensor<2x8xf32>) -> tensor<2x8xf32>
  %11 = tosa.cast %10 : (tensor<2x8xf32>) -> tensor<2x8xf32>
  return %11 : tensor<2x8xf32>
}

// -----

// CHECK-LABEL: func @pooling
// CHECK: mote.max_pool2d %arg0 {kernel = array<i64: 3, 3>, pad = array<i64: 1, 0, 1, 0>, strides = array<i64: 2, 2>} : (tensor<1x8x8x4xf32>) -> tensor<1x4x4x4xf32>
// CHECK: mote.avg_pool2d %{{.*}} {kernel = array<i64: 4, 4>, pad = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x4x4xf32>) -> tensor<1x1x1x4xf32>
func.func @pooling(%x: tensor<1x8x8x4xf32>) -> tensor<1x1x1x4xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %0 = tosa.max_pool2d %x {kernel = array<i64: 3, 3>, pad = array<i64: 1, 0, 1, 0>, stride = array<i64: 2, 2>} : (tensor<1x8x8x4xf32>) -> tensor<1x4x4x4xf32>
  %1 = tosa.avg_pool2d %0, %zp, %zp {acc_type = f32, kernel = array<i64: 4, 4>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x4xf32>
  return %1 : tensor<1x1x1x4xf32>
}

// -----

// CHECK-LABEL: func @data_movement
// CHECK: mote.concat %arg0, %arg0 {axis = 1 : i64} : (tensor<1x2x3xf32>, tensor<1x2x3xf32>) -> tensor<1x4x3xf32>
// CHECK: mote.reshape %{{.*}} : (tensor<1x4x3xf32>) -> tensor<4x3xf32>
// CHECK: mote.transpose %{{.*}} {perms = array<i64: 1, 0>} : (tensor<4x3xf32>) -> tensor<3x4xf32>
// CHECK: mote.pad %{{.*}} {pads = array<i64: 0, 1, 2, 0>, value = 1.500000e+00 : f32} : (tensor<3x4xf32>) -> tensor<4x6xf32>
func.func @data_movement(%x: tensor<1x2x3xf32>) -> tensor<4x6xf32> {
  %0 = tosa.concat %x, %x {axis = 1 : i32} : (tensor<1x2x3xf32>, tensor<1x2x3xf32>) -> tensor<1x4x3xf32>
  %s = tosa.const_shape {values = dense<[4, 3]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %1 = tosa.reshape %0, %s : (tensor<1x4x3xf32>, !tosa.shape<2>) -> tensor<4x3xf32>
  %2 = tosa.transpose %1 {perms = array<i32: 1, 0>} : (tensor<4x3xf32>) -> tensor<3x4xf32>
  %p = tosa.const_shape {values = dense<[0, 1, 2, 0]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %c = "tosa.const"() <{values = dense<1.5> : tensor<1xf32>}> : () -> tensor<1xf32>
  %3 = tosa.pad %2, %p, %c : (tensor<3x4xf32>, !tosa.shape<4>, tensor<1xf32>) -> tensor<4x6xf32>
  return %3 : tensor<4x6xf32>
}

// -----

// torch-mlir's inference batch norm on a bare tensor: the constant
// sub/add/rsqrt subgraph folds to per-channel constants.
// CHECK-LABEL: func @bn
// CHECK-DAG: %[[SCALE:.*]] = mote.constant dense<{{\[}}[{{\[}}[5.000000e-01, 2.500000e-01]]]]> : tensor<1x1x1x2xf32>
// CHECK-DAG: %[[MEAN:.*]] = mote.constant dense<{{\[}}[{{\[}}[1.000000e+00, 2.000000e+00]]]]> : tensor<1x1x1x2xf32>
// CHECK: %[[SUB:.*]] = mote.sub %arg0, %[[MEAN]]
// CHECK: mote.mul %[[SUB]], %[[SCALE]]
// CHECK-NOT: rsqrt
func.func @bn(%arg0: tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32> {
  %mean = "tosa.const"() <{values = dense<[1.0, 2.0]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %var = "tosa.const"() <{values = dense<[4.0, 16.0]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %eps = "tosa.const"() <{values = dense<0.0> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %s = tosa.const_shape {values = dense<[1, 1, 1, 2]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %m = tosa.reshape %mean, %s : (tensor<2xf32>, !tosa.shape<4>) -> tensor<1x1x1x2xf32>
  %v = tosa.reshape %var, %s : (tensor<2xf32>, !tosa.shape<4>) -> tensor<1x1x1x2xf32>
  %0 = tosa.sub %arg0, %m : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>) -> tensor<1x4x4x2xf32>
  %1 = tosa.add %v, %eps : (tensor<1x1x1x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x1x2xf32>
  %2 = tosa.rsqrt %1 : (tensor<1x1x1x2xf32>) -> tensor<1x1x1x2xf32>
  %sh = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %3 = tosa.mul %0, %2, %sh : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>, tensor<1xi8>) -> tensor<1x4x4x2xf32>
  %4 = tosa.clamp %3 {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  return %4 : tensor<1x4x4x2xf32>
}

// -----

// A small CNN as torch-mlir emits it: NCHW between layers, transposes
// around the NHWC convolution, batch norm and ReLU in NCHW. The elementwise
// ops sink in front of the output transpose, the weight transpose folds,
// and --mote-fold-batchnorm then leaves a single convolution.
// CHECK-LABEL: func @torch_cnn
// CHECK: %[[W:.*]] = mote.constant dense_resource<{{.*}}> : tensor<4x3x3x3xf32>
// CHECK: %[[X:.*]] = mote.transpose %arg0 {perms = array<i64: 0, 2, 3, 1>}
// CHECK: %[[C:.*]] = mote.conv2d %[[X]], %[[W]]
// CHECK: mote.sub %[[C]]
// CHECK: mote.mul
// CHECK: mote.mul
// CHECK: mote.add
// CHECK: mote.clamp
// CHECK: mote.transpose %{{.*}} {perms = array<i64: 0, 3, 1, 2>}

// FOLD-LABEL: func @torch_cnn
// FOLD: %[[B:.*]] = mote.constant dense<[0.400000513, 0.30000025, 0.200000167, 0.100000083]> : tensor<4xf32>
// FOLD: %[[W:.*]] = mote.constant dense_resource
// FOLD: %[[X:.*]] = mote.transpose %arg0
// FOLD-NEXT: %[[C:.*]] = mote.conv2d %[[X]], %[[W]], %[[B]]
// FOLD-NEXT: mote.clamp %[[C]]
// FOLD-NEXT: mote.transpose
// FOLD-NEXT: return
func.func @torch_cnn(%arg0: tensor<1x3x8x8xf32>) -> tensor<1x4x8x8xf32> {
  %w = "tosa.const"() <{values = dense<0.1> : tensor<4x3x3x3xf32>}> : () -> tensor<4x3x3x3xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<4xf32>}> : () -> tensor<4xf32>
  %mean = "tosa.const"() <{values = dense<[0.1, 0.2, 0.3, 0.4]> : tensor<4xf32>}> : () -> tensor<4xf32>
  %var = "tosa.const"() <{values = dense<[1.0, 4.0, 9.0, 16.0]> : tensor<4xf32>}> : () -> tensor<4xf32>
  %gamma = "tosa.const"() <{values = dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>}> : () -> tensor<4xf32>
  %beta = "tosa.const"() <{values = dense<[0.5, 0.5, 0.5, 0.5]> : tensor<4xf32>}> : () -> tensor<4xf32>
  %eps = "tosa.const"() <{values = dense<9.99999974E-6> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.transpose %arg0 {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x3x8x8xf32>) -> tensor<1x8x8x3xf32>
  %1 = tosa.transpose %w {perms = array<i32: 0, 2, 3, 1>} : (tensor<4x3x3x3xf32>) -> tensor<4x3x3x3xf32>
  %2 = tosa.conv2d %0, %1, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x8x8x3xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x8x8x4xf32>
  %3 = tosa.transpose %2 {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x8x8x4xf32>) -> tensor<1x4x8x8xf32>
  %s = tosa.const_shape {values = dense<[1, 4, 1, 1]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %m = tosa.reshape %mean, %s : (tensor<4xf32>, !tosa.shape<4>) -> tensor<1x4x1x1xf32>
  %v = tosa.reshape %var, %s : (tensor<4xf32>, !tosa.shape<4>) -> tensor<1x4x1x1xf32>
  %g = tosa.reshape %gamma, %s : (tensor<4xf32>, !tosa.shape<4>) -> tensor<1x4x1x1xf32>
  %be = tosa.reshape %beta, %s : (tensor<4xf32>, !tosa.shape<4>) -> tensor<1x4x1x1xf32>
  %4 = tosa.sub %3, %m : (tensor<1x4x8x8xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x8x8xf32>
  %5 = tosa.add %v, %eps : (tensor<1x4x1x1xf32>, tensor<1x1x1x1xf32>) -> tensor<1x4x1x1xf32>
  %6 = tosa.rsqrt %5 : (tensor<1x4x1x1xf32>) -> tensor<1x4x1x1xf32>
  %7 = tosa.mul %4, %6, %shift : (tensor<1x4x8x8xf32>, tensor<1x4x1x1xf32>, tensor<1xi8>) -> tensor<1x4x8x8xf32>
  %8 = tosa.mul %7, %g, %shift : (tensor<1x4x8x8xf32>, tensor<1x4x1x1xf32>, tensor<1xi8>) -> tensor<1x4x8x8xf32>
  %9 = tosa.add %8, %be : (tensor<1x4x8x8xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x8x8xf32>
  %10 = tosa.clamp %9 {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return %10 : tensor<1x4x8x8xf32>
}
