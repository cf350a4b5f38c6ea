// RUN: mote-opt %s --mote-npu-form-layers | FileCheck %s --check-prefix=FORM
// RUN: mote-opt %s --mote-npu-tile="target=mote-small" | FileCheck %s --check-prefix=TILE
// RUN: mote-opt %s --mote-npu-tile="target=mote-small" --mote-npu-plan-memory="target=mote-small activations=dram" | FileCheck %s --check-prefix=PLAN
// RUN: mote-opt %s --mote-npu-tile="target=mote-small" --mote-npu-plan-memory="target=mote-small" | FileCheck %s --check-prefix=ONCHIP
// RUN: mote-opt %s --mote-npu-tile="target=mote-small" --mote-npu-plan-memory="target=mote-small" --mote-to-npu="target=mote-small" | FileCheck %s --check-prefix=COPY
// The split pipeline gives the same program as --mote-to-npu alone.
// RUN: mote-opt %s --mote-to-npu="target=mote-small" -o %t.direct.mlir
// RUN: mote-opt %s --mote-npu-form-layers="target=mote-small" --mote-npu-tile="target=mote-small" --mote-npu-plan-memory="target=mote-small" --mote-to-npu="target=mote-small" -o %t.split.mlir
// RUN: diff %t.direct.mlir %t.split.mlir
// A pinned tile (edited npu.tile) is used by the later steps.
// RUN: mote-opt %s --mote-npu-tile | sed -e 's/npu.tile = array<i64: 4, 4, 2, 1>/npu.tile = array<i64: 2, 4, 1, 1>/' | mote-opt --mote-npu-plan-memory --mote-to-npu | FileCheck %s --check-prefix=PIN

// FORM-LABEL: func.func @net
// FORM: mote.conv2d {{.*}}npu.layer = 0 : i64, npu.layer_kind = "conv2d"
// FORM-NOT: npu.tile
// FORM: mote.max_pool2d {{.*}}npu.layer = 1 : i64, npu.layer_kind = "max_pool2d"
// FORM: mote.avg_pool2d {{.*}}npu.layer = 2 : i64, npu.layer_kind = "avg_pool2d"
// FORM: mote.add {{.*}}npu.layer = 3 : i64, npu.layer_kind = "add"

// TILE-LABEL: func.func @net
// TILE: mote.conv2d {{.*}}npu.layer = 0 : i64, npu.layer_kind = "conv2d", npu.loop_order = "oc,oh,ow,ic", npu.tile = array<i64: 4, 4, 2, 1>
// TILE: mote.max_pool2d {{.*}}npu.loop_order = "oc,oh,ow,ic", npu.tile = array<i64: 2, 2, 2, 2>
// TILE: mote.add {{.*}}npu.tile = array<i64: 2, 2, 2, 2>

// The plan: the input's and each layer's output address, the constant
// image size and the top of DRAM.
// PLAN-LABEL: func.func @net(
// PLAN-SAME: {{.*}}attributes {npu.const_bytes = [[CB:[0-9]+]] : i64, npu.dram_inputs = array<i64: [[IN:[0-9]+]]>, npu.dram_top = {{[0-9]+}} : i64}
// PLAN: mote.conv2d {{.*}}npu.dram = [[C:[0-9]+]] : i64
// PLAN: mote.max_pool2d {{.*}}npu.dram = [[P:[0-9]+]] : i64
// PLAN: mote.add {{.*}}npu.dram = {{[0-9]+}} : i64

// With activations=auto (the default) the tensors only NPU layers touch
// stay in the activation buffer, above the tile slots; the conv's output,
// read twice, is placed first. The model output stays in DRAM.
// ONCHIP-LABEL: func.func @net({{.*}}) {{.*}}attributes {npu.const_bytes = {{[0-9]+}} : i64, npu.dram_inputs = array<i64: {{[0-9]+}}>, npu.dram_top = {{[0-9]+}} : i64}
// ONCHIP: mote.conv2d {{.*}}npu.sram = [[C:[0-9]+]] : i64
// ONCHIP: mote.max_pool2d {{.*}}npu.sram = [[P:[0-9]+]] : i64
// ONCHIP: mote.avg_pool2d {{.*}}npu.sram = [[S:[0-9]+]] : i64
// ONCHIP: mote.add {{.*}}npu.dram = {{[0-9]+}} : i64

// Every tile here is whole rows, so the layers touch the on-chip tensors in
// place: the conv's requantize writes its output at [[C]], both pools read
// it there and write theirs, the add reads both and its STORE goes to DRAM
// (the model output). No on-chip copy is left.
// COPY-LABEL: npu.layer attributes {{.*}}kind = "conv2d"
// COPY: npu.vec {{.*}}dst_addr = [[C:[0-9]+]] : i64, op = 0 : i64
// COPY-LABEL: npu.layer attributes {{.*}}kind = "max_pool2d"
// COPY: npu.vec {{.*}}dst_addr = [[P:[0-9]+]] : i64, op = 4 : i64{{.*}}src_a = [[C]] : i64
// COPY-LABEL: npu.layer attributes {{.*}}kind = "avg_pool2d"
// COPY: npu.vec {{.*}}dst_addr = [[S:[0-9]+]] : i64, op = 5 : i64{{.*}}src_a = [[C]] : i64
// COPY-LABEL: npu.layer attributes {{.*}}kind = "add"
// COPY-NOT: on_chip = true
// COPY: npu.vec {{.*}}op = 1 : i64{{.*}}src_a = [[P]] : i64, src_b = [[S]] : i64
// COPY: npu.store {buffer = 1 : i64, cols = 2 : i64, dram_addr = {{[0-9]+}} : i64, elem_bytes = 2 : i64, push_prev = true

// PIN-LABEL: npu.program
// PIN: npu.layer {{.*}}kind = "conv2d"{{.*}}tile = array<i64: 2, 4, 1, 1>
// PIN-COUNT-4: npu.vec {{.*}}a_acc = true
// PIN: npu.layer {{.*}}kind = "max_pool2d"
func.func @net(%arg0: tensor<1x4x4x1xf32> {mote.name = "x"}) -> tensor<1x2x2x2xf32> {
  %q = mote.quantize %arg0 : (tensor<1x4x4x1xf32>) -> tensor<1x4x4x1x!quant.uniform<u4:f32, 0.5>>
  %w = mote.constant dense<1> : tensor<2x3x3x1xi4> -> tensor<2x3x3x1x!quant.uniform<i4<-7:7>:f32:0, {0.25, 0.5}>>
  %c = mote.conv2d %q, %w {dilations = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x4x4x1x!quant.uniform<u4:f32, 0.5>>, tensor<2x3x3x1x!quant.uniform<i4<-7:7>:f32:0, {0.25, 0.5}>>) -> tensor<1x4x4x2x!quant.uniform<i8:f32, 0.5>>
  %p = mote.max_pool2d %c {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x4x4x2x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.5>>
  %s = mote.avg_pool2d %c {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x4x4x2x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.5>>
  %a = mote.add %p, %s : (tensor<1x2x2x2x!quant.uniform<i8:f32, 0.5>>, tensor<1x2x2x2x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 1.0>>
  %d = mote.dequantize %a : (tensor<1x2x2x2x!quant.uniform<i8:f32, 1.0>>) -> tensor<1x2x2x2xf32>
  return %d : tensor<1x2x2x2xf32>
}
