// Quantized semantics of every mote op, checked bit for bit against an
// independent Python-integer reference (Inputs/qref.py, Inputs/cases.py):
// rounding ties, saturation, per-axis weights, non-zero zero points,
// zero-point padding, grouped/depthwise/dilated conv, ceil_mode pools and
// count_include_pad.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON %S/Inputs/cases.py gen qconvert %t
// RUN: mote-run %s --entry qconvert --input %t/qconvert.npz --output-dir %t/qconvert | FileCheck %s --check-prefix=CONVERT
// RUN: %PYTHON %S/Inputs/cases.py check qconvert %t
// CONVERT: output_0: shape 2x8 int8
// CONVERT: output_1: shape 2x3 int8
// CONVERT: output_2: shape 2x3 float32
// CONVERT: output_3: shape 2x2 int8

// RUN: %PYTHON %S/Inputs/cases.py gen qconv %t
// RUN: mote-run %s --entry qconv --input %t/qconv.npz --output-dir %t/qconv | FileCheck %s --check-prefix=QCONV
// RUN: %PYTHON %S/Inputs/cases.py check qconv %t
// QCONV: output_0: shape 1x4x3x4 int8
// QCONV: output_1: shape 1x4x3x4 int32

// RUN: %PYTHON %S/Inputs/cases.py gen qdwconv %t
// RUN: mote-run %s --entry qdwconv --input %t/qdwconv.npz --output-dir %t/qdwconv
// RUN: %PYTHON %S/Inputs/cases.py check qdwconv %t

// RUN: %PYTHON %S/Inputs/cases.py gen qmatmul %t
// RUN: mote-run %s --entry qmatmul --input %t/qmatmul.npz --output-dir %t/qmatmul
// RUN: %PYTHON %S/Inputs/cases.py check qmatmul %t

// RUN: %PYTHON %S/Inputs/cases.py gen qfc %t
// RUN: mote-run %s --entry qfc --input %t/qfc.npz --output-dir %t/qfc | FileCheck %s --check-prefix=QFC
// RUN: %PYTHON %S/Inputs/cases.py check qfc %t
// QFC: output_0: shape 2x3 int16

// RUN: %PYTHON %S/Inputs/cases.py gen qbinary %t
// RUN: mote-run %s --entry qbinary --input %t/qbinary.npz --output-dir %t/qbinary
// RUN: %PYTHON %S/Inputs/cases.py check qbinary %t

// RUN: %PYTHON %S/Inputs/cases.py gen qunary %t
// RUN: mote-run %s --entry qunary --input %t/qunary.npz --output-dir %t/qunary
// RUN: %PYTHON %S/Inputs/cases.py check qunary %t

// RUN: %PYTHON %S/Inputs/cases.py gen qactivations %t
// RUN: mote-run %s --entry qactivations --input %t/qactivations.npz --output-dir %t/qactivations
// RUN: %PYTHON %S/Inputs/cases.py check qactivations %t

// RUN: %PYTHON %S/Inputs/cases.py gen qpools %t
// RUN: mote-run %s --entry qpools --input %t/qpools.npz --output-dir %t/qpools
// RUN: %PYTHON %S/Inputs/cases.py check qpools %t

// RUN: %PYTHON %S/Inputs/cases.py gen qdata %t
// RUN: mote-run %s --entry qdata --input %t/qdata.npz --output-dir %t/qdata | FileCheck %s --check-prefix=QDATA
// RUN: %PYTHON %S/Inputs/cases.py check qdata %t
// QDATA: output_5: shape 2x8 int8

!qx = !quant.uniform<i8:f32, 5.000000e-02:-3>
!qw = !quant.uniform<i8<-127:127>:f32:0, {1.000000e-02,2.000000e-02,1.500000e-02,3.000000e-02}>
!qb = !quant.uniform<i32:f32:0, {5.000000e-04,1.000000e-03,7.500000e-04,1.500000e-03}>
!qacc = !quant.uniform<i32:f32:3, {5.000000e-04,1.000000e-03,7.500000e-04,1.500000e-03}>
!qo = !quant.uniform<i8:f32, 1.000000e-01:5>

