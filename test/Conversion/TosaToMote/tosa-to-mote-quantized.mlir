// RUN: mote-opt %s --split-input-file --tosa-to-mote --verify-diagnostics | FileCheck %s

// Integer TOSA. (a) TFLite→TOSA keeps !quant.uniform types; (b) torch-mlir
// and hand-written TOSA use plain iN tensors with zero points as operands:
// graph inputs get scale 1.0 and their zero point, weights 1.0 (or the
// per-channel rescale's ratios m_o / m_0), accumulators s_x·s_w, and each
// rescale's output s_in / (M·2^−S), so that mote recomputes exactly the
// same multipliers. Scales below are therefore exact ratios, e.g.
// 181.019... = 2^38 / 1518500250.

// (b) plain int8 conv + per-channel rescale + clamp (torch-mlir style).
// CHECK-LABEL: func @plain_conv
// CHECK-SAME: %arg0: tensor<1x4x4x3x!quant.uniform<i8:f32, 1.000000e+00:-128>> {mote.tosa_type = tensor<1x4x4x3xi8>}
// CHECK-SAME: -> (tensor<1x4x4x2x!quant.uniform<i8:f32, 181.01933598232861:5>> {mote.tosa_type = tensor<1x4x4x2xi8>})
// CHECK: %[[W:.*]] = mote.constant dense<{{\[}}[{{\[}}[1, 2, 3]]], {{\[}}[{{\[}}-4, 5, -6]]]]> : tensor<2x1x1x3xi8> -> tensor<2x1x1x3x!quant.uniform<i8:f32:0, {1.000000e+00,1.4142135623619423}>>
// CHECK: %[[B:.*]] = mote.constant dense<[100, -200]> : tensor<2xi32> -> tensor<2x!quant.uniform<i32:f32:0, {1.000000e+00,1.4142135623619423}>>
// CHECK: %[[ACC:.*]] = mote.conv2d %arg0, %[[W]], %[[B]] {{.*}} -> tensor<1x4x4x2x!quant.uniform<i32:f32:3, {1.000000e+00,1.4142135623619423}>>
// CHECK: %[[Y:.*]] = mote.requant %[[ACC]] : {{.*}} -> tensor<1x4x4x2x!quant.uniform<i8:f32, 181.01933598232861:5>>
// CHECK: mote.clamp %[[Y]] {max = 22084.3594 : f32, min = 0.000000e+00 : f32}
// CHECK-NOT: tosa.
func.func @plain_conv(%arg0: tensor<1x4x4x3xi8>) -> tensor<1x4x4x2xi8> {
  %w = "tosa.const"() <{values = dense<[[[[1, 2, 3]]], [[[-4, 5, -6]]]]> : tensor<2x1x1x3xi8>}> : () -> tensor<2x1x1x3xi8>
  %b = "tosa.const"() <{values = dense<[100, -200]> : tensor<2xi32>}> : () -> tensor<2xi32>
  %izp = "tosa.const"() <{values = dense<-128> : tensor<1xi8>}> : () -> tensor<1xi8>
  %wzp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.conv2d %arg0, %w, %b, %izp, %wzp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x3xi8>, tensor<2x1x1x3xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x2xi32>
  %m = "tosa.const"() <{values = dense<[1518500250, 1073741824]> : tensor<2xi32>}> : () -> tensor<2xi32>
  %s = "tosa.const"() <{values = dense<[38, 37]> : tensor<2xi8>}> : () -> tensor<2xi8>
  %rzp = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
  %ozp = "tosa.const"() <{values = dense<5> : tensor<1xi8>}> : () -> tensor<1xi8>
  %1 = tosa.rescale %0, %m, %s, %rzp, %ozp {rounding_mode = SINGLE_ROUND, scale32 = true, per_channel = true, input_unsigned = false, output_unsigned = false} : (tensor<1x4x4x2xi32>, tensor<2xi32>, tensor<2xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x4x4x2xi8>
  %2 = tosa.clamp %1 {min_val = 5 : i8, max_val = 127 : i8} : (tensor<1x4x4x2xi8>) -> tensor<1x4x4x2xi8>
  return %2 : tensor<1x4x4x2xi8>
}

// -----

// (a) TFLite style: quantized types are kept; DOUBLE_ROUND with shifts
// <= 31 is exactly single rounding, so no warning. The declared output
// scale reproduces the multipliers and is kept.
!qx = !quant.uniform<i8:f32, 0.5:-1>
!qw = !quant.uniform<i8<-127:127>:f32:0, {0.25, 0.125}>
!qy = !quant.uniform<i8:f32, 0.0625:-128>
// CHECK-LABEL: func @tflite_conv
// CHECK: mote.constant {{.*}} -> tensor<2x1x1x3x!quant.uniform<i8:f32:0, {2.500000e-01,1.250000e-01}>>
// CHECK: mote.constant dense<[10, -20]> : tensor<2xi32> -> tensor<2x!quant.uniform<i32:f32:0, {1.250000e-01,6.250000e-02}>>
// CHECK: mote.conv2d {{.*}} -> tensor<1x4x4x2x!quant.uniform<i32:f32:3, {1.250000e-01,6.250000e-02}>>
// CHECK: mote.requant {{.*}} -> tensor<1x4x4x2x!quant.uniform<i8:f32, 6.250000e-02:-128>>
// CHECK: mote.clamp %{{.*}} {max = 1.593750e+01 : f32, min = 0.000000e+00 : f32}
func.func @tflite_conv(%arg0: tensor<1x4x4x3x!qx>) -> tensor<1x4x4x2x!qy> {
  %w = "tosa.const"() <{values = dense<[[[[1, 2, 3]]], [[[-4, 5, -6]]]]> : tensor<2x1x1x3xi8>}> : () -> tensor<2x1x1x3x!qw>
  %b = "tosa.const"() <{values = dense<[10, -20]> : tensor<2xi32>}> : () -> tensor<2xi32>
  %izp = "tosa.const"() <{values = dense<-1> : tensor<1xi8>}> : () -> tensor<1xi8>
  %wzp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.conv2d %arg0, %w, %b, %izp, %wzp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x3x!qx>, tensor<2x1x1x3x!qw>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x2xi32>
  %m = "tosa.const"() <{values = dense<[1073741824, 1073741824]> : tensor<2xi32>}> : () -> tensor<2xi32>
  %s = "tosa.const"() <{values = dense<[29, 30]> : tensor<2xi8>}> : () -> tensor<2xi8>
  %rzp = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
  %ozp = "tosa.const"() <{values = dense<-128> : tensor<1xi8>}> : () -> tensor<1xi8>
  %1 = tosa.rescale %0, %m, %s, %rzp, %ozp {rounding_mode = DOUBLE_ROUND, scale32 = true, per_channel = true, input_unsigned = false, output_unsigned = false} : (tensor<1x4x4x2xi32>, tensor<2xi32>, tensor<2xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x4x4x2x!qy>
  %2 = tosa.clamp %1 {min_val = -128 : i8, max_val = 127 : i8} : (tensor<1x4x4x2x!qy>) -> tensor<1x4x4x2x!qy>
  return %2 : tensor<1x4x4x2x!qy>
}

// -----

// DOUBLE_ROUND with a shift above 31: converted with a warning.
// CHECK-LABEL: func @double_round
// CHECK: mote.requant %arg0 : (tensor<1x4x!quant.uniform<i32:f32, 1.000000e+00>>) -> tensor<1x4x!quant.uniform<i8:f32, 0x41F0000000000000>>
func.func @double_round(%arg0: tensor<1x4xi32>) -> tensor<1x4xi8> {
  %m = "tosa.const"() <{values = dense<1073741824> : tensor<1xi32>}> : () -> tensor<1xi32>
  %s = "tosa.const"() <{values = dense<62> : tensor<1xi8>}> : () -> tensor<1xi8>
  %zp32 = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
  %zp8 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  // expected-warning @+1 {{DOUBLE_ROUND rounding with a shift above 31 is converted to mote's single rounding; results may differ by one LSB}}
  %0 = tosa.rescale %arg0, %m, %s, %zp32, %zp8 {rounding_mode = DOUBLE_ROUND, scale32 = true, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x4xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x4xi8>
  return %0 : tensor<1x4xi8>
}

// -----

// Add with rescales to a common i32 scale (the TOSA form of a quantized
// residual add). The second input's scale is chosen so that both rescales
// land exactly on one scale (2^-19), which mote's add then combines exactly.
// CHECK-LABEL: func @add_rescale
// CHECK-SAME: %arg0: tensor<1x4x!quant.uniform<i8:f32, 1.000000e+00:3>>
// CHECK-SAME: %arg1: tensor<1x4x!quant.uniform<i8:f32, 0.66666666651144624:-2>>
// CHECK: %[[A:.*]] = mote.requant %arg0 {{.*}} -> tensor<1x4x!quant.uniform<i32:f32, 1.9073486328125E-6>>
// CHECK: %[[B:.*]] = mote.requant %arg1 {{.*}} -> tensor<1x4x!quant.uniform<i32:f32, 1.9073486328125E-6>>
// CHECK: %[[S:.*]] = mote.add %[[A]], %[[B]] {{.*}} -> tensor<1x4x!quant.uniform<i32:f32, 1.9073486328125E-6>>
// CHECK: mote.requant %[[S]] {{.*}} -> tensor<1x4x!quant.uniform<i8:f32, 1.1999999997764825:1>>
func.func @add_rescale(%a: tensor<1x4xi8>, %b: tensor<1x4xi8>) -> tensor<1x4xi8> {
  %azp = "tosa.const"() <{values = dense<3> : tensor<1xi8>}> : () -> tensor<1xi8>
  %bzp = "tosa.const"() <{values = dense<-2> : tensor<1xi8>}> : () -> tensor<1xi8>
  %z32 = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
  %ozp = "tosa.const"() <{values = dense<1> : tensor<1xi8>}> : () -> tensor<1xi8>
  %ma = "tosa.const"() <{values = dense<1073741824> : tensor<1xi32>}> : () -> tensor<1xi32>
  %sa = "tosa.const"() <{values = dense<11> : tensor<1xi8>}> : () -> tensor<1xi8>
  %mb = "tosa.const"() <{values = dense<1431655765> : tensor<1xi32>}> : () -> tensor<1xi32>
  %sb = "tosa.const"() <{values = dense<12> : tensor<1xi8>}> : () -> tensor<1xi8>
  %mo = "tosa.const"() <{values = dense<1789569707> : tensor<1xi32>}> : () -> tensor<1xi32>
  %so = "tosa.const"() <{values = dense<50> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.rescale %a, %ma, %sa, %azp, %z32 {rounding_mode = SINGLE_ROUND, scale32 = true, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x4xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x4xi32>
  %1 = tosa.rescale %b, %mb, %sb, %bzp, %z32 {rounding_mode = SINGLE_ROUND, scale32 = true, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x4xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x4xi32>
  %2 = tosa.add %0, %1 : (tensor<1x4xi32>, tensor<1x4xi32>) -> tensor<1x4xi32>
  %3 = tosa.rescale %2, %mo, %so, %z32, %ozp {rounding_mode = SINGLE_ROUND, scale32 = true, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x4xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x4xi8>
  return %3 : tensor<1x4xi8>
}

// -----

// Average pooling keeps the input scale and takes the output zero point;
// tosa.table becomes mote.lut with the same 256 entries.
// CHECK-LABEL: func @avgpool_table
// CHECK: %[[P:.*]] = mote.avg_pool2d %arg0 {{.*}} : (tensor<1x4x4x2x!quant.uniform<i8:f32, 1.000000e+00:-5>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 1.000000e+00:7>>
// CHECK: mote.lut %[[P]], dense_resource<{{.*}}> : tensor<256xi8> : {{.*}} -> tensor<1x2x2x2x!quant.uniform<i8:f32, 1.000000e+00>>
func.func @avgpool_table(%arg0: tensor<1x4x4x2xi8>) -> tensor<1x2x2x2xi8> {
  %izp = "tosa.const"() <{values = dense<-5> : tensor<1xi8>}> : () -> tensor<1xi8>
  %ozp = "tosa.const"() <{values = dense<7> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.avg_pool2d %arg0, %izp, %ozp {acc_type = i32, kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x4x4x2xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x2x2xi8>
  %t = "tosa.const"() <{values = dense<3> : tensor<256xi8>}> : () -> tensor<256xi8>
  %1 = tosa.table %0, %t : (tensor<1x2x2x2xi8>, tensor<256xi8>) -> tensor<1x2x2x2xi8>
  return %1 : tensor<1x2x2x2xi8>
}

// -----

// Integer depthwise: [1, 1, 2, 1] weights become OHWI [2, 1, 1, 1], groups 2.
// CHECK-LABEL: func @depthwise_int
// CHECK: mote.constant dense<{{\[}}[{{\[}}[1]]], {{\[}}[{{\[}}2]]]]> : tensor<2x1x1x1xi8> -> tensor<2x1x1x1x!quant.uniform<i8:f32, 1.000000e+00>>
// CHECK: mote.conv2d {{.*}}groups = 2 : i64{{.*}} -> tensor<1x4x4x2x!quant.uniform<i32:f32, 1.000000e+00>>
func.func @depthwise_int(%arg0: tensor<1x4x4x2xi8>) -> tensor<1x4x4x2xi32> {
  %w = "tosa.const"() <{values = dense<[[[[1], [2]]]]> : tensor<1x1x2x1xi8>}> : () -> tensor<1x1x2x1xi8>
  %b = "tosa.const"() <{values = dense<0> : tensor<2xi32>}> : () -> tensor<2xi32>
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.depthwise_conv2d %arg0, %w, %b, %zp, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<1x1x2x1xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x2xi32>
  return %0 : tensor<1x4x4x2xi32>
}

// -----

// Integer matmul with a constant right-hand side and a zero point on the
// left; the accumulator is rescaled per tensor.
// CHECK-LABEL: func @matmul_int
// CHECK: mote.constant {{.*}} -> tensor<1x3x2x!quant.uniform<i8:f32, 1.000000e+00>>
// CHECK: %[[ACC:.*]] = mote.matmul %arg0, %{{.*}} -> tensor<1x2x2x!quant.uniform<i32:f32, 1.000000e+00>>
// CHECK: mote.requant %[[ACC]] {{.*}} -> tensor<1x2x2x!quant.uniform<i8:f32, 2.000000e+00:-3>>
func.func @matmul_int(%a: tensor<1x2x3xi8>) -> tensor<1x2x2xi8> {
  %b = "tosa.const"() <{values = dense<[[[1, 2], [3, 4], [5, 6]]]> : tensor<1x3x2xi8>}> : () -> tensor<1x3x2xi8>
  %azp = "tosa.const"() <{values = dense<7> : tensor<1xi8>}> : () -> tensor<1xi8>
  %bzp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.matmul %a, %b, %azp, %bzp : (tensor<1x2x3xi8>, tensor<1x3x2xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x2xi32>
  %m = "tosa.const"() <{values = dense<16384> : tensor<1xi16>}> : () -> tensor<1xi16>
  %s = "tosa.const"() <{values = dense<15> : tensor<1xi8>}> : () -> tensor<1xi8>
  %zp32 = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
  %ozp = "tosa.const"() <{values = dense<-3> : tensor<1xi8>}> : () -> tensor<1xi8>
  %1 = tosa.rescale %0, %m, %s, %zp32, %ozp {rounding_mode = SINGLE_ROUND, scale32 = false, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x2x2xi32>, tensor<1xi16>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x2x2xi8>
  return %1 : tensor<1x2x2xi8>
}
