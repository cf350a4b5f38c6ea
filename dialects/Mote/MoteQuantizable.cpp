//===- MoteQuantizable.cpp - Which mote ops have an integer form ----------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The one list of the ops --mote-quantize gives an integer form, and how.
// The quantizer and the mixed-precision search both dispatch on it, so an
// op added here is quantized and searched alike.
//
//===----------------------------------------------------------------------===//

#include "Mote/MoteInterfaces.h"
#include "Mote/MoteOps.h"

using namespace mlir;
using namespace mote;

#include "Mote/MoteInterfaces.cpp.inc"

namespace {

/// An op whose integer form does not depend on its operands.
template <typename Op, QuantizationKind Kind>
struct FixedKindModel
    : QuantizableOpInterface::ExternalModel<FixedKindModel<Op, Kind>, Op> {
  QuantizationKind getQuantizationKind(Operation *) const { return Kind; }
};

/// conv2d and fully_connected: weights along axis 0. Weights that are not
/// constants keep the product in float (the quantizer says why).
template <typename Op>
struct WeightedProductModel
    : QuantizableOpInterface::ExternalModel<WeightedProductModel<Op>, Op> {
  QuantizationKind getQuantizationKind(Operation *) const {
    return QuantizationKind::Product;
  }
  ProductOperands getProductOperands(Operation *op) const {
    auto product = cast<Op>(op);
    return {op->getOperand(0), op->getOperand(1), product.getBias(), 0};
  }
};

/// matmul: a product with weights when its rhs is a float constant (per
/// channel along the rhs's last axis), else a product of two activations.
struct MatMulModel
    : QuantizableOpInterface::ExternalModel<MatMulModel, MatMulOp> {
  QuantizationKind getQuantizationKind(Operation *op) const {
    auto rhs = cast<MatMulOp>(op).getRhs().getDefiningOp<ConstantOp>();
    return rhs && cast<RankedTensorType>(rhs.getType()).getElementType().isF32()
               ? QuantizationKind::Product
               : QuantizationKind::Rescale;
  }
  ProductOperands getProductOperands(Operation *op) const {
    auto mm = cast<MatMulOp>(op);
    return {mm.getLhs(), mm.getRhs(), Value(),
            mm.getRhs().getType().getRank() - 1};
  }
};

template <QuantizationKind Kind, typename... Ops>
void attachFixed(MLIRContext &context) {
  (Ops::template attachInterface<FixedKindModel<Ops, Kind>>(context), ...);
}

} // namespace

void mote::registerQuantizableOpModels(MLIRContext &context) {
  Conv2DOp::attachInterface<WeightedProductModel<Conv2DOp>>(context);
  FullyConnectedOp::attachInterface<WeightedProductModel<FullyConnectedOp>>(
      context);
  MatMulOp::attachInterface<MatMulModel>(context);
  attachFixed<QuantizationKind::Rescale, AddOp, SubOp, MulOp, MaximumOp,
              MinimumOp, ConcatOp, AvgPool2DOp, PReluOp, ReduceSumOp,
              ReduceMeanOp>(context);
  attachFixed<QuantizationKind::SameType, MaxPool2DOp, ReshapeOp, TransposeOp,
              PadOp, ClampOp, SliceOp, ResizeOp, ReduceMaxOp, ReduceMinOp>(
      context);
  // Every real function of one tensor the interpreter evaluates
  // (interp::getUnaryFunction): the table is built from it.
  attachFixed<QuantizationKind::Table, SigmoidOp, TanhOp, ExpOp, HardSwishOp,
              HardSigmoidOp, LeakyReluOp, EluOp, SeluOp, SoftplusOp, SqrtOp,
              ReciprocalOp, LogOp, ErfOp, SiluOp, GeluOp, PowOp>(context);
}
