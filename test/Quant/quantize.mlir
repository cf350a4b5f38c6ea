// RUN: mote-opt %s -split-input-file --mote-quantize 2>/dev/null | FileCheck %s
// RUN: mote-opt %s -split-input-file --mote-quantize 2>&1 >/dev/null | FileCheck %s --check-prefix=REPORT
// RUN: mote-opt %s -split-input-file --mote-quantize=precision=int4 2>/dev/null | FileCheck %s --check-prefix=INT4
// RUN: mote-opt %s -split-input-file --mote-quantize=precision=w4a8 2>/dev/null | FileCheck %s --check-prefix=W4A8
// RUN: mote-opt %s -split-input-file --mote-quantize="per-channel=false asymmetric=false" 2>/dev/null | FileCheck %s --check-prefix=TENSOR
// RUN: printf '# layer  weight-bits  act-bits\nconv1 4 8\n#1 8 4\n' > %t.plan
// RUN: mote-opt %s -split-input-file --mote-quantize="plan=%t.plan" 2>/dev/null | FileCheck %s --check-prefix=PLAN

// conv + bias + ReLU: the conv takes the clamp's range (u8) and the clamp
// folds away; weights per output channel, narrow, zp 0; bias i32 with scale
// s_x * s_w[o]. Input range [-1, 1.55] → i8 scale 2.55/255 = 0.01, zp -28.
// Weight scales max|w_c|/127: 1.27/127 = 0.01, 0.635/127 = 0.005.
// Output range [0, 2.55] → u8 scale 0.01.
// CHECK-LABEL: func.func @conv_relu
// CHECK: %[[Q:.*]] = mote.quantize %arg0 {{.*}} -> tensor<1x4x4x2x!quant.uniform<i8:f32, 1.000000e-02:-28>>
// CHECK-DAG: %[[W:.*]] = mote.constant dense<{{\[\[\[\[}}127, -50]]], {{\[\[\[}}50, -127]]]]> : tensor<2x1x1x2xi8> -> tensor<2x1x1x2x!quant.uniform<i8<-127:127>:f32:0, {1.000000e-02,5.000000e-03}>>
// CHECK-DAG: %[[B:.*]] = mote.constant dense<[127, -64]> : tensor<2xi32> -> tensor<2x!quant.uniform<i32:f32:0, {1.000000e-04,5.000000e-05}>>
// CHECK: %[[C:.*]] = mote.conv2d %[[Q]], %[[W]], %[[B]] {{.*}} -> tensor<1x4x4x2x!quant.uniform<u8:f32, 1.000000e-02>>
// CHECK-NOT: mote.clamp
// CHECK: %[[D:.*]] = mote.dequantize %[[C]]
// CHECK: return %[[D]] : tensor<1x4x4x2xf32>
// REPORT: quantize: 2 ops in integers, 0 kept in float
// INT4-LABEL: func.func @conv_relu
// INT4: mote.quantize %arg0 {{.*}} -> tensor<1x4x4x2x!quant.uniform<i4:f32, 1.700000e-01:-2>>
// INT4: dense<{{\[\[\[\[}}7, -3]]], {{\[\[\[}}3, -7]]]]> : tensor<2x1x1x2xi4> -> tensor<2x1x1x2x!quant.uniform<i4<-7:7>:f32:0, {0.1814286,0.09071427{{[0-9]*}}}>>
// INT4: mote.conv2d {{.*}} -> tensor<1x4x4x2x!quant.uniform<u4:f32, 1.700000e-01>>
// W4A8-LABEL: func.func @conv_relu
// W4A8: mote.quantize %arg0 {{.*}} -> tensor<1x4x4x2x!quant.uniform<i8:f32, 1.000000e-02:-28>>
// W4A8: tensor<2x1x1x2xi4> -> tensor<2x1x1x2x!quant.uniform<i4<-7:7>:f32:0, {0.1814286,0.09071427{{[0-9]*}}}>>
// W4A8: mote.constant dense<[7, -4]> : tensor<2xi32> -> tensor<2x!quant.uniform<i32:f32:0, {0.001814286,9.071428{{[0-9]*}}E-4}>>
// W4A8: mote.conv2d {{.*}} -> tensor<1x4x4x2x!quant.uniform<u8:f32, 1.000000e-02>>
// Symmetric activations: max(1, 1.55)/127; one weight scale 1.27/127.
// TENSOR-LABEL: func.func @conv_relu
// TENSOR: mote.quantize %arg0 {{.*}} -> tensor<1x4x4x2x!quant.uniform<i8:f32, 0.01220472>>
// TENSOR: dense<{{\[\[\[\[}}127, -50]]], {{\[\[\[}}25, -63]]]]> : tensor<2x1x1x2xi8> -> tensor<2x1x1x2x!quant.uniform<i8<-127:127>:f32, 1.000000e-02>>
// TENSOR: dense<[104, -26]> : tensor<2xi32> -> tensor<2x!quant.uniform<i32:f32, 1.220472{{[0-9]*}}E-4>>
// PLAN-LABEL: func.func @conv_relu
// PLAN: mote.quantize %arg0 {{.*}}!quant.uniform<i8:f32, 1.000000e-02:-28>>
// PLAN: tensor<2x1x1x2xi4> -> tensor<2x1x1x2x!quant.uniform<i4<-7:7>:f32:0
// PLAN: mote.conv2d {{.*}} -> tensor<1x4x4x2x!quant.uniform<u8:f32, 1.000000e-02>>
func.func @conv_relu(%x: tensor<1x4x4x2xf32> {mote.calib = array<f64: -1.0, 1.55>}) -> tensor<1x4x4x2xf32> {
  %w = mote.constant dense<[[[[1.27, -0.5]]], [[[0.25, -0.635]]]]> : tensor<2x1x1x2xf32> -> tensor<2x1x1x2xf32>
  %b = mote.constant dense<[0.0127, -0.0032]> : tensor<2xf32> -> tensor<2xf32>
  %c = mote.conv2d %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, mote.calib = array<f64: -3.0, 4.0>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>) -> tensor<1x4x4x2xf32> loc("conv1")
  %r = mote.clamp %c {min = 0.0 : f32, max = 6.0 : f32, mote.calib = array<f64: 0.0, 2.55>} : tensor<1x4x4x2xf32>
  return %r : tensor<1x4x4x2xf32>
}

