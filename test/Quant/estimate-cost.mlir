// --mote-estimate-cost on a hand-sized layer, mote-default: the price is
// the simulator's for the program the backend compiles (bit-width lowering
// to 4-bit digits, the NPU pipeline), so the estimate and mote-sim on that
// program print the same figures. The fc: 2 outputs x K=4 = 8 MACs of
// u8 x i4 = 2 digit passes -> 16 digit-MACs; its DRAM traffic is the 4-byte
// input and the 2-byte output (the weights load once, in the program
// load); the 294 cycles are mostly DRAM latency (two 100-cycle transfers).
// RUN: mote-opt %s --mote-estimate-cost="json=%t.json" -o /dev/null 2>&1 | FileCheck %s
// RUN: FileCheck %s --check-prefix=JSON < %t.json
// RUN: mote-opt %s --mote-bitwidth-lowering="digit-bits=4 quiet=true npu-products=true" --mote-npu-pipeline | mote-translate --npu-to-mbin -o %t.mbin
// RUN: %PYTHON -c "import numpy as n; n.save('%t.npy', n.zeros((1, 4), n.float32))"
// RUN: mote-sim %t.mbin --input %t.npy --stats-file=%t.sim.json > /dev/null
// RUN: %PYTHON %mote_src/test/e2e/Inputs/cost_vs_sim.py %t.json %t.sim.json --tol 0 | FileCheck %s --check-prefix=SAME
// RUN: not mote-opt %s --mote-estimate-cost=target=nope 2>&1 | FileCheck %s --check-prefix=ERR

// CHECK: cost: target mote-default
// CHECK: cost: fc {{ *}}fully_connected {{ *}}8 {{ *}}16 {{ *}}6 {{ *}}0.00392 {{ *}}294
// CHECK: cost: total 0.00392 uJ (MAC 0.00001, SRAM 0.00029, DRAM 0.00097, vector 0.00001, static 0.00265), 294 cycles = 0.588 us
// CHECK: cost: program load (once) 0.01181 uJ, 110 cycles

// JSON: "digit_macs": 16
// JSON: "energy_uj": 0.003922224
// JSON: "key": "fc"
// JSON: "total":

// SAME: 1 layers, worst relative difference 0.00 %

// ERR: error: mote-estimate-cost: {{.*}}nope

func.func @main(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  %q = mote.quantize %x : (tensor<1x4xf32>) -> tensor<1x4x!quant.uniform<u8:f32, 1.000000e+00>> loc("input")
  %w = mote.constant dense<[[1, 2, 3, 4], [5, 6, 7, -7]]> : tensor<2x4xi4> -> tensor<2x4x!quant.uniform<i4<-7:7>:f32:0, {1.000000e+00, 1.000000e+00}>>
  %y = mote.fully_connected %q, %w : (tensor<1x4x!quant.uniform<u8:f32, 1.000000e+00>>, tensor<2x4x!quant.uniform<i4<-7:7>:f32:0, {1.000000e+00, 1.000000e+00}>>) -> tensor<1x2x!quant.uniform<i8:f32, 1.000000e+00>> loc("fc")
  %d = mote.dequantize %y : (tensor<1x2x!quant.uniform<i8:f32, 1.000000e+00>>) -> tensor<1x2xf32>
  return %d : tensor<1x2xf32>
}
