//===- OnnxOpsets.cpp - Per-operator ONNX schema versions -------------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// A model imports one default-domain opset N; each of its nodes then follows
// the newest schema of its operator whose version is <= N (ONNX's operator
// changelog, docs/Changelog.md). This table lists, for every operator the
// importer knows, the versions at which its schema changed (up to opset 17,
// the newest ONNX 1.12 knows) and the oldest one Mote implements. Converters
// branch on `Importer::opset` at those same boundaries; the table makes the
// check explicit and in one place, so that a node whose schema Mote does not
// implement is an error naming the node instead of a silent misreading.
//
//===----------------------------------------------------------------------===//

#include "OnnxImporterImpl.h"

#include "llvm/ADT/StringMap.h"

using namespace mlir;
using namespace mote;
using namespace mote::onnx_import;

namespace {

struct OpSchemas {
  /// Versions at which the schema changed, ascending (<= 17).
  std::vector<int> versions;
  /// The oldest version Mote implements faithfully.
  int oldest;
  /// Set for operators removed (deprecated) at some version.
  int deprecatedAt = 0;
  /// What to say when `oldest` is not met (empty: the generic advice).
  const char *advice = "";
};

const llvm::StringMap<OpSchemas> &schemaTable() {
  static const llvm::StringMap<OpSchemas> table = {
      // Elementwise. Version 6 of the binary ops has the legacy `broadcast`
      // and `axis` attributes (handled); 7 switched to numpy broadcasting.
      {"Add", {{1, 6, 7, 13, 14}, 6}},
      {"Sub", {{1, 6, 7, 13, 14}, 6}},
      {"Mul", {{1, 6, 7, 13, 14}, 6}},
      {"Div", {{1, 6, 7, 13, 14}, 6}},
      {"Sum", {{1, 6, 8, 13}, 6}},
      {"Max", {{1, 6, 8, 12, 13}, 6}},
      {"Min", {{1, 6, 8, 12, 13}, 6}},
      {"Relu", {{1, 6, 13, 14}, 6}},
      {"Clip", {{1, 6, 11, 12, 13}, 6}},
      {"LeakyRelu", {{1, 6, 16}, 6}},
      {"PRelu", {{1, 6, 7, 9, 16}, 6}},
      {"HardSigmoid", {{1, 6}, 6}},
      {"HardSwish", {{14}, 14}},
      {"Sigmoid", {{1, 6, 13}, 6}},
      {"Tanh", {{1, 6, 13}, 6}},
      {"Exp", {{1, 6, 13}, 6}},
      {"Elu", {{1, 6}, 6}},
      {"Selu", {{1, 6}, 6}},
      {"Softplus", {{1}, 1}},
      {"Identity", {{1, 13, 14, 16}, 1}},
      {"Dropout", {{1, 6, 7, 10, 12, 13}, 6}},
      {"Cast", {{1, 6, 9, 13}, 6, 0, "Cast-1 takes `to` as a string"}},
      // Windows and products.
      {"Conv", {{1, 11}, 1}},
      {"MaxPool", {{1, 8, 10, 11, 12}, 1}},
      {"AveragePool", {{1, 7, 10, 11}, 1}},
      {"GlobalAveragePool", {{1}, 1}},
      {"GlobalMaxPool", {{1}, 1}},
      {"MatMul", {{1, 9, 13}, 1}},
      {"Gemm", {{1, 6, 7, 9, 11, 13}, 6}},
      {"BatchNormalization", {{1, 6, 7, 9, 14, 15}, 6}},
      // Quantization.
      {"QuantizeLinear", {{10, 13}, 10}},
      {"DequantizeLinear", {{10, 13}, 10}},
      {"QLinearConv", {{10}, 10}},
      {"QLinearMatMul", {{10}, 10}},
      {"ConvInteger", {{10}, 10}},
      {"MatMulInteger", {{10}, 10}},
      // Data movement and shapes.
      {"Reshape", {{1, 5, 13, 14}, 5, 0, "Reshape-1 takes the shape as an attribute"}},
      {"Flatten", {{1, 9, 11, 13}, 1}},
      {"Squeeze", {{1, 11, 13}, 1}},
      {"Unsqueeze", {{1, 11, 13}, 1}},
      {"Transpose", {{1, 13}, 1}},
      {"Concat", {{1, 4, 11, 13}, 4, 0, "Concat-1 has an optional axis"}},
      {"Pad", {{1, 2, 11, 13}, 2, 0, "Pad-1 names its pads `paddings`"}},
      {"Softmax", {{1, 11, 13}, 1}},
      {"LogSoftmax", {{1, 11, 13}, 1}},
      {"Slice", {{1, 10, 11, 13}, 1}},
      {"Split", {{1, 2, 11, 13}, 2, 0, "Split-1 may take `split` as an input"}},
      {"Resize", {{10, 11, 13}, 10}},
      {"Upsample", {{7, 9, 10}, 7, 10, "use Resize (opset 10 and newer)"}},
      {"Constant", {{1, 9, 11, 12, 13}, 1}},
      {"Shape", {{1, 13, 15}, 1}},
      {"Size", {{1, 13}, 1}},
      {"Gather", {{1, 11, 13}, 1}},
      {"Equal", {{1, 7, 11, 13}, 7}},
      {"Less", {{1, 7, 9, 13}, 7}},
      {"Greater", {{1, 7, 9, 13}, 7}},
      {"Where", {{9, 16}, 9}},
      {"ConstantOfShape", {{9}, 9}},
      {"Range", {{11}, 11}},
      {"Neg", {{1, 6, 13}, 6}},
      {"Sqrt", {{1, 6, 13}, 6}},
      {"Floor", {{1, 6, 13}, 6}},
      {"Ceil", {{1, 6, 13}, 6}},
      {"Abs", {{1, 6, 13}, 6}},
      // Reductions: ReduceSum takes `axes` as an input from 13, the others
      // from 18 (beyond ONNX 1.12); see readAxes.
      {"ReduceSum", {{1, 11, 13}, 1}},
      {"ReduceMean", {{1, 11, 13}, 1}},
      {"ReduceMax", {{1, 11, 12, 13}, 1}},
      {"ReduceMin", {{1, 11, 12, 13}, 1}},
      // Operators other converters implement; listed so that their schema
      // versions are checked here as well (Pow-1 has legacy broadcasting).
      {"Pow", {{1, 7, 12, 13, 15}, 7}},
      {"Reciprocal", {{1, 6, 13}, 6}},
      {"Log", {{1, 6, 13}, 6}},
      {"Erf", {{9, 13}, 9}},
      {"LayerNormalization", {{17}, 17}},
      {"ConvTranspose", {{1, 11}, 1}},
  };
  return table;
}

} // namespace

