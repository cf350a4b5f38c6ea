// RUN: mote-opt %s --split-input-file --tosa-to-mote --canonicalize | FileCheck %s

// torch-mlir's float (de)quantization (aten.dequantize, quantize_per_tensor
// after torch.ao.quantization convert) becomes mote.(de)quantize with the
// scale and zero point in the type.

// Per-tensor dequantize as torch-mlir emits it: widen, subtract the zero
// point in i32, cast to f32, multiply by the scale. The graph input takes
// the scale and zero point.
// CHECK-LABEL: func.func @dequantize
// CHECK-SAME: %[[ARG:.*]]: tensor<1x4x!quant.uniform<i8:f32, 2.500000e-01:3>> {mote.tosa_type = tensor<1x4xi8>}
// CHECK-NEXT: %[[DQ:.*]] = mote.dequantize %[[ARG]] : (tensor<1x4x!quant.uniform<i8:f32, 2.500000e-01:3>>) -> tensor<1x4xf32>
// CHECK-NEXT: return %[[DQ]]
func.func @dequantize(%arg0: tensor<1x4xi8>) -> tensor<1x4xf32> {
  %zp = "tosa.const"() <{values = dense<3> : tensor<1x1xi32>}> : () -> tensor<1x1xi32>
  %s = "tosa.const"() <{values = dense<2.500000e-01> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.cast %arg0 : (tensor<1x4xi8>) -> tensor<1x4xi32>
  %1 = tosa.sub %0, %zp : (tensor<1x4xi32>, tensor<1x1xi32>) -> tensor<1x4xi32>
  %2 = tosa.cast %1 : (tensor<1x4xi32>) -> tensor<1x4xf32>
  %3 = tosa.mul %2, %s, %shift : (tensor<1x4xf32>, tensor<1x1xf32>, tensor<1xi8>) -> tensor<1x4xf32>
  return %3 : tensor<1x4xf32>
}

// -----

// Dequantize with the zero point subtracted in float.
// CHECK-LABEL: func.func @dequantize_float_zp
// CHECK-SAME: tensor<8x!quant.uniform<u8:f32, 5.000000e-01:128>>
// CHECK-NEXT: mote.dequantize
// CHECK-NEXT: return
func.func @dequantize_float_zp(%arg0: tensor<8xui8>) -> tensor<8xf32> {
  %zp = "tosa.const"() <{values = dense<128.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %s = "tosa.const"() <{values = dense<5.000000e-01> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.cast %arg0 : (tensor<8xui8>) -> tensor<8xf32>
  %1 = tosa.sub %0, %zp : (tensor<8xf32>, tensor<1xf32>) -> tensor<8xf32>
  %2 = tosa.mul %1, %s, %shift : (tensor<8xf32>, tensor<1xf32>, tensor<1xi8>) -> tensor<8xf32>
  return %2 : tensor<8xf32>
}

// -----

// Quantize as torch-mlir emits it when the cast does the rounding: multiply
// by 1/s, cast (round half to even, saturate), add the zero point in i8.
// CHECK-LABEL: func.func @quantize
// CHECK-NEXT: %[[Q:.*]] = mote.quantize %arg0 : (tensor<2x4xf32>) -> tensor<2x4x!quant.uniform<i8:f32, 0.10000000149011612:3>>
// CHECK-NEXT: return %[[Q]]
func.func @quantize(%arg0: tensor<2x4xf32>) -> tensor<2x4xi8> {
  %zp = "tosa.const"() <{values = dense<3> : tensor<1x1xi8>}> : () -> tensor<1x1xi8>
  %c = "tosa.const"() <{values = dense<1.000000e+01> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.mul %arg0, %c, %shift : (tensor<2x4xf32>, tensor<1x1xf32>, tensor<1xi8>) -> tensor<2x4xf32>
  %1 = tosa.cast %0 : (tensor<2x4xf32>) -> tensor<2x4xi8>
  %2 = tosa.add %1, %zp : (tensor<2x4xi8>, tensor<1x1xi8>) -> tensor<2x4xi8>
  return %2 : tensor<2x4xi8>
}

// -----

// Quantize with a float zero point and a clamp: the full-range clamp is
// the cast's saturation; a narrower one (fused ReLU) stays as mote.clamp.
// CHECK-LABEL: func.func @quantize_relu
// CHECK-NEXT: %[[Q:.*]] = mote.quantize %arg0 : (tensor<2x4xf32>) -> tensor<2x4x!quant.uniform<i8:f32, 1.250000e-01:-5>>
// CHECK-NEXT: %[[C:.*]] = mote.clamp %[[Q]] {max = 1.650000e+01 : f32, min = 0.000000e+00 : f32}
// CHECK-NEXT: return %[[C]]
func.func @quantize_relu(%arg0: tensor<2x4xf32>) -> tensor<2x4xi8> {
  %zp = "tosa.const"() <{values = dense<-5.0> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
  %c = "tosa.const"() <{values = dense<8.0> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.mul %arg0, %c, %shift : (tensor<2x4xf32>, tensor<1x1xf32>, tensor<1xi8>) -> tensor<2x4xf32>
  %1 = tosa.add %0, %zp : (tensor<2x4xf32>, tensor<1x1xf32>) -> tensor<2x4xf32>
  %2 = tosa.clamp %1 {min_val = -5.0 : f32, max_val = 127.0 : f32} : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %3 = tosa.cast %2 : (tensor<2x4xf32>) -> tensor<2x4xi8>
  return %3 : tensor<2x4xi8>
}

// -----

// Fake-quant round trip (quantize → int_repr → dequantize) keeps one type:
// the dequantize reads the quantize's result, whose parameters match.
// CHECK-LABEL: func.func @fake_quant
// CHECK-NEXT: %[[Q:.*]] = mote.quantize %arg0 : (tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32, 2.500000e-01:1>>
// CHECK-NEXT: %[[DQ:.*]] = mote.dequantize %[[Q]]
// CHECK-NEXT: return %[[DQ]]
func.func @fake_quant(%arg0: tensor<4xf32>) -> tensor<4xf32> {
  %zp = "tosa.const"() <{values = dense<1> : tensor<1xi8>}> : () -> tensor<1xi8>
  %zp32 = "tosa.const"() <{values = dense<1> : tensor<1xi32>}> : () -> tensor<1xi32>
  %c = "tosa.const"() <{values = dense<4.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %s = "tosa.const"() <{values = dense<0.25> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.mul %arg0, %c, %shift : (tensor<4xf32>, tensor<1xf32>, tensor<1xi8>) -> tensor<4xf32>
  %1 = tosa.cast %0 : (tensor<4xf32>) -> tensor<4xi8>
  %2 = tosa.add %1, %zp : (tensor<4xi8>, tensor<1xi8>) -> tensor<4xi8>
  %3 = tosa.cast %2 : (tensor<4xi8>) -> tensor<4xi32>
  %4 = tosa.sub %3, %zp32 : (tensor<4xi32>, tensor<1xi32>) -> tensor<4xi32>
  %5 = tosa.cast %4 : (tensor<4xi32>) -> tensor<4xf32>
  %6 = tosa.mul %5, %s, %shift : (tensor<4xf32>, tensor<1xf32>, tensor<1xi8>) -> tensor<4xf32>
  return %6 : tensor<4xf32>
}

// -----

// A QDQ-wrapped float conv in torch-mlir's NCHW form: dequantized i8
// activations and per-tensor i8 weights (constant, OIHW), float conv with
// a float bias, quantized output. It becomes one quantized mote.conv2d with
// the bias quantized to i32 at s_x·s_w = 0.05·0.02 = 0.001.
// CHECK-LABEL: func.func @qdq_conv
// CHECK-SAME: %[[X:.*]]: tensor<1x3x4x4x!quant.uniform<i8:f32, 0.05000000074505806:-2>>
// CHECK-DAG: %[[B:.*]] = mote.constant dense<[100, -250]> : tensor<2xi32> -> tensor<2x!quant.uniform<i32:f32, 9.9999999254941907E-4>>
// The weight transpose folds into the constant (--mote-fold-qdq patterns).
// CHECK-DAG: %[[W:.*]] = mote.constant dense<1> : tensor<2x3x3x3xi8> -> tensor<2x3x3x3x!quant.uniform<i8:f32, 0.019999999552965164>>
// CHECK: %[[T:.*]] = mote.transpose %[[X]] {perms = array<i64: 0, 2, 3, 1>}
// CHECK: %[[CONV:.*]] = mote.conv2d %[[T]], %[[W]], %[[B]]
// CHECK-SAME: -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.10000000149011612:4>>
// CHECK-NEXT: %[[OUT:.*]] = mote.transpose %[[CONV]] {perms = array<i64: 0, 3, 1, 2>}
// CHECK-NEXT: return %[[OUT]]
func.func @qdq_conv(%arg0: tensor<1x3x4x4xi8>) -> tensor<1x2x2x2xi8> {
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %xzp = "tosa.const"() <{values = dense<-2> : tensor<1x1x1x1xi32>}> : () -> tensor<1x1x1x1xi32>
  %xs = "tosa.const"() <{values = dense<5.000000e-02> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %w = "tosa.const"() <{values = dense<1> : tensor<2x3x3x3xi8>}> : () -> tensor<2x3x3x3xi8>
  %ws = "tosa.const"() <{values = dense<2.000000e-02> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %b = "tosa.const"() <{values = dense<[0.1, -0.25]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %fzp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %yc = "tosa.const"() <{values = dense<1.000000e+01> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %yzp = "tosa.const"() <{values = dense<4> : tensor<1x1x1x1xi8>}> : () -> tensor<1x1x1x1xi8>
  // aten.dequantize(x)
  %0 = tosa.cast %arg0 : (tensor<1x3x4x4xi8>) -> tensor<1x3x4x4xi32>
  %1 = tosa.sub %0, %xzp : (tensor<1x3x4x4xi32>, tensor<1x1x1x1xi32>) -> tensor<1x3x4x4xi32>
  %2 = tosa.cast %1 : (tensor<1x3x4x4xi32>) -> tensor<1x3x4x4xf32>
  %3 = tosa.mul %2, %xs, %shift : (tensor<1x3x4x4xf32>, tensor<1x1x1x1xf32>, tensor<1xi8>) -> tensor<1x3x4x4xf32>
  // aten.dequantize(w)
  %4 = tosa.cast %w : (tensor<2x3x3x3xi8>) -> tensor<2x3x3x3xf32>
  %5 = tosa.mul %4, %ws, %shift : (tensor<2x3x3x3xf32>, tensor<1x1x1x1xf32>, tensor<1xi8>) -> tensor<2x3x3x3xf32>
  // aten.convolution (NCHW → NHWC, conv, NHWC → NCHW)
  %6 = tosa.transpose %3 {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x3x4x4xf32>) -> tensor<1x4x4x3xf32>
  %7 = tosa.transpose %5 {perms = array<i32: 0, 2, 3, 1>} : (tensor<2x3x3x3xf32>) -> tensor<2x3x3x3xf32>
  %8 = tosa.conv2d %6, %7, %b, %fzp, %fzp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x3xf32>, tensor<2x3x3x3xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %9 = tosa.transpose %8 {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  // aten.quantize_per_tensor(y, 0.1, 4)
  %10 = tosa.mul %9, %yc, %shift : (tensor<1x2x2x2xf32>, tensor<1x1x1x1xf32>, tensor<1xi8>) -> tensor<1x2x2x2xf32>
  %11 = tosa.cast %10 : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xi8>
  %12 = tosa.add %11, %yzp : (tensor<1x2x2x2xi8>, tensor<1x1x1x1xi8>) -> tensor<1x2x2x2xi8>
  return %12 : tensor<1x2x2x2xi8>
}
