// Host segments where they stand: a float prologue before the first
// quantize (first), float work between NPU layers (middle), a softmax after
// the last layer (last); the quantized mul between them runs on the chip. The
// simulator runs them with the interpreter's kernels between the NPU
// segments: its outputs equal mote-run's on the same IR byte for byte.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON -c "import numpy as np; r = np.random.RandomState(3); np.save('%t/x.npy', (r.randn(1,2,3,4)*4).astype(np.float32)); np.save('%t/v.npy', (r.randn(1,2,3,4)*4).astype(np.float32))"
// RUN: mote-run %s --input x=%t/x.npy --input v=%t/v.npy --output-dir %t/ref
// RUN: mote-opt %s --mote-npu-pipeline -o %t/h.npu.mlir
// RUN: FileCheck %s --check-prefix=NPU < %t/h.npu.mlir
// RUN: mote-translate --npu-to-mbin %t/h.npu.mlir -o %t/h.mbin
// RUN: mote-translate --npu-to-masm %t/h.npu.mlir -o %t/h.masm
// RUN: FileCheck %s --check-prefix=MASM < %t/h.masm
// RUN: mote-sim %t/h.mbin --input x=%t/x.npy --input v=%t/v.npy --output-dir %t/sim --stats %t/stats.json > %t/report.txt
// RUN: cmp %t/ref/y.npy %t/sim/y.npy
// RUN: cmp %t/ref/p.npy %t/sim/p.npy
// RUN: FileCheck %s --check-prefix=REPORT < %t/report.txt
// RUN: %PYTHON -c "import json; h = json.load(open('%t/stats.json'))['host']; assert len(h['segments']) == 3, h; assert h['ops'] == 7, h; assert h['boundary_dram_bytes'] > 0; print('host ok')" | FileCheck %s --check-prefix=JSON

// NPU-LABEL: npu.program
// NPU: npu.io {{.*}}dtype = "f32"{{.*}}name = "x"
// NPU: npu.host_segment attributes {input_addrs = array<i64: {{[0-9]+}}>, output_addrs = array<i64: {{[0-9]+}}>, segment = 0 : i64}
// NPU: mote.mul
// NPU: mote.quantize
// NPU: npu.host_yield
// NPU: npu.layer attributes {{.*}}kind = "add"
// NPU: npu.layer attributes {{.*}}kind = "mul"
// NPU: npu.host_segment attributes {input_addrs = array<i64: {{[0-9]+}}>, {{.*}}segment = 1 : i64}
// NPU: mote.dequantize
// NPU: mote.exp
// NPU: mote.quantize
// NPU: npu.layer attributes {{.*}}kind = "add"
// NPU: npu.host_segment attributes {{.*}}segment = 2 : i64}
// NPU: mote.softmax
// NPU: npu.finish

// MASM: .hostsegment index=0 module=
// MASM: .hostinput segment=0 dtype="f32" shape=[1,2,3,4]
// MASM: .hostop segment=2 name={{.*}} kind="softmax" macs=0
// MASM: host segment=0
// MASM: host segment=1
// MASM: host segment=2
// MASM: finish

// REPORT: host segments: 3, 7 ops, 0 MACs
// REPORT: segment 0 (instruction 0, cycle 0) before the first layer
// REPORT: softmax

// JSON: host ok
func.func @host(%x: tensor<1x2x3x4xf32> {mote.name = "x"}, %v: tensor<1x2x3x4xf32> {mote.name = "v"}) -> (tensor<1x2x3x4xf32> {mote.name = "y"}, tensor<1x24xf32> {mote.name = "p"}) {
  // Host, first: a float scale before the input is quantized.
  %c = mote.constant dense<0.75> : tensor<1xf32> -> tensor<1xf32>
  %xs = mote.mul %x, %c : (tensor<1x2x3x4xf32>, tensor<1xf32>) -> tensor<1x2x3x4xf32>
  %qx = mote.quantize %xs : (tensor<1x2x3x4xf32>) -> tensor<1x2x3x4x!quant.uniform<i8:f32, 0.125:-2>>
  %qv = mote.quantize %v : (tensor<1x2x3x4xf32>) -> tensor<1x2x3x4x!quant.uniform<i8:f32, 0.125:1>>
  // NPU.
  %a = mote.add %qx, %qv : (tensor<1x2x3x4x!quant.uniform<i8:f32, 0.125:-2>>, tensor<1x2x3x4x!quant.uniform<i8:f32, 0.125:1>>) -> tensor<1x2x3x4x!quant.uniform<i8:f32, 0.25:3>>
  // On the chip, a quantized product of two tensors; host, middle: float work.
  %m = mote.mul %a, %qv : (tensor<1x2x3x4x!quant.uniform<i8:f32, 0.25:3>>, tensor<1x2x3x4x!quant.uniform<i8:f32, 0.125:1>>) -> tensor<1x2x3x4x!quant.uniform<i8:f32, 0.5>>
  %f = mote.dequantize %m : (tensor<1x2x3x4x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x2x3x4xf32>
  %e = mote.exp %f : (tensor<1x2x3x4xf32>) -> tensor<1x2x3x4xf32>
  %qe = mote.quantize %e : (tensor<1x2x3x4xf32>) -> tensor<1x2x3x4x!quant.uniform<u8:f32, 0.5>>
  // NPU.
  %b = mote.add %qe, %a : (tensor<1x2x3x4x!quant.uniform<u8:f32, 0.5>>, tensor<1x2x3x4x!quant.uniform<i8:f32, 0.25:3>>) -> tensor<1x2x3x4x!quant.uniform<i8:f32, 0.5:-1>>
  %y = mote.dequantize %b : (tensor<1x2x3x4x!quant.uniform<i8:f32, 0.5:-1>>) -> tensor<1x2x3x4xf32>
  // Host, last: a softmax over the flattened result.
  %r = mote.reshape %b : (tensor<1x2x3x4x!quant.uniform<i8:f32, 0.5:-1>>) -> tensor<1x24x!quant.uniform<i8:f32, 0.5:-1>>
  %rf = mote.dequantize %r : (tensor<1x24x!quant.uniform<i8:f32, 0.5:-1>>) -> tensor<1x24xf32>
  %p = mote.softmax %rf {axis = 1 : i64} : (tensor<1x24xf32>) -> tensor<1x24xf32>
  return %y, %p : tensor<1x2x3x4xf32>, tensor<1x24xf32>
}
