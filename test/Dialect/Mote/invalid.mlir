// RUN: mote-opt %s -split-input-file -verify-diagnostics

func.func @conv_rank(%x: tensor<8x8x3xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<1x8x8x16xf32> {
  // expected-error @+1 {{input must be rank 4 (NHWC), got 8x8x3}}
  %y = mote.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>} : (tensor<8x8x3xf32>, tensor<16x3x3x3xf32>) -> tensor<1x8x8x16xf32>
  return %y : tensor<1x8x8x16xf32>
}

// -----

func.func @conv_shape(%x: tensor<1x8x8x3xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<1x8x8x16xf32> {
  // expected-error @+1 {{result shape 1x8x8x16 does not match the inferred NHWC shape 1x6x6x16}}
  %y = mote.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x8x8x3xf32>, tensor<16x3x3x3xf32>) -> tensor<1x8x8x16xf32>
  return %y : tensor<1x8x8x16xf32>
}

// -----

func.func @conv_groups(%x: tensor<1x8x8x6xf32>, %w: tensor<4x3x3x2xf32>) -> tensor<1x6x6x4xf32> {
  // expected-error @+1 {{filter has 2 input channels per group; expected input channels / groups = 3}}
  %y = mote.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, groups = 2} : (tensor<1x8x8x6xf32>, tensor<4x3x3x2xf32>) -> tensor<1x6x6x4xf32>
  return %y : tensor<1x6x6x4xf32>
}

// -----

func.func @conv_groups_divide(%x: tensor<1x8x8x6xf32>, %w: tensor<4x3x3x1xf32>) -> tensor<1x6x6x4xf32> {
  // expected-error @+1 {{input channels (6) and output channels (4) must both be divisible by groups (6)}}
  %y = mote.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, groups = 6} : (tensor<1x8x8x6xf32>, tensor<4x3x3x1xf32>) -> tensor<1x6x6x4xf32>
  return %y : tensor<1x6x6x4xf32>
}

// -----

func.func @conv_window(%x: tensor<1x2x2x3xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x1x1x4xf32> {
  // expected-error @+1 {{window 3x3 (dilated) does not fit the padded input 1x2x2x3}}
  %y = mote.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x2x2x3xf32>, tensor<4x3x3x3xf32>) -> tensor<1x1x1x4xf32>
  return %y : tensor<1x1x1x4xf32>
}

// -----

func.func @conv_strides(%x: tensor<1x8x8x3xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x6x6x4xf32> {
  // expected-error @+1 {{strides must be two positive integers [sh, sw]}}
  %y = mote.conv2d %x, %w {strides = array<i64: 0, 1>, dilations = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x8x8x3xf32>, tensor<4x3x3x3xf32>) -> tensor<1x6x6x4xf32>
  return %y : tensor<1x6x6x4xf32>
}

// -----

func.func @conv_pad(%x: tensor<1x8x8x3xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x6x6x4xf32> {
  // expected-error @+1 {{pad must be four non-negative integers [top, bottom, left, right]}}
  %y = mote.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pad = array<i64: 0, 0>} : (tensor<1x8x8x3xf32>, tensor<4x3x3x3xf32>) -> tensor<1x6x6x4xf32>
  return %y : tensor<1x6x6x4xf32>
}

// -----

func.func @conv_bias(%x: tensor<1x8x8x3xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<5xf32>) -> tensor<1x6x6x4xf32> {
  // expected-error @+1 {{bias must have shape 4 (one per output channel), got 5}}
  %y = mote.conv2d %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x8x8x3xf32>, tensor<4x3x3x3xf32>, tensor<5xf32>) -> tensor<1x6x6x4xf32>
  return %y : tensor<1x6x6x4xf32>
}

// -----

!qa = !quant.uniform<i8:f32, 0.05>
func.func @conv_mixed(%x: tensor<1x8x8x3x!qa>, %w: tensor<4x3x3x3xf32>) -> tensor<1x6x6x4x!qa> {
  // expected-error @+1 {{mixes float and quantized tensors}}
  %y = mote.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x8x8x3x!qa>, tensor<4x3x3x3xf32>) -> tensor<1x6x6x4x!qa>
  return %y : tensor<1x6x6x4x!qa>
}

// -----

!qa = !quant.uniform<i8:f32, 0.5>
!qw = !quant.uniform<i8:f32:0, {0.25, 0.5}>
!qb = !quant.uniform<i32:f32:0, {0.125, 0.5}>
func.func @conv_bias_scale(%x: tensor<1x1x1x3x!qa>, %w: tensor<2x1x1x3x!qw>, %b: tensor<2x!qb>) -> tensor<1x1x1x2x!qa> {
  // expected-error @+1 {{bias scale 5.000000e-01 of channel 1 must equal input scale * weight scale = 2.500000e-01}}
  %y = mote.conv2d %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x1x1x3x!qa>, tensor<2x1x1x3x!qw>, tensor<2x!qb>) -> tensor<1x1x1x2x!qa>
  return %y : tensor<1x1x1x2x!qa>
}

