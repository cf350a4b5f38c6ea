// RUN: mote-opt %s -split-input-file --mote-bitwidth-lowering 2>/dev/null | FileCheck %s
// RUN: mote-opt %s -split-input-file --mote-bitwidth-lowering 2>&1 >/dev/null | FileCheck %s --check-prefix=REPORT
// RUN: mote-opt %s -split-input-file --mote-bitwidth-lowering="digit-bits=2" 2>/dev/null | FileCheck %s --check-prefix=D2
// RUN: mote-opt %s -split-input-file --mote-bitwidth-lowering="digit-bits=8" 2>/dev/null | FileCheck %s --check-prefix=D8
// RUN: mote-opt %s -split-input-file --mote-bitwidth-lowering="multiplier-bits=16" 2>&1 | FileCheck %s --check-prefix=M16
// Idempotent: a second run finds only native products and rescales.
// RUN: mote-opt %s -split-input-file --mote-bitwidth-lowering --mote-bitwidth-lowering 2>/dev/null | FileCheck %s

// int8 x int8 at d=4: x ∈ [-128, 127] → digits (i4 top, u4 low); weights
// 100 = 16·6 + 4, -77 = 16·(-5) + 3 → planes (i4, u4): 4 products, each
// shifted by 2^(4(i+j)) and summed; bias and the original requantization in
// one depthwise 1×1 rescale.
// CHECK-LABEL: func.func @fc_i8
// CHECK-DAG: %[[X0:.*]] = mote.digit %arg0 {bits = 4 : i64, index = 0 : i64} : {{.*}} -> tensor<3x2x!quant.uniform<u4:f32, 5.000000e-01>>
// CHECK-DAG: %[[X1:.*]] = mote.digit %arg0 {bits = 4 : i64, index = 1 : i64} : {{.*}} -> tensor<3x2x!quant.uniform<i4:f32, 5.000000e-01>>
// CHECK-DAG: %[[W0:.*]] = mote.constant dense<{{\[\[}}4, 3]]> : tensor<1x2xi4> -> tensor<1x2x!quant.uniform<u4:f32, 1.000000e+00>>
// CHECK-DAG: %[[W1:.*]] = mote.constant dense<{{\[\[}}6, -5]]> : tensor<1x2xi4> -> tensor<1x2x!quant.uniform<i4:f32, 1.000000e+00>>
// CHECK: %[[P11:.*]] = mote.fully_connected %[[X1]], %[[W1]] {mote.acc_bits = 16 : i64, mote.acc_bound = array<i64: -83, 82>, mote.digits = array<i64: 1, 1>} : {{.*}} -> tensor<3x1x!quant.uniform<i32:f32, 5.000000e-01>>
// CHECK: %[[S256:.*]] = mote.constant dense<256> : tensor<1x1xi32>
// CHECK: %[[M11:.*]] = mote.mul %[[P11]], %[[S256]]
// CHECK: %[[P01:.*]] = mote.fully_connected %[[X0]], %[[W1]] {{.*}}mote.digits = array<i64: 0, 1>
// CHECK: %[[S16:.*]] = mote.constant dense<16> : tensor<1x1xi32>
// CHECK: %[[M01:.*]] = mote.mul %[[P01]], %[[S16]]
// CHECK: %[[A1:.*]] = mote.add %[[M11]], %[[M01]]
// CHECK: %[[P10:.*]] = mote.fully_connected %[[X1]], %[[W0]] {{.*}}mote.digits = array<i64: 1, 0>
// CHECK: mote.mul %[[P10]]
// CHECK: mote.add %[[A1]]
// CHECK: %[[P00:.*]] = mote.fully_connected %[[X0]], %[[W0]] {mote.acc_bits = 16 : i64, mote.acc_bound = array<i64: 0, 105>, mote.digits = array<i64: 0, 0>}
// CHECK: %[[SUM:.*]] = mote.add %{{.*}}, %[[P00]]
// CHECK: %[[R:.*]] = mote.reshape %[[SUM]] {{.*}} -> tensor<3x1x1x1x!quant.uniform<i32:f32, 5.000000e-01>>
// CHECK: %[[U:.*]] = mote.constant dense<1> : tensor<1x1x1x1xi2> -> tensor<1x1x1x1x!quant.uniform<i2<-1:1>:f32:0, {2.500000e-01}>>
// CHECK: %[[C:.*]] = mote.conv2d %[[R]], %[[U]], %{{.*}} {{{.*}}mote.rescale{{.*}}} : {{.*}} -> tensor<3x1x1x1x!quant.uniform<i8:f32, 2.000000e+00:3>>
// CHECK: %[[O:.*]] = mote.reshape %[[C]] {{.*}} -> tensor<3x1x!quant.uniform<i8:f32, 2.000000e+00:3>>
// CHECK: return %[[O]]
// REPORT: bitwidth-lowering: '#0' fully_connected d=4 x[-128,127]->2x(i4,u4) w[-77,100]->2x(i4,u4) products=4 acc=[-22579,22556] (16 bits) i16-products=4/4
// D2-LABEL: func.func @fc_i8
// D2-COUNT-4: mote.digit
// D2-COUNT-16: mote.fully_connected {{.*}}mote.digits
// D2: mote.conv2d {{.*}}mote.rescale
// D8-LABEL: func.func @fc_i8
// D8-NOT: mote.digit
// D8: mote.fully_connected %arg0, %{{.*}}, %{{.*}} {mote.acc_bits = 16 : i64, mote.acc_bound = array<i64: -22579, 22556>}
// D8-NOT: mote.rescale
// M16: bitwidth-lowering: '#0' fully_connected d=4 {{.*}} multiplier-bits=16 max-error<=0 LSB
// M16-LABEL: func.func @fc_i8
// M16: mote.conv2d {{.*}}mote.multiplier = array<i32: 32768>, mote.rescale, mote.shift = array<i32: 19>
func.func @fc_i8(%x: tensor<3x2x!quant.uniform<i8:f32, 5.000000e-01>>) -> tensor<3x1x!quant.uniform<i8:f32, 2.000000e+00:3>> {
  %w = mote.constant dense<[[100, -77]]> : tensor<1x2xi8> -> tensor<1x2x!quant.uniform<i8<-127:127>:f32:0, {2.500000e-01}>>
  %b = mote.constant dense<5> : tensor<1xi32> -> tensor<1x!quant.uniform<i32:f32:0, {1.250000e-01}>>
  %y = mote.fully_connected %x, %w, %b : (tensor<3x2x!quant.uniform<i8:f32, 5.000000e-01>>, tensor<1x2x!quant.uniform<i8<-127:127>:f32:0, {2.500000e-01}>>, tensor<1x!quant.uniform<i32:f32:0, {1.250000e-01}>>) -> tensor<3x1x!quant.uniform<i8:f32, 2.000000e+00:3>>
  return %y : tensor<3x1x!quant.uniform<i8:f32, 2.000000e+00:3>>
}

