// RUN: mote-opt %s -split-input-file -verify-diagnostics

func.func @slice_out_of_range(%x: tensor<4x5xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{dimension 1: 3 elements from 1 in steps of 2 leave the input extent 5}}
  %y = mote.slice %x {starts = array<i64: 0, 1>, steps = array<i64: 1, 2>} : (tensor<4x5xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

func.func @slice_negative_walks_off(%x: tensor<4xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{dimension 0: 3 elements from 1 in steps of -1 leave the input extent 4}}
  %y = mote.slice %x {starts = array<i64: 1>, steps = array<i64: -1>} : (tensor<4xf32>) -> tensor<3xf32>
  return %y : tensor<3xf32>
}

// -----

func.func @slice_zero_step(%x: tensor<4xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{step of dimension 0 is zero}}
  %y = mote.slice %x {starts = array<i64: 0>, steps = array<i64: 0>} : (tensor<4xf32>) -> tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

func.func @slice_attr_length(%x: tensor<4x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{starts and steps must hold one value per dimension (2)}}
  %y = mote.slice %x {starts = array<i64: 0>, steps = array<i64: 1>} : (tensor<4x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @slice_type(%x: tensor<4x!quant.uniform<u8:f32, 0.5:10>>) -> tensor<2x!quant.uniform<u8:f32, 0.25:10>> {
  // expected-error @+1 {{input and result element types must match}}
  %y = mote.slice %x {starts = array<i64: 0>, steps = array<i64: 1>} : (tensor<4x!quant.uniform<u8:f32, 0.5:10>>) -> tensor<2x!quant.uniform<u8:f32, 0.25:10>>
  return %y : tensor<2x!quant.uniform<u8:f32, 0.25:10>>
}

// -----

func.func @resize_mode(%x: tensor<1x2x2x1xf32>) -> tensor<1x4x4x1xf32> {
  // expected-error @+1 {{mode 'cubic' is not one of nearest, linear}}
  %y = mote.resize %x {mode = "cubic", coordinate_mode = "half_pixel", nearest_mode = "floor", scales = array<f64: 1.0, 2.0, 2.0, 1.0>} : (tensor<1x2x2x1xf32>) -> tensor<1x4x4x1xf32>
  return %y : tensor<1x4x4x1xf32>
}

// -----

func.func @resize_coord(%x: tensor<1x2x2x1xf32>) -> tensor<1x4x4x1xf32> {
  // expected-error @+1 {{coordinate_mode 'tf_crop_and_resize' is not one of}}
  %y = mote.resize %x {mode = "linear", coordinate_mode = "tf_crop_and_resize", nearest_mode = "floor", scales = array<f64: 1.0, 2.0, 2.0, 1.0>} : (tensor<1x2x2x1xf32>) -> tensor<1x4x4x1xf32>
  return %y : tensor<1x4x4x1xf32>
}

// -----

func.func @resize_nearest_mode(%x: tensor<1x2x2x1xf32>) -> tensor<1x4x4x1xf32> {
  // expected-error @+1 {{nearest_mode 'round' is not one of}}
  %y = mote.resize %x {mode = "nearest", coordinate_mode = "half_pixel", nearest_mode = "round", scales = array<f64: 1.0, 2.0, 2.0, 1.0>} : (tensor<1x2x2x1xf32>) -> tensor<1x4x4x1xf32>
  return %y : tensor<1x4x4x1xf32>
}

// -----

func.func @resize_scales(%x: tensor<1x2x2x1xf32>) -> tensor<1x4x4x1xf32> {
  // expected-error @+1 {{scales must hold one value per dimension (4)}}
  %y = mote.resize %x {mode = "nearest", coordinate_mode = "half_pixel", nearest_mode = "floor", scales = array<f64: 2.0, 2.0>} : (tensor<1x2x2x1xf32>) -> tensor<1x4x4x1xf32>
  return %y : tensor<1x4x4x1xf32>
}

// -----

func.func @resize_scale_value(%x: tensor<1x2x2x1xf32>) -> tensor<1x4x4x1xf32> {
  // expected-error @+1 {{scale 0.000000e+00 is not a positive number}}
  %y = mote.resize %x {mode = "nearest", coordinate_mode = "half_pixel", nearest_mode = "floor", scales = array<f64: 1.0, 2.0, 0.0, 1.0>} : (tensor<1x2x2x1xf32>) -> tensor<1x4x4x1xf32>
  return %y : tensor<1x4x4x1xf32>
}
