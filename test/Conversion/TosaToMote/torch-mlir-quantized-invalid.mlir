// RUN: mote-opt %s --split-input-file --tosa-to-mote --verify-diagnostics

// Float requantization chains that are not exactly a quantization mote
// can express fail on the op where recognition stops.

// Round half up by floor(x + 0.5) is not mote's round half to even.
func.func @floor_rounding(%arg0: tensor<4xf32>) -> tensor<4xi8> {
  %c = "tosa.const"() <{values = dense<10.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %h = "tosa.const"() <{values = dense<0.5> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.mul %arg0, %c, %shift : (tensor<4xf32>, tensor<1xf32>, tensor<1xi8>) -> tensor<4xf32>
  %1 = tosa.add %0, %h : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  // expected-error @+1 {{cannot convert 'tosa.floor' to mote: float rounding is only recognised as part of a quantization}}
  %2 = tosa.floor %1 : (tensor<4xf32>) -> tensor<4xf32>
  %3 = tosa.cast %2 : (tensor<4xf32>) -> tensor<4xi8>
  return %3 : tensor<4xi8>
}

// -----

// A rounding offset added before the cast.
func.func @half_offset(%arg0: tensor<4xf32>) -> tensor<4xi8> {
  %c = "tosa.const"() <{values = dense<10.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %h = "tosa.const"() <{values = dense<0.5> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.mul %arg0, %c, %shift : (tensor<4xf32>, tensor<1xf32>, tensor<1xi8>) -> tensor<4xf32>
  %1 = tosa.add %0, %h : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  // expected-error @+1 {{cannot convert 'tosa.cast' to mote: the value added before the cast is not an integral constant zero point}}
  %2 = tosa.cast %1 : (tensor<4xf32>) -> tensor<4xi8>
  return %2 : tensor<4xi8>
}

// -----

// A cast of a value that is not scaled by a constant: which quantization?
func.func @unscaled(%arg0: tensor<4xf32>, %arg1: tensor<4xf32>) -> tensor<4xi8> {
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.mul %arg0, %arg1, %shift : (tensor<4xf32>, tensor<4xf32>, tensor<1xi8>) -> tensor<4xf32>
  // expected-error @+1 {{cannot convert 'tosa.cast' to mote: the value cast to an integer is not x · c with a positive constant c}}
  %1 = tosa.cast %0 : (tensor<4xf32>) -> tensor<4xi8>
  return %1 : tensor<4xi8>
}
