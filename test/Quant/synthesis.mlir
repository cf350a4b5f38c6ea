// RUN: mote-opt %s -split-input-file --mote-quant-synthesis 2>/dev/null | FileCheck %s --check-prefix=POW2
// RUN: mote-opt %s -split-input-file --mote-quant-synthesis="mode=residual" 2>/dev/null | FileCheck %s --check-prefix=RES
// RUN: mote-opt %s -split-input-file --mote-quant-synthesis="mode=learned bits=2 min-gain-db=-1000" 2>/dev/null | FileCheck %s --check-prefix=LQ
// The per-layer SQNR report goes to the `report` file only (nothing on
// stderr): motec gets it in memory for its --report.
// RUN: mote-opt %s -split-input-file --mote-quant-synthesis="mode=learned report=%t.json" 2>&1 >/dev/null | count 0
// RUN: FileCheck %s --check-prefix=JSON < %t.json
// RUN: mote-opt %s -split-input-file --mote-quant-synthesis="terms=4 bits=2" 2>/dev/null | FileCheck %s --check-prefix=POW4

// fully_connected, weights 100 = 16·6 + 4 and -77 = 16·(-5) + 3, bias 5.
// pow2: two terms, top digit i4 with scale 16, low digit u4 with scale 1,
// accumulators per tensor (s_x·16, s_x), bias only in term 0, the per
// channel weight scale in a depthwise 1×1 conv with the original ratio.
// POW2-LABEL: func.func @fc
// POW2-NOT: i8<-127:127>
// POW2: %[[HI:.*]] = mote.constant dense<{{\[\[}}6, -5]]> : tensor<1x2xi4> -> tensor<1x2x!quant.uniform<i4:f32, 1.600000e+01>>
// POW2: %[[A1:.*]] = mote.fully_connected %arg0, %[[HI]] : {{.*}} -> tensor<3x1x!quant.uniform<i32:f32, 8.000000e+00>>
// POW2: %[[LO:.*]] = mote.constant dense<{{\[\[}}4, 3]]> : tensor<1x2xi4> -> tensor<1x2x!quant.uniform<u4:f32, 1.000000e+00>>
// POW2: %[[B:.*]] = mote.constant dense<5> : tensor<1xi32> -> tensor<1x!quant.uniform<i32:f32, 5.000000e-01>>
// POW2: %[[A0:.*]] = mote.fully_connected %arg0, %[[LO]], %[[B]] : {{.*}} -> tensor<3x1x!quant.uniform<i32:f32, 5.000000e-01>>
// POW2: %[[S:.*]] = mote.add %[[A1]], %[[A0]] : {{.*}} -> tensor<3x1x!quant.uniform<i32:f32, 5.000000e-01>>
// POW2: %[[R:.*]] = mote.reshape %[[S]] : {{.*}} -> tensor<3x1x1x1x!quant.uniform<i32:f32, 5.000000e-01>>
// POW2: %[[U:.*]] = mote.constant dense<1> : tensor<1x1x1x1xi2> -> tensor<1x1x1x1x!quant.uniform<i2<-1:1>:f32:0, {2.500000e-01}>>
// POW2: %[[C:.*]] = mote.conv2d %[[R]], %[[U]] {{.*}} -> tensor<3x1x1x1x!quant.uniform<i8:f32, 2.000000e+00:3>>
// POW2: %[[O:.*]] = mote.reshape %[[C]] {{.*}} -> tensor<3x1x!quant.uniform<i8:f32, 2.000000e+00:3>>
// POW2: return %[[O]]
// RES-LABEL: func.func @fc
// RES-COUNT-2: mote.fully_connected
// The terms sum at s_y·2^-n, n = 20 the largest shift whose worst case
// fits int32, each term's accumulator scale an integer multiple of it (an
// exact requant): one rounding, at the final requant.
// RES: mote.requant {{.*}} -> tensor<3x1x!quant.uniform<i32:f32, 1.9073486328125E-6>>
// RES: mote.add
// RES: mote.requant {{.*}} -> tensor<3x1x!quant.uniform<i8:f32, 2.000000e+00:3>>
// LQ-LABEL: func.func @fc
// LQ: mote.fully_connected %arg0, %{{.*}}, %{{.*}} : {{.*}} -> tensor<3x1x!quant.uniform<i32:f32:1, {{.*}}>>
// LQ: mote.fully_connected %arg0, %{{[0-9]+}} : {{.*}} -> tensor<3x1x!quant.uniform<i32:f32:1, {{.*}}>>
// LQ: mote.add
// LQ: mote.requant {{.*}} -> tensor<3x1x!quant.uniform<i8:f32, 2.000000e+00:3>>
// JSON: "chosen": "pow2"
// JSON: "sqnr_uniform_db": "inf"
func.func @fc(%arg0: tensor<3x2x!quant.uniform<i8:f32, 5.000000e-01:1>>) -> tensor<3x1x!quant.uniform<i8:f32, 2.000000e+00:3>> {
  %w = mote.constant dense<[[100, -77]]> : tensor<1x2xi8> -> tensor<1x2x!quant.uniform<i8<-127:127>:f32:0, {2.500000e-01}>>
  %b = mote.constant dense<5> : tensor<1xi32> -> tensor<1x!quant.uniform<i32:f32:0, {1.250000e-01}>>
  %0 = mote.fully_connected %arg0, %w, %b : (tensor<3x2x!quant.uniform<i8:f32, 5.000000e-01:1>>, tensor<1x2x!quant.uniform<i8<-127:127>:f32:0, {2.500000e-01}>>, tensor<1x!quant.uniform<i32:f32:0, {1.250000e-01}>>) -> tensor<3x1x!quant.uniform<i8:f32, 2.000000e+00:3>>
  return %0 : tensor<3x1x!quant.uniform<i8:f32, 2.000000e+00:3>>
}