// -----

// int4 x int4 at d=4: native, one product, unchanged but annotated.
// CHECK-LABEL: func.func @fc_i4
// CHECK-NOT: mote.digit
// CHECK: mote.fully_connected %arg0, %{{.*}} {mote.acc_bits = 16 : i64, mote.acc_bound = array<i64: -105, 105>}
// CHECK-NOT: mote.rescale
// REPORT: bitwidth-lowering: '#0' fully_connected d=4 native (1 product) acc=[-105,105] (8 bits) acc_bits=16
// D2-LABEL: func.func @fc_i4
// D2-COUNT-2: mote.digit
// D2-COUNT-4: mote.fully_connected {{.*}}mote.digits
func.func @fc_i4(%x: tensor<3x2x!quant.uniform<i4:f32, 5.000000e-01>>) -> tensor<3x1x!quant.uniform<i8:f32, 2.000000e+00:3>> {
  %w = mote.constant dense<[[7, -7]]> : tensor<1x2xi4> -> tensor<1x2x!quant.uniform<i4<-7:7>:f32:0, {2.500000e-01}>>
  %y = mote.fully_connected %x, %w : (tensor<3x2x!quant.uniform<i4:f32, 5.000000e-01>>, tensor<1x2x!quant.uniform<i4<-7:7>:f32:0, {2.500000e-01}>>) -> tensor<3x1x!quant.uniform<i8:f32, 2.000000e+00:3>>
  return %y : tensor<3x1x!quant.uniform<i8:f32, 2.000000e+00:3>>
}

// -----