// Ties: x / 0.5 = k + 0.5 rounds to even; saturation both ways; per-axis
// quantize with zero points; per-axis dequantize; per-axis → per-tensor
// requant with exact ties (ratios 0.5 and 0.25).
func.func @qconvert(%x: tensor<2x8xf32>, %y: tensor<2x3xf32>, %d: tensor<2x3x!quant.uniform<i8:f32:1, {5.000000e-01:1,2.500000e-01:-2,1.000000e+00}>>, %r: tensor<2x2x!quant.uniform<i16:f32:1, {2.500000e-01:3,1.250000e-01}>>) -> (tensor<2x8x!quant.uniform<i8:f32, 5.000000e-01:-1>>, tensor<2x3x!quant.uniform<i8:f32:1, {5.000000e-01:1,2.500000e-01:-2,1.000000e+00}>>, tensor<2x3xf32>, tensor<2x2x!quant.uniform<i8:f32, 5.000000e-01:-2>>) {
  %0 = mote.quantize %x : (tensor<2x8xf32>) -> tensor<2x8x!quant.uniform<i8:f32, 5.000000e-01:-1>>
  %1 = mote.quantize %y : (tensor<2x3xf32>) -> tensor<2x3x!quant.uniform<i8:f32:1, {5.000000e-01:1,2.500000e-01:-2,1.000000e+00}>>
  %2 = mote.dequantize %d : (tensor<2x3x!quant.uniform<i8:f32:1, {5.000000e-01:1,2.500000e-01:-2,1.000000e+00}>>) -> tensor<2x3xf32>
  %3 = mote.requant %r : (tensor<2x2x!quant.uniform<i16:f32:1, {2.500000e-01:3,1.250000e-01}>>) -> tensor<2x2x!quant.uniform<i8:f32, 5.000000e-01:-2>>
  return %0, %1, %2, %3 : tensor<2x8x!quant.uniform<i8:f32, 5.000000e-01:-1>>, tensor<2x3x!quant.uniform<i8:f32:1, {5.000000e-01:1,2.500000e-01:-2,1.000000e+00}>>, tensor<2x3xf32>, tensor<2x2x!quant.uniform<i8:f32, 5.000000e-01:-2>>
}

// Grouped, dilated, strided conv with zero-point padding, per-axis
// weights and bias; also the raw i32 accumulator form.
func.func @qconv(%x: tensor<1x5x6x4x!qx>, %w: tensor<4x3x3x2x!qw>, %b: tensor<4x!qb>) -> (tensor<1x4x3x4x!qo>, tensor<1x4x3x4x!qacc>) {
  %0 = mote.conv2d %x, %w, %b {strides = array<i64: 1, 2>, dilations = array<i64: 2, 1>, pad = array<i64: 2, 1, 1, 1>, groups = 2} : (tensor<1x5x6x4x!qx>, tensor<4x3x3x2x!qw>, tensor<4x!qb>) -> tensor<1x4x3x4x!qo>
  %1 = mote.conv2d %x, %w {strides = array<i64: 1, 2>, dilations = array<i64: 2, 1>, pad = array<i64: 2, 1, 1, 1>, groups = 2} : (tensor<1x5x6x4x!qx>, tensor<4x3x3x2x!qw>) -> tensor<1x4x3x4x!qacc>
  return %0, %1 : tensor<1x4x3x4x!qo>, tensor<1x4x3x4x!qacc>
}

// Depthwise, unsigned activations with zp 128, constant per-axis weights.
func.func @qdwconv(%x: tensor<1x4x4x3x!quant.uniform<u8:f32, 2.000000e-02:128>>) -> tensor<1x4x4x3x!quant.uniform<u8:f32, 5.000000e-02:100>> {
  %w = mote.constant dense<[[[[127], [-127], [5]], [[3], [0], [-7]], [[100], [50], [-50]]], [[[1], [2], [3]], [[-4], [-5], [-6]], [[7], [8], [9]]], [[[-127], [127], [-1]], [[64], [-64], [32]], [[0], [1], [-1]]]]> : tensor<3x3x3x1xi8> -> tensor<3x3x3x1x!quant.uniform<i8<-127:127>:f32:0, {1.000000e-01,5.000000e-02,2.000000e-01}>>
  %y = mote.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, groups = 3} : (tensor<1x4x4x3x!quant.uniform<u8:f32, 2.000000e-02:128>>, tensor<3x3x3x1x!quant.uniform<i8<-127:127>:f32:0, {1.000000e-01,5.000000e-02,2.000000e-01}>>) -> tensor<1x4x4x3x!quant.uniform<u8:f32, 5.000000e-02:100>>
  return %y : tensor<1x4x4x3x!quant.uniform<u8:f32, 5.000000e-02:100>>
}