// -----

// Sigmoid becomes a 256-entry table (16 with 4-bit activations), the
// residual add rescales, max pooling and reshape keep their input's type,
// softmax stays in float between a dequantize and the return.
// CHECK-LABEL: func.func @mixed
// CHECK: %[[X:.*]] = mote.quantize %arg0 {{.*}} -> tensor<1x2x2x4x!quant.uniform<i8:f32, 0.03137254{{[0-9]*}}:-1>>
// CHECK: %[[L:.*]] = mote.lut %[[X]], dense_resource<{{.*}}> : tensor<256xi8> : {{.*}} -> tensor<1x2x2x4x!quant.uniform<u8:f32, 0.0039215{{[0-9]*}}>>
// CHECK: %[[A:.*]] = mote.add %[[L]], %[[X]] {{.*}} -> tensor<1x2x2x4x!quant.uniform<i8:f32,
// CHECK: %[[P:.*]] = mote.max_pool2d %[[A]] {{.*}} -> tensor<1x1x1x4x!quant.uniform<i8:f32, [[T:[^>]*]]>>
// CHECK: %[[R:.*]] = mote.reshape %[[P]] {{.*}} -> tensor<1x4x!quant.uniform<i8:f32, [[T]]>>
// CHECK: %[[D:.*]] = mote.dequantize %[[R]]
// CHECK: %[[S:.*]] = mote.softmax %[[D]] {{.*}} -> tensor<1x4xf32>
// CHECK: return %[[S]]
// REPORT: remark: {{.*}}kept in float: softmax has no integer form
// REPORT: quantize: 4 ops in integers, 1 kept in float: softmax@probs
// INT4-LABEL: func.func @mixed
// INT4: mote.lut %{{.*}}, dense<[0, 0, 1, 1, 2, 3, 4, 6, 7, -7, -5, -4, -3, -2, -2, -1]> : tensor<16xi4> : {{.*}} -> tensor<1x2x2x4x!quant.uniform<u4:f32,
// PLAN-LABEL: func.func @mixed
// PLAN: mote.add {{.*}} -> tensor<1x2x2x4x!quant.uniform<i4:f32,
func.func @mixed(%x: tensor<1x2x2x4xf32> {mote.calib = array<f64: -4.0, 4.0>}) -> tensor<1x4xf32> {
  %s = mote.sigmoid %x {mote.calib = array<f64: 0.0, 1.0>} : (tensor<1x2x2x4xf32>) -> tensor<1x2x2x4xf32>
  %a = mote.add %s, %x {mote.calib = array<f64: -3.0, 5.0>} : (tensor<1x2x2x4xf32>, tensor<1x2x2x4xf32>) -> tensor<1x2x2x4xf32>
  %p = mote.max_pool2d %a {kernel = array<i64: 2, 2>, strides = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, mote.calib = array<f64: -1.0, 5.0>} : (tensor<1x2x2x4xf32>) -> tensor<1x1x1x4xf32>
  %f = mote.reshape %p {mote.calib = array<f64: -1.0, 5.0>} : (tensor<1x1x1x4xf32>) -> tensor<1x4xf32>
  %o = mote.softmax %f {axis = 1 : i64, mote.calib = array<f64: 0.0, 1.0>} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("probs")
  return %o : tensor<1x4xf32>
}

// -----

// A matmul of two activations quantizes both per tensor; with a constant
// rhs the weights are per axis on the last dimension.
// CHECK-LABEL: func.func @matmuls
// CHECK: mote.constant {{.*}} -> tensor<3x2x!quant.uniform<i8<-127:127>:f32:1, {
// CHECK: mote.matmul {{.*}} : (tensor<2x3x!quant.uniform<i8:f32, {{.*}}>>, tensor<3x2x!quant.uniform<i8<-127:127>:f32:1, {{.*}}>>) -> tensor<2x2x!quant.uniform<i8:f32,
// CHECK: mote.matmul {{.*}} : (tensor<2x2x!quant.uniform<i8:f32, {{.*}}>>, tensor<2x2x!quant.uniform<i8:f32, {{.*}}>>) -> tensor<2x2x!quant.uniform<i8:f32,
func.func @matmuls(%x: tensor<2x3xf32> {mote.calib = array<f64: -1.0, 1.0>}) -> tensor<2x2xf32> {
  %w = mote.constant dense<[[1.0, 0.5], [-1.0, 0.25], [0.5, -0.5]]> : tensor<3x2xf32> -> tensor<3x2xf32>
  %y = mote.matmul %x, %w {mote.calib = array<f64: -2.0, 2.0>} : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  %z = mote.matmul %y, %y {mote.calib = array<f64: -4.0, 4.0>} : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return %z : tensor<2x2xf32>
}
