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

// A model output cannot be kept on chip: the host reads it from DRAM.
// expected-error @+1 {{NPU memory plan: the output of layer 'max_pool2d@40' is a model output and must live in DRAM, not in the activation_buffer}}
func.func @output_on_chip(%arg0: tensor<1x4x4x2xf32>) -> tensor<1x2x2x2xf32> attributes {npu.const_bytes = 0 : i64, npu.dram_inputs = array<i64: 0>, npu.dram_top = 128 : i64} {
  %q = mote.quantize %arg0 : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2x!quant.uniform<i8:f32, 0.5>>
  %p = mote.max_pool2d %q {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>, npu.sram = 4096 : i64} : (tensor<1x4x4x2x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.5>>
  %d = mote.dequantize %p : (tensor<1x2x2x2x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x2x2x2xf32>
  return %d : tensor<1x2x2x2xf32>
}

// -----

// An on-chip tensor must lie above the tile slots of the layers it lives
// through (the max pool's slots start at activation_buffer byte 0).
// expected-error @+1 {{NPU memory plan: the output of layer 'max_pool2d@52' at activation_buffer address 0 (8 bytes) must be 64-byte aligned, above the}}
func.func @on_chip_in_slots(%arg0: tensor<1x4x4x2xf32>) -> tensor<1x2x2x2xf32> attributes {npu.const_bytes = 0 : i64, npu.dram_inputs = array<i64: 0>, npu.dram_top = 128 : i64} {
  %q = mote.quantize %arg0 : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2x!quant.uniform<i8:f32, 0.5>>
  %p = mote.max_pool2d %q {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>, npu.sram = 0 : i64} : (tensor<1x4x4x2x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.5>>
  %m = mote.max_pool2d %p {kernel = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, npu.dram = 64 : i64} : (tensor<1x2x2x2x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.5>>
  %d = mote.dequantize %m : (tensor<1x2x2x2x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x2x2x2xf32>
  return %d : tensor<1x2x2x2xf32>
}

// -----

// A DRAM plan whose output overlaps the input it reads is rejected.
// expected-error @+1 {{NPU memory plan: a model input and the output of layer 'max_pool2d@64' at DRAM addresses 0 and 0 are live together but overlap}}
func.func @overlap(%arg0: tensor<1x4x4x2xf32>) -> tensor<1x2x2x2xf32> attributes {npu.const_bytes = 0 : i64, npu.dram_inputs = array<i64: 0>, npu.dram_top = 128 : i64} {
  %q = mote.quantize %arg0 : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2x!quant.uniform<i8:f32, 0.5>>
  %p = mote.max_pool2d %q {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>, npu.dram = 0 : i64} : (tensor<1x4x4x2x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.5>>
  %d = mote.dequantize %p : (tensor<1x2x2x2x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x2x2x2xf32>
  return %d : tensor<1x2x2x2xf32>
}
