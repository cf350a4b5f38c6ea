// RUN: mote-opt %s --tosa-to-mote="strict-rounding=true" --verify-diagnostics

// With strict-rounding, a rounding mode that mote's single rounding does
// not reproduce bit for bit is an error instead of a warning.
func.func @double_round(%arg0: tensor<4xi32>) -> tensor<4xi8> {
  %m = "tosa.const"() <{values = dense<1073741824> : tensor<1xi32>}> : () -> tensor<1xi32>
  %s = "tosa.const"() <{values = dense<40> : tensor<1xi8>}> : () -> tensor<1xi8>
  %zp32 = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
  %zp8 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  // expected-error @+1 {{cannot convert 'tosa.rescale' to mote: DOUBLE_ROUND rounding is not reproduced bit for bit by mote's single rounding (strict-rounding is set)}}
  %0 = tosa.rescale %arg0, %m, %s, %zp32, %zp8 {rounding_mode = DOUBLE_ROUND, scale32 = true, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<4xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<4xi8>
  return %0 : tensor<4xi8>
}
