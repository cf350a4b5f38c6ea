// Quantization of the math, reduction and layer-norm ops: a function of
// one tensor is one LUT; reduce_max/min keep their input's type (exact);
// reduce_mean/sum rescale like avg_pool2d; layer_norm stays float (host op).
// RUN: mote-opt %s --mote-quantize 2>&1 | FileCheck %s
// RUN: mote-opt %s --mote-quantize=precision=int4 2>&1 | FileCheck %s --check-prefix=INT4

// CHECK: remark: {{.*}}kept in float: it has no integer form
// CHECK: quantize: 4 ops in integers, 1 kept in float: layer_norm@ln
// CHECK-LABEL: func.func @main
// CHECK: %[[X:.*]] = mote.quantize %arg0 : (tensor<1x4x8xf32>) -> tensor<1x4x8x!quant.uniform<i8:f32, 0.0392156{{[0-9]*}}:-1>>
// CHECK: %[[G:.*]] = mote.lut %[[X]], {{.*}} -> tensor<1x4x8x!quant.uniform<i8:f32, 0.02078431:-114>>
// CHECK: %[[D:.*]] = mote.dequantize %[[G]]
// CHECK: mote.reduce_max %[[G]] {axes = array<i64: 2>} : (tensor<1x4x8x!quant.uniform<i8:f32, 0.02078431:-114>>) -> tensor<1x4x1x!quant.uniform<i8:f32, 0.02078431:-114>>
// CHECK: mote.reduce_mean %[[G]] {axes = array<i64: 1, 2>} : {{.*}} -> tensor<1x1x1x!quant.uniform<u8:f32, 0.007843137>>
// CHECK: %[[L:.*]] = mote.layer_norm %[[D]]
// CHECK: %[[Q:.*]] = mote.quantize %[[L]]
// CHECK: mote.lut %[[Q]]
// INT4: mote.lut {{.*}} : tensor<16xi4>

func.func @main(%x: tensor<1x4x8xf32> {mote.calib = array<f64: -5.0, 5.0>}) -> (tensor<1x4x1xf32>, tensor<1x1x1xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>) {
  %g = mote.gelu %x {mote.calib = array<f64: -0.3, 5.0>} : (tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  %m = mote.reduce_max %g {axes = array<i64: 2>, mote.calib = array<f64: 0.0, 5.0>} : (tensor<1x4x8xf32>) -> tensor<1x4x1xf32>
  %a = mote.reduce_mean %g {axes = array<i64: 1, 2>, mote.calib = array<f64: 0.0, 2.0>} : (tensor<1x4x8xf32>) -> tensor<1x1x1xf32>
  %s = mote.constant dense<1.0> : tensor<8xf32> -> tensor<8xf32>
  %l = mote.layer_norm %g, %s {axis = 2 : i64, epsilon = 1.0e-5 : f32, mote.calib = array<f64: -3.0, 3.0>} : (tensor<1x4x8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32> loc("ln")
  %q = mote.sqrt %l {mote.calib = array<f64: 0.0, 1.8>} : (tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  return %m, %a, %l, %q : tensor<1x4x1xf32>, tensor<1x1x1xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>
}