// u8 activations (after ReLU, zp 0): x ∈ [0, 255] → both digits unsigned.
// The 18-bit layer needs an i32 accumulator; each digit product fits i16.
// CHECK-LABEL: func.func @conv_u8
// CHECK: mote.digit %arg0 {bits = 4 : i64, index = 0 : i64} : {{.*}} -> tensor<1x4x4x2x!quant.uniform<u4:f32, 2.000000e-02>>
// CHECK: mote.digit %arg0 {bits = 4 : i64, index = 1 : i64} : {{.*}} -> tensor<1x4x4x2x!quant.uniform<u4:f32, 2.000000e-02>>
// CHECK-COUNT-4: mote.conv2d {{.*}}mote.acc_bits = 16 : i64
// CHECK: mote.conv2d {{.*}}groups = 3 : i64, mote.rescale{{.*}} -> tensor<1x2x2x3x!quant.uniform<u8:f32, 5.000000e-02>>
// REPORT: bitwidth-lowering: '#0' conv2d d=4 x[0,255]->2x(u4,u4) w[-127,127]->2x(i4,u4) products=4 acc=[-89250,84150] (18 bits) i16-products=4/4
// D8-LABEL: func.func @conv_u8
// D8: mote.conv2d %arg0, %{{.*}} {dilations = array<i64: 1, 1>, mote.acc_bits = 32 : i64, mote.acc_bound = array<i64: -89250, 84150>
func.func @conv_u8(%x: tensor<1x4x4x2x!quant.uniform<u8:f32, 2.000000e-02>>) -> tensor<1x2x2x3x!quant.uniform<u8:f32, 5.000000e-02>> {
  %w = mote.constant dense<[[[[127, -127], [1, 2], [3, 4]], [[5, 6], [7, 8], [9, 10]], [[-11, 12], [13, 14], [15, 16]]], [[[1, 1], [1, 1], [1, 1]], [[1, 1], [1, 1], [1, 1]], [[1, 1], [1, 1], [1, 1]]], [[[-50, 60], [70, -80], [90, -100]], [[110, -120], [0, 0], [0, 0]], [[0, 0], [0, 0], [0, 0]]]]> : tensor<3x3x3x2xi8> -> tensor<3x3x3x2x!quant.uniform<i8<-127:127>:f32:0, {1.000000e-02,2.000000e-02,3.000000e-02}>>
  %y = mote.conv2d %x, %w {dilations = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x4x2x!quant.uniform<u8:f32, 2.000000e-02>>, tensor<3x3x3x2x!quant.uniform<i8<-127:127>:f32:0, {1.000000e-02,2.000000e-02,3.000000e-02}>>) -> tensor<1x2x2x3x!quant.uniform<u8:f32, 5.000000e-02>>
  return %y : tensor<1x2x2x3x!quant.uniform<u8:f32, 5.000000e-02>>
}



// -----

// Asymmetric i8 (zp -3): x − zp ∈ [-125, 130] needs 9 bits → 3 digits at
// d=4 and 2 at d=8 (zero points never reach the multiplier).
// CHECK-LABEL: func.func @matmul_zp
// CHECK: mote.digit %arg0 {bits = 4 : i64, index = 2 : i64} : {{.*}} -> tensor<2x2x!quant.uniform<i4:f32, 5.000000e-01>>
// CHECK-COUNT-6: mote.matmul {{.*}}mote.digits
// CHECK: mote.conv2d {{.*}}mote.rescale
// REPORT: bitwidth-lowering: '#0' matmul d=4 x[-125,130]->3x(i4,u4,u4) w[-100,64]->2x(i4,u4) products=6
// D8-LABEL: func.func @matmul_zp
// D8-COUNT-2: mote.digit
// D8-COUNT-2: mote.matmul {{.*}}mote.digits
func.func @matmul_zp(%x: tensor<2x2x!quant.uniform<i8:f32, 5.000000e-01:-3>>) -> tensor<2x2x!quant.uniform<i8:f32, 4.000000e+00>> {
  %w = mote.constant dense<[[20, -3], [-100, 64]]> : tensor<2x2xi8> -> tensor<2x2x!quant.uniform<i8<-127:127>:f32:1, {2.500000e-01,1.250000e-01}>>
  %y = mote.matmul %x, %w : (tensor<2x2x!quant.uniform<i8:f32, 5.000000e-01:-3>>, tensor<2x2x!quant.uniform<i8<-127:127>:f32:1, {2.500000e-01,1.250000e-01}>>) -> tensor<2x2x!quant.uniform<i8:f32, 4.000000e+00>>
  return %y : tensor<2x2x!quant.uniform<i8:f32, 4.000000e+00>>
}
// M16: bitwidth-lowering: '#0' conv2d d=4 {{.*}} multiplier-bits=16 max-error<=1 LSB
// M16-LABEL: func.func @conv_u8
// M16: mote.conv2d {{.*}}mote.multiplier = array<i32: 33554, 33554, 50332>, mote.rescale, mote.shift = array<i32: 23, 22, 22>