// -----

!qa = !quant.uniform<i8:f32, 0.5>
!qw = !quant.uniform<i8:f32:3, {0.25, 0.5, 0.5}>
func.func @conv_weight_axis(%x: tensor<1x1x1x3x!qa>, %w: tensor<2x1x1x3x!qw>) -> tensor<1x1x1x2x!qa> {
  // expected-error @+1 {{weight must be quantized per tensor or along its output-channel axis 0, not axis 3}}
  %y = mote.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x1x1x3x!qa>, tensor<2x1x1x3x!qw>) -> tensor<1x1x1x2x!qa>
  return %y : tensor<1x1x1x2x!qa>
}

// -----

!qa = !quant.uniform<i8:f32, 0.5>
!qw = !quant.uniform<i8:f32:0, {0.25, 0.5, 0.5}>
func.func @per_axis_count(%x: tensor<1x1x1x3x!qa>, %w: tensor<2x1x1x3x!qw>) -> tensor<1x1x1x2x!qa> {
  // expected-error @+1 {{operand #1 has 3 per-axis scales but dimension 0 has size 2}}
  %y = mote.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x1x1x3x!qa>, tensor<2x1x1x3x!qw>) -> tensor<1x1x1x2x!qa>
  return %y : tensor<1x1x1x2x!qa>
}

// -----

!qa = !quant.uniform<i8:f32, 0.5>
!qw = !quant.uniform<i8:f32, 0.25>
!qacc = !quant.uniform<i32:f32, 0.5>
func.func @accumulator_scale(%x: tensor<1x1x1x3x!qa>, %w: tensor<2x1x1x3x!qw>) -> tensor<1x1x1x2x!qacc> {
  // expected-error @+1 {{32-bit accumulator result scale 5.000000e-01 of channel 0 must equal input scale * weight scale = 1.250000e-01}}
  %y = mote.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x1x1x3x!qa>, tensor<2x1x1x3x!qw>) -> tensor<1x1x1x2x!qacc>
  return %y : tensor<1x1x1x2x!qacc>
}

// -----

!qa = !quant.uniform<i8:f32, 1.0>
!qw = !quant.uniform<i8:f32, 1.0>
!qtiny = !quant.uniform<i8:f32, 1.0e-10>
func.func @requant_range(%x: tensor<1x1x1x3x!qa>, %w: tensor<2x1x1x3x!qw>) -> tensor<1x1x1x2x!qtiny> {
  // expected-error @+1 {{implies a requantization ratio 1.000000e+10 that no 32-bit multiplier with shift in [1, 62] expresses}}
  %y = mote.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x1x1x3x!qa>, tensor<2x1x1x3x!qw>) -> tensor<1x1x1x2x!qtiny>
  return %y : tensor<1x1x1x2x!qtiny>
}

// -----

