// RUN: mote-opt %s -split-input-file --mote-to-npu="target=mote-small" | FileCheck %s

// What the chip cannot run stays on the host where it stands (DESIGN §6):
// a form the vector unit lacks (dilated pooling, a double broadcast), float
// work.

// A dilated max pool: the VEC unit's pooling has no dilation.
// CHECK-LABEL: npu.program
// CHECK: npu.host_segment attributes {input_addrs = array<i64: {{[0-9]+}}>, output_addrs = array<i64: {{[0-9]+}}>, segment = 0 : i64}
// CHECK-NEXT: ^bb0(%{{.*}}: tensor<1x5x5x1x!quant.uniform<i8:f32, 5.000000e-01>>):
// CHECK-NEXT: mote.max_pool2d
// CHECK-NEXT: npu.host_yield
// CHECK: npu.finish
func.func @dilated_pool(%arg0: tensor<1x5x5x1xf32>) -> tensor<1x3x3x1xf32> {
  %q = mote.quantize %arg0 : (tensor<1x5x5x1xf32>) -> tensor<1x5x5x1x!quant.uniform<i8:f32, 0.5>>
  %p = mote.max_pool2d %q {kernel = array<i64: 2, 2>, strides = array<i64: 1, 1>, dilations = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x5x5x1x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x3x3x1x!quant.uniform<i8:f32, 0.5>>
  %d = mote.dequantize %p : (tensor<1x3x3x1x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x3x3x1xf32>
  return %d : tensor<1x3x3x1xf32>
}

// -----

// Both operands broadcast (a row against a column): the VEC unit reads one
// broadcast operand at most, so the add runs on the host.
// CHECK-LABEL: npu.program
// CHECK: npu.host_segment attributes {input_addrs = array<i64: {{[0-9]+}}, {{[0-9]+}}>
// CHECK: mote.add
// CHECK-NOT: npu.layer
// CHECK: npu.finish
func.func @bcast_both(%a: tensor<1x1x3x1xf32>, %b: tensor<1x2x1x1xf32>) -> tensor<1x2x3x1xf32> {
  %qa = mote.quantize %a : (tensor<1x1x3x1xf32>) -> tensor<1x1x3x1x!quant.uniform<i8:f32, 0.5>>
  %qb = mote.quantize %b : (tensor<1x2x1x1xf32>) -> tensor<1x2x1x1x!quant.uniform<i8:f32, 0.5>>
  %c = mote.add %qa, %qb : (tensor<1x1x3x1x!quant.uniform<i8:f32, 0.5>>, tensor<1x2x1x1x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x2x3x1x!quant.uniform<i8:f32, 1.0>>
  %d = mote.dequantize %c : (tensor<1x2x3x1x!quant.uniform<i8:f32, 1.0>>) -> tensor<1x2x3x1xf32>
  return %d : tensor<1x2x3x1xf32>
}

// -----

// A float model runs wholly on the host: float input and output in DRAM.
// CHECK-LABEL: npu.program
// CHECK: npu.io {{.*}}dtype = "f32", is_input = true
// CHECK: npu.io {{.*}}dtype = "f32", is_input = false
// CHECK: npu.host_segment
// CHECK-NEXT: ^bb0(%{{.*}}: tensor<1x4xf32>):
// CHECK-NEXT: mote.sigmoid
// CHECK-NEXT: npu.host_yield %{{.*}} : tensor<1x4xf32>
func.func @float(%arg0: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %s = mote.sigmoid %arg0 : (tensor<1x4xf32>) -> tensor<1x4xf32>
  return %s : tensor<1x4xf32>
}
