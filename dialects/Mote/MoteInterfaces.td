//===- MoteInterfaces.td - Mote op interfaces --------------*- tablegen -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Interfaces the quantizer and the mixed-precision search dispatch on, so
// that which ops have an integer form, and which form, is written once.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_DIALECT_MOTEINTERFACES_TD
#define MOTE_DIALECT_MOTEINTERFACES_TD

include "mlir/IR/OpBase.td"

def Mote_QuantizableOpInterface : OpInterface<"QuantizableOpInterface"> {
  let cppNamespace = "::mote";
  let description = [{
    An op on f32 tensors that `--mote-quantize` can give an integer form.
    The kind says how (docs/Quantization.md):

    - `Product`: conv2d, fully_connected and matmul with constant weights.
      Symmetric narrow-range weights (per channel along the product's
      weight axis), an i32 bias at `s_x · s_w`, the result requantized to
      its calibrated range.
    - `Rescale`: an op whose operands are rescaled to its own result type
      (add, sub, mul, maximum, minimum, concat, avg_pool2d, prelu,
      reduce_sum, reduce_mean, matmul of two activations).
    - `SameType`: data movement and order statistics that keep their
      input's type (max_pool2d, reshape, transpose, pad, clamp, slice,
      resize, reduce_max, reduce_min).
    - `Table`: an elementwise real function, quantized as a `mote.lut` of
      `2^bits` entries.

    The models are attached to the `mote` ops by
    `registerQuantizableOpModels` (dialects/Mote/MoteQuantizable.cpp), one
    line per op. Ops without the interface stay in float (softmax,
    layer_norm, div, ...): the quantizer dequantizes around them.
  }];
  let methods = [
    InterfaceMethod<[{
        How the quantizer gives this op an integer form.
      }],
      "::mote::QuantizationKind", "getQuantizationKind", (ins)>,
    InterfaceMethod<[{
        For `Product` ops: the activation input, the weight, the optional
        bias and the weight's output-channel axis.
      }],
      "::mote::ProductOperands", "getProductOperands", (ins), /*body=*/"",
      /*defaultImplementation=*/[{ return {}; }]>,
  ];
}

#endif // MOTE_DIALECT_MOTEINTERFACES_TD
