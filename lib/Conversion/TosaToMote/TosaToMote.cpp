//===- TosaToMote.cpp - The --tosa-to-mote pass ---------------------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Drives the TOSA → mote patterns. Plain-integer function arguments are
// first given quantized types (scale 1.0, the zero point their consumers
// declare); the patterns then convert the graph in dataflow order, each
// firing once its operands are mote values. Ops left over are reported at
// the first op of each unconvertible chain, with the reason its pattern
// gave. A last greedy run sinks elementwise ops through transposes.
//
//===----------------------------------------------------------------------===//

#include "mote/Conversion/Passes.h"
#include "mote/Transforms/Passes.h"

#include "TosaToMoteCommon.h"

#include "Mote/MoteOps.h"
#include "Mote/MoteTypeUtils.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mote {
#define GEN_PASS_DEF_TOSATOMOTE
#include "mote/Conversion/Passes.h.inc"
} // namespace mote

using namespace mlir;
using namespace mote;
using namespace mote::tosa_to_mote;

namespace {

/// Zero point and signedness a plain-integer graph input must have, as its
/// consumers declare them. Looks through zero-point-preserving data
/// movement. Returns failure (after an error) on conflicting declarations.
struct ArgQuantization {
  std::optional<int64_t> zeroPoint;
  bool isUnsigned = false;
};

static LogicalResult collectZeroPoints(Value value, ArgQuantization &result,
                                       BlockArgument arg, unsigned depth = 0) {
  if (depth > 16)
    return success();
  for (OpOperand &use : value.getUses()) {
    Operation *user = use.getOwner();
    unsigned index = use.getOperandNumber();
    Value zp;
    bool isUnsigned = false;
    if (auto conv = dyn_cast<tosa::Conv2DOp>(user)) {
      if (index == 0)
        zp = conv.getInputZp();
    } else if (auto conv = dyn_cast<tosa::DepthwiseConv2DOp>(user)) {
      if (index == 0)
        zp = conv.getInputZp();
    } else if (auto matmul = dyn_cast<tosa::MatMulOp>(user)) {
      zp = index == 0 ? matmul.getAZp() : matmul.getBZp();
    } else if (auto pool = dyn_cast<tosa::AvgPool2dOp>(user)) {
      zp = pool.getInputZp();
    } else if (auto rescale = dyn_cast<tosa::RescaleOp>(user)) {
      if (index == 0) {
        zp = rescale.getInputZp();
        isUnsigned = rescale.getInputUnsigned();
      }
    } else if (isa<tosa::ReshapeOp, tosa::TransposeOp, tosa::PadOp,
                   tosa::ConcatOp, tosa::MaxPool2dOp, tosa::IdentityOp,
                   tosa::ClampOp>(user)) {
      if (failed(collectZeroPoints(user->getResult(0), result, arg, depth + 1)))
        return failure();
      continue;
    }
    if (!zp)
      continue;
    auto value = getZeroPoint(zp, isUnsigned);
    if (!value)
      return emitError(arg.getLoc())
             << "graph input #" << arg.getArgNumber()
             << ": the zero point of its consumer '" << user->getName()
             << "' is not a constant";
    if (result.zeroPoint &&
        (*result.zeroPoint != *value || result.isUnsigned != isUnsigned))
      return emitError(arg.getLoc())
             << "graph input #" << arg.getArgNumber()
             << " is used with different zero points (" << *result.zeroPoint
             << " and " << *value << "); mote needs one per tensor";
    result.zeroPoint = value;
    result.isUnsigned = isUnsigned;
  }
  return success();
}

/// Gives plain-integer arguments quantized types: scale 1.0 and the zero
/// point their consumers declare. Records the TOSA type in an attribute.
static LogicalResult retypeArguments(func::FuncOp func) {
  if (func.isExternal())
    return success();
  Block &entry = func.getBody().front();
  MLIRContext *context = func.getContext();
  for (BlockArgument arg : entry.getArguments()) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type)
      continue;
    if (!type.hasStaticShape())
      return emitError(arg.getLoc())
             << "graph input #" << arg.getArgNumber() << " has a dynamic "
             << "shape " << type << "; mote needs static shapes";
    auto intType = dyn_cast<IntegerType>(type.getElementType());
    if (!intType)
      continue;
    if (intType.getWidth() != 8 && intType.getWidth() != 16 &&
        intType.getWidth() != 32)
      return emitError(arg.getLoc())
             << "graph input #" << arg.getArgNumber() << " of type " << type
             << " is not an 8, 16 or 32-bit integer tensor";
    ArgQuantization q;
    if (failed(collectZeroPoints(arg, q, arg)))
      return failure();
    Type element = makeQuantType(context, intType.getWidth(), !q.isUnsigned,
                                 1.0, q.zeroPoint.value_or(0));
    arg.setType(type.clone(element));
    func.setArgAttr(arg.getArgNumber(), "mote.tosa_type", TypeAttr::get(type));
  }
  return success();
}