int onnx_import::schemaVersion(StringRef opType, int64_t opset) {
  auto it = schemaTable().find(opType);
  if (it == schemaTable().end())
    return static_cast<int>(opset);
  int version = 0;
  for (int v : it->second.versions)
    if (v <= opset)
      version = v;
  return version;
}

LogicalResult onnx_import::checkOpsetSupport(Importer &im) {
  StringRef op = im.node->op_type();
  auto it = schemaTable().find(op);
  if (it == schemaTable().end())
    return success(); // Unknown operators are reported by the converter.
  const OpSchemas &s = it->second;
  int version = schemaVersion(op, im.opset);
  if (s.deprecatedAt && im.opset >= s.deprecatedAt)
    return im.fail() << op << " is deprecated since opset " << s.deprecatedAt
                     << " — " << s.advice;
  if (version == 0)
    return im.fail() << op << " does not exist at opset " << im.opset
                     << " (it was introduced in opset " << s.versions.front()
                     << ") — the model is malformed; re-export it with a "
                        "newer opset";
  if (version < s.oldest)
    return im.fail() << "the schema " << op << "-" << version
                     << " (opset " << im.opset
                     << ") is not supported; Mote implements " << op
                     << " from version " << s.oldest
                     << (*s.advice ? " (" : "") << s.advice
                     << (*s.advice ? ")" : "")
                     << " — convert the model with "
                        "onnx.version_converter.convert_version(model, 13)";
  return success();
}

FailureOr<std::vector<int64_t>> onnx_import::readAxes(Importer &im,
                                                      int inputIndex) {
  StringRef op = im.node->op_type();
  // The version from which `axes` is an input rather than an attribute.
  int64_t inputSince = op == "Squeeze" || op == "Unsqueeze" ||
                               op == "ReduceSum"
                           ? 13
                       : op.starts_with("Reduce") ? 18
                                                  : 13;
  if (im.opset >= inputSince) {
    if (im.attr("axes")) {
      im.fail() << "has an `axes` attribute, but from opset " << inputSince
                << " " << op << " takes its axes as input #" << inputIndex
                << " — the model is malformed";
      return failure();
    }
    if (!im.hasInput(inputIndex))
      return std::vector<int64_t>();
    const HostTensor *t = im.constInput(inputIndex);
    if (!t || isFloatDType(t->dtype)) {
      im.fail() << "axes (input #" << inputIndex
                << ") must be a constant integer tensor (an initializer, a "
                   "Constant node or shape arithmetic that folds at import)";
      return failure();
    }
    return tensorInts(*t);
  }
  if (im.hasInput(inputIndex)) {
    im.fail() << "has an axes input #" << inputIndex << ", but before opset "
              << inputSince << " " << op
              << " takes `axes` as an attribute — the model is malformed";
    return failure();
  }
  return im.attrInts("axes").value_or(std::vector<int64_t>());
}
