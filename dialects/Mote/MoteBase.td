//===- MoteBase.td - Mote dialect definition ---------------*- tablegen -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The `mote` dialect: graph-level tensor operations on float or on
// uniformly quantized (`!quant.uniform`) tensors, in NHWC layout.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_DIALECT_MOTEBASE_TD
#define MOTE_DIALECT_MOTEBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def Mote_Dialect : Dialect {
  let name = "mote";
  let cppNamespace = "::mote";
  let summary = "Graph-level neural-network operations for the Mote NPU";
  let description = [{
    The `mote` dialect holds a neural network between import and lowering to
    the Mote NPU. Activations are NHWC, convolution filters are OHWI
    (`[out_channels, kernel_h, kernel_w, in_channels / groups]`) and
    fully-connected weights are `[out_features, in_features]`.

    Every compute op works either on `f32` tensors or on uniformly quantized
    tensors (`!quant.uniform`, per tensor or per axis). A quantized op's
    meaning is fixed by the types of its operands and result alone: scales
    and zero points live in the types, never in side attributes, and the
    integer arithmetic that realises it (round half to even, int32
    accumulation, single-rounding requantization with a 32-bit multiplier)
    is defined once in `mote/Numerics/Numerics.h` (see `docs/Numerics.md`).

    A quantized result with 32-bit storage is an *accumulator*: its scale is
    the product of the operand scales and nothing is requantized. A result
    with narrower storage implies requantization to the result's type.
  }];
  let dependentDialects = ["::mlir::quant::QuantDialect"];
  let hasConstantMaterializer = 1;
}

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def Mote_QuantizedElement : Type<
    CPred<"::llvm::isa<::mlir::quant::UniformQuantizedType, "
          "::mlir::quant::UniformQuantizedPerAxisType>($_self)">,
    "uniform quantized type">;

def Mote_PerTensorQuantizedElement : Type<
    CPred<"::llvm::isa<::mlir::quant::UniformQuantizedType>($_self)">,
    "per-tensor uniform quantized type">;

def Mote_Element : AnyTypeOf<[F32, Mote_QuantizedElement]>;

/// Any statically shaped tensor Mote computes on: f32 or quantized.
def Mote_Tensor : StaticShapeTensorOf<[Mote_Element]>;
def Mote_FloatTensor : StaticShapeTensorOf<[F32]>;
def Mote_QuantizedTensor : StaticShapeTensorOf<[Mote_QuantizedElement]>;

//===----------------------------------------------------------------------===//
// Base op class
//===----------------------------------------------------------------------===//

class Mote_Op<string mnemonic, list<Trait> traits = []>
    : Op<Mote_Dialect, mnemonic, traits>;

#endif // MOTE_DIALECT_MOTEBASE_TD
