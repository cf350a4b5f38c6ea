// RUN: mote-opt %s -split-input-file --mote-to-npu="target=mote-small" -verify-diagnostics

// A pinned tile must be a tile of the layer.
func.func @bad_tile(%arg0: tensor<1x4x4x2xf32>) -> tensor<1x2x2x2xf32> {
  %q = mote.quantize %arg0 : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2x!quant.uniform<i8:f32, 0.5>>
  // expected-error @+1 {{tile [3, 2, 2, 1] is not a tile of this max_pool2d (output 2x2x2, 2 input channels per reduction, cc must equal tc)}}
  %p = mote.max_pool2d %q {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>, npu.tile = array<i64: 3, 2, 2, 1>} : (tensor<1x4x4x2x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.5>>
  %d = mote.dequantize %p : (tensor<1x2x2x2x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x2x2x2xf32>
  return %d : tensor<1x2x2x2xf32>
}

// -----

// A pinned tile must fit the target's SRAMs (mote-small: 32 KiB activation).
func.func @too_big_tile(%arg0: tensor<1x128x128x4xf32>) -> tensor<1x128x128x4xf32> {
  %q = mote.quantize %arg0 : (tensor<1x128x128x4xf32>) -> tensor<1x128x128x4x!quant.uniform<i8:f32, 0.5>>
  // expected-error @+1 {{tile [128, 128, 4, 4] of this lut does not fit target 'mote-small'}}
  %l = mote.lut %q, dense<0> : tensor<256xi8> {npu.tile = array<i64: 128, 128, 4, 4>} : (tensor<1x128x128x4x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x128x128x4x!quant.uniform<i8:f32, 0.5>>
  %d = mote.dequantize %l : (tensor<1x128x128x4x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x128x128x4xf32>
  return %d : tensor<1x128x128x4xf32>
}

// -----

// Layer annotations that no longer match the IR are stale.
func.func @stale(%arg0: tensor<1x4x4x2xf32>) -> tensor<1x2x2x2xf32> {
  %q = mote.quantize %arg0 : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2x!quant.uniform<i8:f32, 0.5>>
  // expected-error @+1 {{npu.layer = 3 but this op anchors layer 0 (stale annotations: rerun --mote-npu-form-layers)}}
  %p = mote.max_pool2d %q {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>, npu.layer = 3 : i64} : (tensor<1x4x4x2x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.5>>
  %d = mote.dequantize %p : (tensor<1x2x2x2x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x2x2x2xf32>
  return %d : tensor<1x2x2x2xf32>
}

// -----

// A DRAM plan whose output overlaps the input it reads is rejected.
// expected-error @+1 {{NPU DRAM plan: tensors at 0 and 0 are live together but overlap}}
func.func @overlap(%arg0: tensor<1x4x4x2xf32>) -> tensor<1x2x2x2xf32> attributes {npu.const_bytes = 0 : i64, npu.dram_inputs = array<i64: 0>, npu.dram_top = 128 : i64} {
  %q = mote.quantize %arg0 : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2x!quant.uniform<i8:f32, 0.5>>
  %p = mote.max_pool2d %q {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>, npu.dram = 0 : i64} : (tensor<1x4x4x2x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.5>>
  %d = mote.dequantize %p : (tensor<1x2x2x2x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x2x2x2xf32>
  return %d : tensor<1x2x2x2xf32>
}