func.func @matmul_inner(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<2x5xf32> {
  // expected-error @+1 {{operand shapes 2x3 and 4x5 are incompatible}}
  %0 = mote.matmul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

func.func @matmul_result(%a: tensor<2x3xf32>, %b: tensor<3x5xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{result shape 2x4 does not match the inferred shape 2x5}}
  %0 = mote.matmul %a, %b : (tensor<2x3xf32>, tensor<3x5xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @fc_features(%x: tensor<2x4xf32>, %w: tensor<6x5xf32>) -> tensor<2x6xf32> {
  // expected-error @+1 {{input 2x4 must end in the weight's input features (5)}}
  %0 = mote.fully_connected %x, %w : (tensor<2x4xf32>, tensor<6x5xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @add_broadcast(%a: tensor<2x3xf32>, %b: tensor<4xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{operand shapes 2x3 and 4 do not broadcast}}
  %0 = mote.add %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

!q = !quant.uniform<i8:f32, 0.5>
func.func @div_quantized(%a: tensor<4x!q>, %b: tensor<4x!q>) -> tensor<4x!q> {
  // expected-error @+1 {{has no quantized form; keep it in float}}
  %0 = mote.div %a, %b : (tensor<4x!q>, tensor<4x!q>) -> tensor<4x!q>
  return %0 : tensor<4x!q>
}

// -----

func.func @dynamic(%a: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{must be statically shaped tensor}}
  %0 = mote.sigmoid %a : (tensor<?x4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

func.func @integer_tensor(%a: tensor<4xi8>) -> tensor<4xi8> {
  // expected-error @+1 {{must be statically shaped tensor of 32-bit float or uniform quantized type values}}
  %0 = mote.tanh %a : (tensor<4xi8>) -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

func.func @clamp_bounds(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{min (6.000000e+00) must not exceed max (0.000000e+00)}}
  %0 = mote.clamp %a {min = 6.0 : f32, max = 0.0 : f32} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

!q = !quant.uniform<i8:f32, 0.5>
func.func @lut_size(%a: tensor<4x!q>) -> tensor<4x!q> {
  // expected-error @+1 {{table must be rank 1 with 2^8 = 256 entries, got 16}}
  %0 = mote.lut %a, dense<0> : tensor<16xi8> : (tensor<4x!q>) -> tensor<4x!q>
  return %0 : tensor<4x!q>
}

// -----

!q = !quant.uniform<i8:f32, 0.5>
!u = !quant.uniform<u8:f32, 0.5>
func.func @lut_type(%a: tensor<4x!q>) -> tensor<4x!u> {
  // expected-error @+1 {{table elements must be the result storage type 'i8', got 'i16'}}
  %0 = mote.lut %a, dense<0> : tensor<256xi16> : (tensor<4x!q>) -> tensor<4x!u>
  return %0 : tensor<4x!u>
}

// -----

func.func @softmax_axis(%a: tensor<2x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = mote.softmax %a {axis = 2} : (tensor<2x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @log_softmax_axis(%a: tensor<2x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{axis -1 is out of range for rank 2}}
  %0 = mote.log_softmax %a {axis = -1} : (tensor<2x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @softplus_mixed(%a: tensor<2x4xf32>) -> tensor<2x4x!quant.uniform<u8:f32, 0.1>> {
  // expected-error @+1 {{mixes float and quantized tensors}}
  %0 = mote.softplus %a : (tensor<2x4xf32>) -> tensor<2x4x!quant.uniform<u8:f32, 0.1>>
  return %0 : tensor<2x4x!quant.uniform<u8:f32, 0.1>>
}

// -----

func.func @maxpool_shape(%x: tensor<1x5x5x8xf32>) -> tensor<1x2x2x8xf32> {
  // expected-error @+1 {{result shape 1x2x2x8 does not match the inferred NHWC shape 1x3x3x8}}
  %0 = mote.max_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, ceil_mode = true} : (tensor<1x5x5x8xf32>) -> tensor<1x2x2x8xf32>
  return %0 : tensor<1x2x2x8xf32>
}

// -----

!q = !quant.uniform<i8:f32, 0.5>
!r = !quant.uniform<i8:f32, 0.25>
func.func @maxpool_rescale(%x: tensor<1x4x4x8x!q>) -> tensor<1x2x2x8x!r> {
  // expected-error @+1 {{input and result element types must match (max pooling never rescales)}}
  %0 = mote.max_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x4x4x8x!q>) -> tensor<1x2x2x8x!r>
  return %0 : tensor<1x2x2x8x!r>
}

// -----

func.func @concat_sum(%a: tensor<1x2xf32>, %b: tensor<1x3xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{result has 4 elements along axis 1 but the inputs add up to 5}}
  %0 = mote.concat %a, %b {axis = 1} : (tensor<1x2xf32>, tensor<1x3xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @concat_other_dims(%a: tensor<1x2xf32>, %b: tensor<2x3xf32>) -> tensor<1x5xf32> {
  // expected-error @+1 {{input #1 shape 2x3 differs from the result 1x5 outside the concatenation axis}}
  %0 = mote.concat %a, %b {axis = 1} : (tensor<1x2xf32>, tensor<2x3xf32>) -> tensor<1x5xf32>
  return %0 : tensor<1x5xf32>
}

// -----

func.func @reshape_count(%a: tensor<2x3xf32>) -> tensor<7xf32> {
  // expected-error @+1 {{cannot reshape 2x3 (6 elements) to 7 (7 elements)}}
  %0 = mote.reshape %a : (tensor<2x3xf32>) -> tensor<7xf32>
  return %0 : tensor<7xf32>
}

// -----

!q = !quant.uniform<i8:f32, 0.5>
!r = !quant.uniform<i8:f32, 0.25>
func.func @reshape_requant(%a: tensor<2x3x!q>) -> tensor<6x!r> {
  // expected-error @+1 {{input and result element types must match}}
  %0 = mote.reshape %a : (tensor<2x3x!q>) -> tensor<6x!r>
  return %0 : tensor<6x!r>
}

// -----

func.func @transpose_perm(%a: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{perms must be a permutation of [0, rank)}}
  %0 = mote.transpose %a {perms = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @transpose_shape(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{result shape 2x3 is not the input 2x3 permuted}}
  %0 = mote.transpose %a {perms = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @pad_count(%a: tensor<2x3xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{pads must hold 2 * rank = 4 values [low_0, high_0, ...], got 2}}
  %0 = mote.pad %a {pads = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @constant_shape() -> tensor<3xf32> {
  // expected-error @+1 {{value shape 2 does not match result shape 3}}
  %0 = mote.constant dense<[1.0, 2.0]> : tensor<2xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

!q = !quant.uniform<i8:f32, 0.5>
func.func @constant_storage() -> tensor<2x!q> {
  // expected-error @+1 {{value element type 'f32' must be the result's storage type 'i8'}}
  %0 = mote.constant dense<[1.0, 2.0]> : tensor<2xf32> -> tensor<2x!q>
  return %0 : tensor<2x!q>
}

// -----

!q = !quant.uniform<i8:f32, 0.5>
!r = !quant.uniform<i8:f32:0, {0.5, 0.25}>
func.func @requant_axis(%a: tensor<2x!q>) -> tensor<2x!r> {
  // expected-error @+1 {{a per-axis result needs an input quantized along the same axis}}
  %0 = mote.requant %a : (tensor<2x!q>) -> tensor<2x!r>
  return %0 : tensor<2x!r>
}

// -----

func.func @quantize_float_result(%a: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{result #0 must be statically shaped tensor of uniform quantized type values}}
  %0 = mote.quantize %a : (tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @reduce_axis_range(%x: tensor<2x3xf32>) -> tensor<2x1xf32> {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = mote.reduce_sum %x {axes = array<i64: 2>} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

func.func @reduce_axes_sorted(%x: tensor<2x3xf32>) -> tensor<1x1xf32> {
  // expected-error @+1 {{axes must be sorted and distinct}}
  %0 = mote.reduce_mean %x {axes = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}

// -----

func.func @reduce_shape(%x: tensor<2x3xf32>) -> tensor<2x1xf32> {
  // expected-error @+1 {{result shape 2x1 does not match the reduced shape 2}}
  %0 = mote.reduce_max %x {axes = array<i64: 1>, keepdims = false} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

func.func @reduce_max_rescale(%x: tensor<2x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x1x!quant.uniform<i8:f32, 0.2>> {
  // expected-error @+1 {{input and result element types must match (a quantized max or min never rescales)}}
  %0 = mote.reduce_max %x {axes = array<i64: 1>} : (tensor<2x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x1x!quant.uniform<i8:f32, 0.2>>
  return %0 : tensor<2x1x!quant.uniform<i8:f32, 0.2>>
}

// -----

func.func @reduce_mixed(%x: tensor<2x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x1xf32> {
  // expected-error @+1 {{mixes float and quantized tensors}}
  %0 = mote.reduce_mean %x {axes = array<i64: 1>} : (tensor<2x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

func.func @sqrt_per_axis(%x: tensor<2x3x!quant.uniform<i8:f32:1, {0.1, 0.2, 0.3}>>) -> tensor<2x3x!quant.uniform<i8:f32, 0.1>> {
  // expected-error @+1 {{input must be quantized per tensor, not per axis}}
  %0 = mote.sqrt %x : (tensor<2x3x!quant.uniform<i8:f32:1, {0.1, 0.2, 0.3}>>) -> tensor<2x3x!quant.uniform<i8:f32, 0.1>>
  return %0 : tensor<2x3x!quant.uniform<i8:f32, 0.1>>
}

// -----

func.func @pow_exponent(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{exponent must be a finite number}}
  %0 = mote.pow %x {exponent = 0x7F800000 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @gelu_shape(%x: tensor<4xf32>) -> tensor<5xf32> {
  // expected-error @+1 {{requires the same shape for all operands and results}}
  %0 = mote.gelu %x : (tensor<4xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

func.func @layer_norm_axis(%x: tensor<2x8xf32>, %g: tensor<8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = mote.layer_norm %x, %g {axis = 2 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @layer_norm_scale(%x: tensor<2x8xf32>, %g: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{scale 2x8 must broadcast to the normalized shape 8}}
  %0 = mote.layer_norm %x, %g {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @layer_norm_eps(%x: tensor<2x8xf32>, %g: tensor<8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{epsilon must be finite and non-negative, got -1}}
  %0 = mote.layer_norm %x, %g {axis = 1 : i64, epsilon = -1.0 : f32} : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @layer_norm_quantized(%x: tensor<2x8x!quant.uniform<i8:f32, 0.1>>, %g: tensor<8xf32>) -> tensor<2x8x!quant.uniform<i8:f32, 0.1>> {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of 32-bit float values}}
  %0 = mote.layer_norm %x, %g {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x8x!quant.uniform<i8:f32, 0.1>>, tensor<8xf32>) -> tensor<2x8x!quant.uniform<i8:f32, 0.1>>
  return %0 : tensor<2x8x!quant.uniform<i8:f32, 0.1>>
}