// -----

// Four 2-bit terms of a conv: digits of 100 = 64·1 + 16·2 + 4·1 + 0.
// POW4-LABEL: func.func @conv
// POW4-NOT: i8<-127:127>
// POW4: dense<{{\[\[\[\[}}1]]], {{\[\[\[}}-2]]]]> : tensor<2x1x1x1xi2> -> {{.*}}<i2:f32, 6.400000e+01>
// POW4: mote.conv2d %arg0, {{.*}} -> tensor<1x4x4x2x!quant.uniform<i32:f32, 6.400000e-01>>
// POW4: mote.conv2d %arg0, {{.*}} -> tensor<1x4x4x2x!quant.uniform<i32:f32, 1.600000e-01>>
// POW4: mote.add
// POW4: mote.conv2d %arg0, {{.*}} -> tensor<1x4x4x2x!quant.uniform<i32:f32, 4.000000e-02>>
// POW4: mote.add
// POW4: dense<{{\[\[\[\[}}0]]], {{\[\[\[}}1]]]]> : tensor<2x1x1x1xi2> -> {{.*}}<u2:f32, 1.000000e+00>
// POW4: mote.conv2d %arg0
// POW4: mote.add {{.*}} -> tensor<1x4x4x2x!quant.uniform<i32:f32, 1.000000e-02>>
// POW4: groups = 2
func.func @conv(%arg0: tensor<1x4x4x1x!quant.uniform<i8:f32, 1.000000e-02:-28>>) -> tensor<1x4x4x2x!quant.uniform<u8:f32, 1.000000e-02>> {
  %w = mote.constant dense<[[[[100]]], [[[-127]]]]> : tensor<2x1x1x1xi8> -> tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32:0, {1.000000e-02,5.000000e-03}>>
  %0 = mote.conv2d %arg0, %w {dilations = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x4x1x!quant.uniform<i8:f32, 1.000000e-02:-28>>, tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32:0, {1.000000e-02,5.000000e-03}>>) -> tensor<1x4x4x2x!quant.uniform<u8:f32, 1.000000e-02>>
  return %0 : tensor<1x4x4x2x!quant.uniform<u8:f32, 1.000000e-02>>
}