/// Updates the function type to the converted argument and result types.
static void updateSignature(func::FuncOp func) {
  Block &entry = func.getBody().front();
  auto ret = dyn_cast<func::ReturnOp>(entry.getTerminator());
  SmallVector<Type> results(func.getFunctionType().getResults());
  if (ret) {
    for (auto [i, operand] : llvm::enumerate(ret.getOperands())) {
      if (operand.getType() != results[i])
        func.setResultAttr(i, "mote.tosa_type", TypeAttr::get(results[i]));
      results[i] = operand.getType();
    }
  }
  func.setFunctionType(FunctionType::get(func.getContext(),
                                         entry.getArgumentTypes(), results));
}

static bool isTosaConstant(Operation *op) {
  return isa<tosa::ConstOp, tosa::ConstShapeOp>(op);
}

struct TosaToMotePass : mote::impl::TosaToMoteBase<TosaToMotePass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    if (failed(retypeArguments(func)))
      return signalPassFailure();

    ConversionState state;
    state.strictRounding = strictRounding;
    RewritePatternSet patterns(&getContext());
    populateConstantPatterns(patterns, state);
    populateProductPatterns(patterns, state);
    populateRescalePatterns(patterns, state);
    populateElementwisePatterns(patterns, state);
    populateFloatQuantPatterns(patterns, state);
    populatePoolingPatterns(patterns, state);
    populateDataMovementPatterns(patterns, state);
    // TOSA folders would run on operands that already have mote types.
    GreedyRewriteConfig config;
    config.enableFolding(false).setMaxIterations(GreedyRewriteConfig::kNoLimit);
    (void)applyPatternsGreedily(func, std::move(patterns), config);

    if (failed(reportLeftovers(func, state)))
      return signalPassFailure();
    updateSignature(func);

    RewritePatternSet cleanup(&getContext());
    populateLayoutCleanupPatterns(cleanup);
    mote::populateFoldQdqPatterns(cleanup);
    if (failed(applyPatternsGreedily(func, std::move(cleanup))))
      return signalPassFailure();
  }

  /// Errors on each unconverted TOSA op whose operands all converted (the
  /// first op of a failing chain); dead TOSA constants are erased.
  LogicalResult reportLeftovers(func::FuncOp func, ConversionState &state) {
    SmallVector<Operation *> leftovers;
    func.walk([&](Operation *op) {
      if (isa<tosa::TosaDialect>(op->getDialect()))
        leftovers.push_back(op);
    });
    bool anyReported = false;
    for (Operation *op : leftovers) {
      if (isTosaConstant(op))
        continue;
      bool isFrontier = llvm::all_of(op->getOperands(), [](Value v) {
        Operation *def = v.getDefiningOp();
        return !def || !isa<tosa::TosaDialect>(def->getDialect()) ||
               isTosaConstant(def);
      });
      if (!isFrontier)
        continue;
      auto it = state.reasons.find(op);
      std::string reason =
          it != state.reasons.end()
              ? it->second
              : "no mote equivalent, or an operand has an unsupported type";
      op->emitError() << "cannot convert '" << op->getName()
                      << "' to mote: " << reason;
      anyReported = true;
    }
    if (!leftovers.empty() && !anyReported) {
      for (Operation *op : leftovers) {
        if (isTosaConstant(op) && op->use_empty())
          continue;
        op->emitError() << "cannot convert '" << op->getName()
                        << "' to mote: its operands could not be converted";
        return failure();
      }
    }
    if (anyReported)
      return failure();
    // Integer constants only read as parameters are now dead.
    for (Operation *op : llvm::reverse(leftovers))
      if (op->use_empty())
        op->erase();
    return success();
  }
};

} // namespace
