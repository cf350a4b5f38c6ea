// --mote-estimate-cost on a hand-sized layer, mote-default (digit 4 bits,
// 0.09 pJ per digit-MAC, DRAM 162.5 pJ/B, 256 KiB weight and activation
// buffers at 6.566 pJ/B per read and per write, 16x16 array, 8 B/cycle):
//   fc: 2 outputs x K=4 = 8 MACs of u8 x i4 = 2 digit passes -> 16 digit-MACs
//       -> 1.44 pJ; 8 weights x 4 bits = 4 B x (162.5 + 2 x 6.566) = 702.528 pJ;
//       2 B of i8 output x 13.132 = 26.264 pJ; max(ceil(16/256), ceil(4/8)) = 1 cycle
//   quantize: 4 B of u8 x 13.132 = 52.528 pJ
//   total 782.760 pJ = 7.8276e-4 uJ
// RUN: mote-opt %s --mote-estimate-cost="json=%t.json" -o /dev/null 2>&1 | FileCheck %s
// RUN: FileCheck %s --check-prefix=JSON < %t.json
// RUN: not mote-opt %s --mote-estimate-cost=target=nope 2>&1 | FileCheck %s --check-prefix=ERR

// CHECK: cost: target mote-default
// CHECK: cost: input {{ *}}0 {{ *}}0 {{ *}}0 {{ *}}4 {{ *}}0.00005 {{ *}}0
// CHECK: cost: fc {{ *}}8 {{ *}}16 {{ *}}4 {{ *}}2 {{ *}}0.00073 {{ *}}1
// CHECK: cost: total 0.00078 uJ (MAC 0.00000, constants 0.00070, activations 0.00008), 1 cycles = 0.002 us

// JSON: "energy_uj": 0.00073023
// JSON: "key": "fc"
// JSON: "total":
// JSON: "digit_macs": 16
// JSON: "energy_uj": 0.00078276

// ERR: error: mote-estimate-cost: {{.*}}nope

func.func @main(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  %q = mote.quantize %x : (tensor<1x4xf32>) -> tensor<1x4x!quant.uniform<u8:f32, 1.000000e+00>> loc("input")
  %w = mote.constant dense<[[1, 2, 3, 4], [5, 6, 7, -7]]> : tensor<2x4xi4> -> tensor<2x4x!quant.uniform<i4<-7:7>:f32:0, {1.000000e+00, 1.000000e+00}>>
  %y = mote.fully_connected %q, %w : (tensor<1x4x!quant.uniform<u8:f32, 1.000000e+00>>, tensor<2x4x!quant.uniform<i4<-7:7>:f32:0, {1.000000e+00, 1.000000e+00}>>) -> tensor<1x2x!quant.uniform<i8:f32, 1.000000e+00>> loc("fc")
  %d = mote.dequantize %y : (tensor<1x2x!quant.uniform<i8:f32, 1.000000e+00>>) -> tensor<1x2xf32>
  return %d : tensor<1x2xf32>
}