// Batched matmul, rhs per-axis on its last dimension; requantized and raw.
func.func @qmatmul(%a: tensor<2x3x4x!quant.uniform<i8:f32, 1.000000e-01:2>>, %b: tensor<4x5x!quant.uniform<i8:f32:1, {1.000000e-01,2.000000e-01,5.000000e-02,1.000000e-01,2.500000e-01}>>) -> (tensor<2x3x5x!quant.uniform<i8:f32, 2.000000e-01:-1>>, tensor<2x3x5x!quant.uniform<i32:f32:2, {1.000000e-02,2.000000e-02,5.000000e-03,1.000000e-02,2.500000e-02}>>) {
  %0 = mote.matmul %a, %b : (tensor<2x3x4x!quant.uniform<i8:f32, 1.000000e-01:2>>, tensor<4x5x!quant.uniform<i8:f32:1, {1.000000e-01,2.000000e-01,5.000000e-02,1.000000e-01,2.500000e-01}>>) -> tensor<2x3x5x!quant.uniform<i8:f32, 2.000000e-01:-1>>
  %1 = mote.matmul %a, %b : (tensor<2x3x4x!quant.uniform<i8:f32, 1.000000e-01:2>>, tensor<4x5x!quant.uniform<i8:f32:1, {1.000000e-01,2.000000e-01,5.000000e-02,1.000000e-01,2.500000e-01}>>) -> tensor<2x3x5x!quant.uniform<i32:f32:2, {1.000000e-02,2.000000e-02,5.000000e-03,1.000000e-02,2.500000e-02}>>
  return %0, %1 : tensor<2x3x5x!quant.uniform<i8:f32, 2.000000e-01:-1>>, tensor<2x3x5x!quant.uniform<i32:f32:2, {1.000000e-02,2.000000e-02,5.000000e-03,1.000000e-02,2.500000e-02}>>
}

// u8 input given as float data (quantized at the boundary), i16 result.
func.func @qfc(%x: tensor<2x6x!quant.uniform<u8:f32, 3.000000e-02:10>>, %w: tensor<3x6x!quant.uniform<i8<-127:127>:f32:0, {1.000000e-02,2.000000e-02,4.000000e-02}>>, %b: tensor<3x!quant.uniform<i32:f32:0, {3.000000e-04,6.000000e-04,1.200000e-03}>>) -> tensor<2x3x!quant.uniform<i16:f32, 1.000000e-03>> {
  %y = mote.fully_connected %x, %w, %b : (tensor<2x6x!quant.uniform<u8:f32, 3.000000e-02:10>>, tensor<3x6x!quant.uniform<i8<-127:127>:f32:0, {1.000000e-02,2.000000e-02,4.000000e-02}>>, tensor<3x!quant.uniform<i32:f32:0, {3.000000e-04,6.000000e-04,1.200000e-03}>>) -> tensor<2x3x!quant.uniform<i16:f32, 1.000000e-03>>
  return %y : tensor<2x3x!quant.uniform<i16:f32, 1.000000e-03>>
}

