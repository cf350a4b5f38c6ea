// RUN: mote-opt %s -canonicalize -split-input-file | FileCheck %s

// CHECK-LABEL: func @add_zero
// CHECK-NOT: mote.add
// CHECK: return %arg0
func.func @add_zero(%a: tensor<4xf32>) -> tensor<4xf32> {
  %z = mote.constant dense<0.0> : tensor<4xf32> -> tensor<4xf32>
  %0 = mote.add %z, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func @mul_one
// CHECK-NOT: mote.mul
// CHECK: return %arg0
func.func @mul_one(%a: tensor<4xf32>) -> tensor<4xf32> {
  %one = mote.constant dense<1.0> : tensor<4xf32> -> tensor<4xf32>
  %0 = mote.mul %a, %one : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A quantized add with a zero constant may still rescale: it stays.
!q = !quant.uniform<i8:f32, 0.5>
// CHECK-LABEL: func @quantized_add_kept
// CHECK: mote.add
func.func @quantized_add_kept(%a: tensor<4x!q>) -> tensor<4x!q> {
  %z = mote.constant dense<0> : tensor<4xi8> -> tensor<4x!q>
  %0 = mote.add %a, %z : (tensor<4x!q>, tensor<4x!q>) -> tensor<4x!q>
  return %0 : tensor<4x!q>
}

// -----

// CHECK-LABEL: func @clamp_chain
// CHECK: %[[C:.*]] = mote.clamp %arg0 {max = 6.000000e+00 : f32, min = 0.000000e+00 : f32}
// CHECK-NOT: mote.clamp
// CHECK: return %[[C]]
func.func @clamp_chain(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = mote.clamp %a {min = -1.0 : f32, max = 6.0 : f32} : tensor<4xf32>
  %1 = mote.clamp %0 {min = 0.0 : f32, max = 10.0 : f32} : tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func @clamp_unbounded
// CHECK-NOT: mote.clamp
func.func @clamp_unbounded(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = mote.clamp %a {min = 0xFF800000 : f32, max = 0x7F800000 : f32} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func @reshape_chain
// CHECK: %[[R:.*]] = mote.reshape %arg0 : (tensor<2x3x4xf32>) -> tensor<24xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_chain(%a: tensor<2x3x4xf32>) -> tensor<24xf32> {
  %0 = mote.reshape %a : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  %1 = mote.reshape %0 : (tensor<6x4xf32>) -> tensor<24xf32>
  return %1 : tensor<24xf32>
}

// -----

// CHECK-LABEL: func @reshape_identity
// CHECK-NOT: mote.reshape
func.func @reshape_identity(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = mote.reshape %a : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @reshape_constant
// CHECK: mote.constant dense<{{\[}}[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32> -> tensor<2x2xf32>
// CHECK-NOT: mote.reshape
func.func @reshape_constant() -> tensor<2x2xf32> {
  %c = mote.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32> -> tensor<4xf32>
  %0 = mote.reshape %c : (tensor<4xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// Reshaping a resource blob relabels the blob, it does not copy it.
// CHECK-LABEL: func @reshape_resource
// CHECK: mote.constant dense_resource<blob> : tensor<2x2xf32> -> tensor<2x2xf32>
func.func @reshape_resource() -> tensor<2x2xf32> {
  %c = mote.constant dense_resource<blob> : tensor<4xf32> -> tensor<4xf32>
  %0 = mote.reshape %c : (tensor<4xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}
{-#
  dialect_resources: {
    builtin: {
      blob: "0x040000000000803F000000400000404000008040"
    }
  }
#-}

// -----

// CHECK-LABEL: func @transpose_chain
// CHECK: mote.transpose %arg0 {perms = array<i64: 0, 3, 1, 2>}
// CHECK-NOT: mote.transpose
func.func @transpose_chain(%a: tensor<1x2x3x4xf32>) -> tensor<1x4x2x3xf32> {
  %0 = mote.transpose %a {perms = array<i64: 0, 2, 3, 1>} : (tensor<1x2x3x4xf32>) -> tensor<1x3x4x2xf32>
  %1 = mote.transpose %0 {perms = array<i64: 0, 2, 3, 1>} : (tensor<1x3x4x2xf32>) -> tensor<1x4x2x3xf32>
  return %1 : tensor<1x4x2x3xf32>
}

// -----

// CHECK-LABEL: func @transpose_roundtrip
// CHECK-NOT: mote.transpose
// CHECK: return %arg0
func.func @transpose_roundtrip(%a: tensor<1x2x3x4xf32>) -> tensor<1x2x3x4xf32> {
  %0 = mote.transpose %a {perms = array<i64: 0, 2, 3, 1>} : (tensor<1x2x3x4xf32>) -> tensor<1x3x4x2xf32>
  %1 = mote.transpose %0 {perms = array<i64: 0, 3, 1, 2>} : (tensor<1x3x4x2xf32>) -> tensor<1x2x3x4xf32>
  return %1 : tensor<1x2x3x4xf32>
}

// -----

// CHECK-LABEL: func @pad_zero
// CHECK-NOT: mote.pad
func.func @pad_zero(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = mote.pad %a {pads = array<i64: 0, 0, 0, 0>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @concat_single
// CHECK-NOT: mote.concat
func.func @concat_single(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = mote.concat %a {axis = 0} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

!q = !quant.uniform<i8:f32, 0.5:1>
// CHECK-LABEL: func @quantize_dequantize
// CHECK-NOT: mote.quantize
// CHECK: return %arg0
func.func @quantize_dequantize(%a: tensor<4x!q>) -> tensor<4x!q> {
  %0 = mote.dequantize %a : (tensor<4x!q>) -> tensor<4xf32>
  %1 = mote.quantize %0 : (tensor<4xf32>) -> tensor<4x!q>
  return %1 : tensor<4x!q>
}

// -----

// dequantize(quantize(x)) is lossy and must survive.
!q = !quant.uniform<i8:f32, 0.5:1>
// CHECK-LABEL: func @dequantize_quantize_kept
// CHECK: mote.quantize
// CHECK: mote.dequantize
func.func @dequantize_quantize_kept(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = mote.quantize %a : (tensor<4xf32>) -> tensor<4x!q>
  %1 = mote.dequantize %0 : (tensor<4x!q>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// Constants quantize at compile time with round-half-to-even and saturation:
// 0.25/0.5 = 0.5 -> 0, 0.75/0.5 = 1.5 -> 2, -1.25/0.5 = -2.5 -> -2, plus zp 1.
!q = !quant.uniform<i8:f32, 0.5:1>
// CHECK-LABEL: func @quantize_constant
// CHECK: mote.constant dense<[1, 3, -1, 127, -128]> : tensor<5xi8>
func.func @quantize_constant() -> tensor<5x!q> {
  %c = mote.constant dense<[0.25, 0.75, -1.25, 1000.0, -1000.0]> : tensor<5xf32> -> tensor<5xf32>
  %0 = mote.quantize %c : (tensor<5xf32>) -> tensor<5x!q>
  return %0 : tensor<5x!q>
}

// -----

// Per-axis constants use each channel's own scale.
!q = !quant.uniform<i8<-127:127>:f32:0, {0.5, 0.25}>
// CHECK-LABEL: func @quantize_constant_per_axis
// CHECK: mote.constant dense<{{\[}}[2, -2], [4, -127]]> : tensor<2x2xi8>
func.func @quantize_constant_per_axis() -> tensor<2x2x!q> {
  %c = mote.constant dense<[[1.0, -1.0], [1.0, -100.0]]> : tensor<2x2xf32> -> tensor<2x2xf32>
  %0 = mote.quantize %c : (tensor<2x2xf32>) -> tensor<2x2x!q>
  return %0 : tensor<2x2x!q>
}

// -----

!q = !quant.uniform<i8:f32, 0.5:1>
// CHECK-LABEL: func @requant_identity
// CHECK-NOT: mote.requant
func.func @requant_identity(%a: tensor<4x!q>) -> tensor<4x!q> {
  %0 = mote.requant %a : (tensor<4x!q>) -> tensor<4x!q>
  return %0 : tensor<4x!q>
}

// -----

// An explicit zero pad before a convolution folds into the conv's padding.
// CHECK-LABEL: func.func @pad_into_conv
// CHECK-NOT: mote.pad
// CHECK: mote.conv2d %arg0, %arg1 {dilations = array<i64: 1, 1>, pad = array<i64: 4, 5, 1, 2>, strides = array<i64: 2, 2>}
func.func @pad_into_conv(%x: tensor<1x49x10x1xf32>, %w: tensor<4x10x4x1xf32>) -> tensor<1x25x5x4xf32> {
  %p = mote.pad %x {pads = array<i64: 0, 0, 4, 5, 1, 2, 0, 0>} : (tensor<1x49x10x1xf32>) -> tensor<1x58x13x1xf32>
  %y = mote.conv2d %p, %w {dilations = array<i64: 1, 1>, groups = 1 : i64, pad = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x58x13x1xf32>, tensor<4x10x4x1xf32>) -> tensor<1x25x5x4xf32>
  return %y : tensor<1x25x5x4xf32>
}

// -----

// A non-zero pad value is not the conv's padding: kept.
// CHECK-LABEL: func.func @pad_nonzero_kept
// CHECK: mote.pad
func.func @pad_nonzero_kept(%x: tensor<1x4x4x1xf32>, %w: tensor<1x3x3x1xf32>) -> tensor<1x4x4x1xf32> {
  %p = mote.pad %x {pads = array<i64: 0, 0, 1, 1, 1, 1, 0, 0>, value = 1.0 : f32} : (tensor<1x4x4x1xf32>) -> tensor<1x6x6x1xf32>
  %y = mote.conv2d %p, %w {dilations = array<i64: 1, 1>, groups = 1 : i64, pad = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x6x6x1xf32>, tensor<1x3x3x1xf32>) -> tensor<1x4x4x1xf32>
  return %y : tensor<1x4x4x1xf32>
}

// -----

// A pad before a layout transpose moves after it (so that it can meet the
// convolution that follows).
// CHECK-LABEL: func.func @pad_through_transpose
// CHECK: %[[T:.*]] = mote.transpose %arg0
// CHECK: mote.pad %[[T]] {pads = array<i64: 0, 0, 4, 5, 1, 2, 0, 0>} : (tensor<1x49x10x1xf32>) -> tensor<1x58x13x1xf32>
func.func @pad_through_transpose(%x: tensor<1x1x49x10xf32>) -> tensor<1x58x13x1xf32> {
  %p = mote.pad %x {pads = array<i64: 0, 0, 0, 0, 4, 5, 1, 2>} : (tensor<1x1x49x10xf32>) -> tensor<1x1x58x13xf32>
  %t = mote.transpose %p {perms = array<i64: 0, 2, 3, 1>} : (tensor<1x1x58x13xf32>) -> tensor<1x58x13x1xf32>
  return %t : tensor<1x58x13x1xf32>
}
