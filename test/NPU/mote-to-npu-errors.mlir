// RUN: mote-opt %s -split-input-file --mote-to-npu="target=mote-small" -verify-diagnostics

// A layer whose smallest tile does not fit: a native int4 conv with a
// 200x200 kernel needs a 40000-byte input window per output pixel, more
// than a slot of mote-small's 32 KiB activation buffer.
func.func @too_big(%arg0: tensor<1x200x200x1xf32>) -> tensor<1x1x1x1xf32> {
  %q = mote.quantize %arg0 : (tensor<1x200x200x1xf32>) -> tensor<1x200x200x1x!quant.uniform<u4:f32, 0.5>>
  %w = mote.constant dense<1> : tensor<1x200x200x1xi4> -> tensor<1x200x200x1x!quant.uniform<i4<-7:7>:f32:0, {0.25}>>
  // expected-error @+1 {{no tile of this conv2d fits the SRAM of target 'mote-small'}}
  %c = mote.conv2d %q, %w {dilations = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x200x200x1x!quant.uniform<u4:f32, 0.5>>, tensor<1x200x200x1x!quant.uniform<i4<-7:7>:f32:0, {0.25}>>) -> tensor<1x1x1x1x!quant.uniform<i8:f32, 4.0>>
  %d = mote.dequantize %c : (tensor<1x1x1x1x!quant.uniform<i8:f32, 4.0>>) -> tensor<1x1x1x1xf32>
  return %d : tensor<1x1x1x1xf32>
}

// -----

// An 8-bit product that was not bit-width lowered for this target.
func.func @unlowered(%arg0: tensor<1x2xf32>) -> tensor<1x1xf32> {
  %q = mote.quantize %arg0 : (tensor<1x2xf32>) -> tensor<1x2x!quant.uniform<i8:f32, 0.5>>
  %w = mote.constant dense<[[100, -77]]> : tensor<1x2xi8> -> tensor<1x2x!quant.uniform<i8<-127:127>:f32:0, {0.25}>>
  // expected-error @+1 {{weight value 100 does not fit a 4-bit digit on target 'mote-small'; run --mote-bitwidth-lowering="digit-bits=4"}}
  %y = mote.fully_connected %q, %w : (tensor<1x2x!quant.uniform<i8:f32, 0.5>>, tensor<1x2x!quant.uniform<i8<-127:127>:f32:0, {0.25}>>) -> tensor<1x1x!quant.uniform<i8:f32, 2.0:3>>
  %d = mote.dequantize %y : (tensor<1x1x!quant.uniform<i8:f32, 2.0:3>>) -> tensor<1x1xf32>
  return %d : tensor<1x1xf32>
}