!qa = !quant.uniform<i8:f32, 1.000000e-01:-5>
!qbb = !quant.uniform<i8:f32, 2.500000e-01:3>
!qs = !quant.uniform<i8:f32, 2.000000e-01:1>
!qm = !quant.uniform<i8:f32, 5.000000e-01>
func.func @qbinary(%a: tensor<2x3x4x!qa>, %b: tensor<4x!qbb>) -> (tensor<2x3x4x!qs>, tensor<2x3x4x!qs>, tensor<2x3x4x!qs>, tensor<2x3x4x!qs>, tensor<2x3x4x!qm>) {
  %0 = mote.add %a, %b : (tensor<2x3x4x!qa>, tensor<4x!qbb>) -> tensor<2x3x4x!qs>
  %1 = mote.sub %b, %a : (tensor<4x!qbb>, tensor<2x3x4x!qa>) -> tensor<2x3x4x!qs>
  %2 = mote.maximum %a, %b : (tensor<2x3x4x!qa>, tensor<4x!qbb>) -> tensor<2x3x4x!qs>
  %3 = mote.minimum %a, %b : (tensor<2x3x4x!qa>, tensor<4x!qbb>) -> tensor<2x3x4x!qs>
  %4 = mote.mul %a, %b : (tensor<2x3x4x!qa>, tensor<4x!qbb>) -> tensor<2x3x4x!qm>
  return %0, %1, %2, %3, %4 : tensor<2x3x4x!qs>, tensor<2x3x4x!qs>, tensor<2x3x4x!qs>, tensor<2x3x4x!qs>, tensor<2x3x4x!qm>
}

!qu = !quant.uniform<i8:f32, 5.000000e-02:-10>
!qp = !quant.uniform<u8:f32, 3.906250e-03>
!qt = !quant.uniform<i8:f32, 7.812500e-03>
!qe = !quant.uniform<u8:f32, 1.000000e-01>
!qsl = !quant.uniform<i8:f32, 1.000000e-02>
func.func @qunary(%x: tensor<4x16x!qu>, %s: tensor<16x!qsl>) -> (tensor<4x16x!qp>, tensor<4x16x!qt>, tensor<4x16x!qp>, tensor<4x16x!qu>, tensor<4x16x!qu>, tensor<4x16x!qe>, tensor<4x16x!qp>, tensor<4x16x!qu>, tensor<4x16x!qu>) {
  %0 = mote.sigmoid %x : (tensor<4x16x!qu>) -> tensor<4x16x!qp>
  %1 = mote.tanh %x : (tensor<4x16x!qu>) -> tensor<4x16x!qt>
  %2 = mote.hard_sigmoid %x {alpha = 0.2 : f32, beta = 0.5 : f32} : (tensor<4x16x!qu>) -> tensor<4x16x!qp>
  %3 = mote.hard_swish %x : (tensor<4x16x!qu>) -> tensor<4x16x!qu>
  %4 = mote.leaky_relu %x {alpha = 0.1 : f32} : (tensor<4x16x!qu>) -> tensor<4x16x!qu>
  %5 = mote.exp %x : (tensor<4x16x!qu>) -> tensor<4x16x!qe>
  %6 = mote.softmax %x {axis = 1} : (tensor<4x16x!qu>) -> tensor<4x16x!qp>
  %7 = mote.clamp %x {min = -1.0 : f32, max = 2.5 : f32} : tensor<4x16x!qu>
  %8 = mote.prelu %x, %s : (tensor<4x16x!qu>, tensor<16x!qsl>) -> tensor<4x16x!qu>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8 : tensor<4x16x!qp>, tensor<4x16x!qt>, tensor<4x16x!qp>, tensor<4x16x!qu>, tensor<4x16x!qu>, tensor<4x16x!qe>, tensor<4x16x!qp>, tensor<4x16x!qu>, tensor<4x16x!qu>
}

!qsel = !quant.uniform<i8:f32, 6.250000e-02>
!qlsm = !quant.uniform<i8:f32, 6.250000e-02:127>

