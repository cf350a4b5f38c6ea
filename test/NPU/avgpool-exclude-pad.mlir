// RUN: mote-opt %s --mote-bitwidth-lowering=quiet --mote-to-npu | mote-translate --npu-to-masm | FileCheck %s

// Average pooling that leaves padding out of the divisor (ONNX's default):
// a 3x3 window with pad 1 averages 4 values at a corner, 6 on an edge and 9
// in the middle. The lowering cuts tiles where the divisor changes and sets
// VEC_MUL_A/VEC_SHIFT_A per tile: 1/4 = 2^30 / 2^32, 1/6 and 1/9 rounded
// to 31 bits. The first pair is the layer's default (the full window).
// CHECK-LABEL: .layer name="{{.*}}" kind="avg_pool2d"
// CHECK: reg=VEC_MUL_A value=1908874354
// CHECK: reg=VEC_SHIFT_A value=34
// CHECK: reg=VEC_MUL_A value=1073741824
// CHECK-NEXT: reg=VEC_SHIFT_A value=32
// CHECK-NEXT: vec op=avgpool {{.*}}out_h=1 out_w=1
// CHECK: reg=VEC_MUL_A value=1431655765
// CHECK-NEXT: reg=VEC_SHIFT_A value=33
// CHECK-NEXT: vec op=avgpool {{.*}}out_h=1 out_w=1
// CHECK: reg=VEC_MUL_A value=1073741824
// CHECK-NEXT: reg=VEC_SHIFT_A value=32
// CHECK-NEXT: vec op=avgpool {{.*}}out_h=1 out_w=1
// CHECK: reg=VEC_MUL_A value=1431655765
// CHECK-NEXT: reg=VEC_SHIFT_A value=33
// CHECK-NEXT: vec op=avgpool {{.*}}out_h=1 out_w=1
// CHECK: reg=VEC_MUL_A value=1908874354
// CHECK-NEXT: reg=VEC_SHIFT_A value=34
// CHECK-NEXT: vec op=avgpool {{.*}}out_h=1 out_w=1
// CHECK: reg=VEC_MUL_A value=1431655765
// CHECK-NEXT: reg=VEC_SHIFT_A value=33
// CHECK-NEXT: vec op=avgpool {{.*}}out_h=1 out_w=1
// CHECK: reg=VEC_MUL_A value=1073741824
// CHECK-NEXT: reg=VEC_SHIFT_A value=32
// CHECK-NEXT: vec op=avgpool {{.*}}out_h=1 out_w=1
// CHECK: reg=VEC_MUL_A value=1431655765
// CHECK-NEXT: reg=VEC_SHIFT_A value=33
// CHECK-NEXT: vec op=avgpool {{.*}}out_h=1 out_w=1
// CHECK: reg=VEC_MUL_A value=1073741824
// CHECK-NEXT: reg=VEC_SHIFT_A value=32
// CHECK-NEXT: vec op=avgpool {{.*}}out_h=1 out_w=1
// CHECK-NOT: vec op=avgpool
func.func @pool(%arg0: tensor<1x3x3x1xf32>) -> tensor<1x3x3x1xf32> {
  %q = mote.quantize %arg0 : (tensor<1x3x3x1xf32>) -> tensor<1x3x3x1x!quant.uniform<i8:f32, 0.5>>
  %p = mote.avg_pool2d %q {kernel = array<i64: 3, 3>, pad = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x3x3x1x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x3x3x1x!quant.uniform<i8:f32, 0.5>>
  %d = mote.dequantize %p : (tensor<1x3x3x1x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x3x3x1xf32>
  return %d : tensor<1x3x3x1xf32>
}
