//===- QuantizableOpTest.cpp - The quantizable-op interface ---------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The one list of ops with an integer form (dialects/Mote/MoteQuantizable.cpp)
// against the interpreter's real functions and the ops that must stay in
// float.
//
//===----------------------------------------------------------------------===//

#include "Mote/MoteDialect.h"
#include "Mote/MoteInterfaces.h"
#include "Mote/MoteOps.h"
#include "mote/Interp/UnaryFunction.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <map>

using namespace mlir;
using namespace mote;

namespace {

/// Parses `body` as the body of `func.func @f(%x: tensor<1x4xf32>,
/// %y: tensor<4x4xf32>)` and returns each op's kind by its result name
/// (`loc("name")`); ops without the interface are absent.
std::map<std::string, std::optional<QuantizationKind>>
kindsOf(MLIRContext &context, StringRef body) {
  std::string text =
      "func.func @f(%x: tensor<1x4xf32>, %y: tensor<4x4xf32>) {\n" +
      body.str() + "\n  return\n}\n";
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(text, &context);
  EXPECT_TRUE(module) << text;
  std::map<std::string, std::optional<QuantizationKind>> kinds;
  if (!module)
    return kinds;
  module->walk([&](Operation *op) {
    auto name = dyn_cast<NameLoc>(op->getLoc());
    if (!name)
      return;
    auto quantizable = dyn_cast<QuantizableOpInterface>(op);
    kinds[name.getName().str()] =
        quantizable ? std::optional(quantizable.getQuantizationKind())
                    : std::nullopt;
  });
  return kinds;
}

MLIRContext &context() {
  static MLIRContext ctx;
  static bool loaded = [] {
    ctx.loadDialect<MoteDialect, func::FuncDialect>();
    return true;
  }();
  (void)loaded;
  return ctx;
}

} // namespace

TEST(QuantizableOp, Kinds) {
  auto kinds = kindsOf(context(), R"mlir(
  %w = mote.constant dense<1.0> : tensor<4x4xf32> -> tensor<4x4xf32>
  %0 = mote.matmul %x, %w : (tensor<1x4xf32>, tensor<4x4xf32>) -> tensor<1x4xf32> loc("weights")
  %1 = mote.matmul %x, %y : (tensor<1x4xf32>, tensor<4x4xf32>) -> tensor<1x4xf32> loc("activations")
  %2 = mote.fully_connected %x, %w : (tensor<1x4xf32>, tensor<4x4xf32>) -> tensor<1x4xf32> loc("fc")
  %3 = mote.add %x, %x : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32> loc("add")
  %4 = mote.div %x, %x : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32> loc("div")
  %5 = mote.sigmoid %x : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("sigmoid")
  %6 = mote.gelu %x : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("gelu")
  %7 = mote.clamp %x {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x4xf32> loc("clamp")
  %8 = mote.softmax %x {axis = 1 : i64} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("softmax")
  %9 = mote.reduce_max %x {axes = array<i64: 1>} : (tensor<1x4xf32>) -> tensor<1x1xf32> loc("rmax")
  %10 = mote.reduce_mean %x {axes = array<i64: 1>} : (tensor<1x4xf32>) -> tensor<1x1xf32> loc("rmean")
)mlir");
  using K = QuantizationKind;
  EXPECT_EQ(kinds["weights"], K::Product);
  EXPECT_EQ(kinds["activations"], K::Rescale);
  EXPECT_EQ(kinds["fc"], K::Product);
  EXPECT_EQ(kinds["add"], K::Rescale);
  EXPECT_EQ(kinds["div"], std::nullopt);
  EXPECT_EQ(kinds["sigmoid"], K::Table);
  EXPECT_EQ(kinds["gelu"], K::Table);
  EXPECT_EQ(kinds["clamp"], K::SameType);
  EXPECT_EQ(kinds["softmax"], std::nullopt);
  EXPECT_EQ(kinds["rmax"], K::SameType);
  EXPECT_EQ(kinds["rmean"], K::Rescale);
  EXPECT_EQ(kinds.size(), 11u);
}

TEST(QuantizableOp, ProductOperands) {
  auto module = parseSourceString<ModuleOp>(R"mlir(
func.func @f(%x: tensor<1x4xf32>) -> tensor<1x3xf32> {
  %w = mote.constant dense<1.0> : tensor<4x3xf32> -> tensor<4x3xf32>
  %0 = mote.matmul %x, %w : (tensor<1x4xf32>, tensor<4x3xf32>) -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
})mlir",
                                            &context());
  ASSERT_TRUE(module);
  MatMulOp mm;
  module->walk([&](MatMulOp op) { mm = op; });
  ProductOperands p =
      cast<QuantizableOpInterface>(mm.getOperation()).getProductOperands();
  EXPECT_EQ(p.input, mm.getLhs());
  EXPECT_EQ(p.weight, mm.getRhs());
  EXPECT_FALSE(p.bias);
  // Per channel along the rhs's last axis (its output features).
  EXPECT_EQ(p.weightAxis, 1);
}

/// Every op the interpreter has a real function for is quantized as a
/// table, so no such op silently stays in float.
TEST(QuantizableOp, EveryRealFunctionIsATable) {
  // Name and attributes of every real function of one tensor.
  const std::pair<const char *, const char *> unary[] = {
      {"sigmoid", ""},
      {"tanh", ""},
      {"exp", ""},
      {"hard_swish", ""},
      {"softplus", ""},
      {"sqrt", ""},
      {"reciprocal", ""},
      {"log", ""},
      {"erf", ""},
      {"silu", ""},
      {"gelu", ""},
      {"elu", "{alpha = 1.0 : f32}"},
      {"leaky_relu", "{alpha = 0.1 : f32}"},
      {"hard_sigmoid", "{alpha = 0.2 : f32, beta = 0.5 : f32}"},
      {"selu", "{alpha = 1.67 : f32, gamma = 1.05 : f32}"},
      {"pow", "{exponent = 2.0 : f32}"},
  };
  std::string body;
  for (auto [name, attrs] : unary)
    body += std::string("  %") + name + " = mote." + name + " %x " + attrs +
            " : (tensor<1x4xf32>) -> tensor<1x4xf32>\n";
  auto module = parseSourceString<ModuleOp>(
      "func.func @f(%x: tensor<1x4xf32>) {\n" + body + "  return\n}\n",
      &context());
  ASSERT_TRUE(module);
  unsigned functions = 0;
  module->walk([&](Operation *op) {
    if (!interp::getUnaryFunction(op))
      return;
    ++functions;
    auto quantizable = dyn_cast<QuantizableOpInterface>(op);
    ASSERT_TRUE(quantizable) << op->getName().getStringRef().str();
    EXPECT_EQ(quantizable.getQuantizationKind(), QuantizationKind::Table)
        << op->getName().getStringRef().str();
  });
  EXPECT_EQ(functions, 16u);
}