// quantize(f(dequantize(x))) over every int8 input value.
func.func @qactivations(%x: tensor<16x16x!qu>) -> (tensor<16x16x!qu>, tensor<16x16x!qsel>, tensor<16x16x!qe>, tensor<16x16x!qlsm>) {
  %0 = mote.elu %x {alpha = 0.5 : f32} : (tensor<16x16x!qu>) -> tensor<16x16x!qu>
  %1 = mote.selu %x {alpha = 1.67326319217681884765625 : f32, gamma = 1.05070102214813232421875 : f32} : (tensor<16x16x!qu>) -> tensor<16x16x!qsel>
  %2 = mote.softplus %x : (tensor<16x16x!qu>) -> tensor<16x16x!qe>
  %3 = mote.log_softmax %x {axis = 1} : (tensor<16x16x!qu>) -> tensor<16x16x!qlsm>
  return %0, %1, %2, %3 : tensor<16x16x!qu>, tensor<16x16x!qsel>, tensor<16x16x!qe>, tensor<16x16x!qlsm>
}

!qi = !quant.uniform<i8:f32, 1.000000e-01:-3>
!qavg = !quant.uniform<i8:f32, 5.000000e-02:2>
func.func @qpools(%x: tensor<1x7x7x2x!qi>) -> (tensor<1x4x4x2x!qi>, tensor<1x4x4x2x!qavg>, tensor<1x4x4x2x!qavg>, tensor<1x3x3x2x!qi>) {
  %0 = mote.max_pool2d %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pad = array<i64: 1, 1, 1, 1>, ceil_mode = true} : (tensor<1x7x7x2x!qi>) -> tensor<1x4x4x2x!qi>
  %1 = mote.avg_pool2d %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pad = array<i64: 1, 0, 1, 0>, count_include_pad = true, ceil_mode = true} : (tensor<1x7x7x2x!qi>) -> tensor<1x4x4x2x!qavg>
  %2 = mote.avg_pool2d %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pad = array<i64: 1, 1, 1, 1>} : (tensor<1x7x7x2x!qi>) -> tensor<1x4x4x2x!qavg>
  %3 = mote.avg_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x7x7x2x!qi>) -> tensor<1x3x3x2x!qi>
  return %0, %1, %2, %3 : tensor<1x4x4x2x!qi>, tensor<1x4x4x2x!qavg>, tensor<1x4x4x2x!qavg>, tensor<1x3x3x2x!qi>
}

!qc = !quant.uniform<i8:f32, 1.000000e-01>
!qc2 = !quant.uniform<i8:f32, 2.000000e-01:5>
!q4 = !quant.uniform<i4:f32, 5.000000e-01>
func.func @qdata(%a: tensor<1x2x2x3x!qc>, %b: tensor<1x2x2x2x!qc2>, %l: tensor<2x8x!q4>) -> (tensor<1x2x2x5x!qc>, tensor<1x3x4x3x!qc2>, tensor<1x2x3x2x!qc2>, tensor<4x2x!qc2>, tensor<2x2x1x2x!qc2>, tensor<2x8x!qc>) {
  %0 = mote.concat %a, %b {axis = 3} : (tensor<1x2x2x3x!qc>, tensor<1x2x2x2x!qc2>) -> tensor<1x2x2x5x!qc>
  %1 = mote.pad %b {pads = array<i64: 0, 0, 1, 0, 1, 1, 0, 1>} : (tensor<1x2x2x2x!qc2>) -> tensor<1x3x4x3x!qc2>
  %2 = mote.pad %b {pads = array<i64: 0, 0, 0, 0, 0, 1, 0, 0>, value = 1.0 : f32} : (tensor<1x2x2x2x!qc2>) -> tensor<1x2x3x2x!qc2>
  %3 = mote.reshape %b : (tensor<1x2x2x2x!qc2>) -> tensor<4x2x!qc2>
  %4 = mote.transpose %b {perms = array<i64: 1, 2, 0, 3>} : (tensor<1x2x2x2x!qc2>) -> tensor<2x2x1x2x!qc2>
  %5 = mote.lut %l, dense<[-8, -7, -6, -5, -40, 30, 20, 10, 0, 1, 2, 3, 127, -128, 5, 6]> : tensor<16xi8> : (tensor<2x8x!q4>) -> tensor<2x8x!qc>
  return %0, %1, %2, %3, %4, %5 : tensor<1x2x2x5x!qc>, tensor<1x3x4x3x!qc2>, tensor<1x2x3x2x!qc2>, tensor<4x2x!qc2>, tensor<2x2x1x2x!qc2>, tensor<2x8x!qc>
}
