//===- OnnxImporterImpl.h - ONNX importer internals -------------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The state of one import: the ONNX value table (MLIR value, known constant
// data, ONNX shape and dtype, current layout) and the helpers that every op
// converter shares. Op converters live in OnnxOps.cpp, constant folding of
// shape arithmetic in OnnxConstFold.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_LIB_FRONTEND_ONNXIMPORTERIMPL_H
#define MOTE_LIB_FRONTEND_ONNXIMPORTERIMPL_H

#include "OnnxTensor.h"
#include "mote/Frontend/OnnxImporter.h"

#include "Mote/MoteOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringMap.h"

#include <map>
#include <optional>
#include <vector>

namespace mote {
namespace onnx_import {

/// One ONNX value as the importer knows it. A value may be known only as
/// constant data (initializers, folded shape arithmetic), only as an MLIR
/// value, or both (a constant that has been materialised).
struct OnnxValue {
  mlir::Value value;
  std::optional<HostTensor> constant; ///< In ONNX layout.
  std::vector<int64_t> shape;         ///< ONNX shape.
  int32_t onnxType = 1;               ///< onnx::TensorProto::DataType.
  bool nhwc = false;                  ///< `value` is the NHWC form (rank 4).

  bool isConstant() const { return constant.has_value(); }
  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
};

/// Quantization parameters read from an ONNX op's scale and zero-point
/// inputs.
struct OnnxQuant {
  std::vector<double> scales;
  std::vector<int64_t> zeroPoints;
  DType storage = DType::U8;
  int64_t axis = -1; ///< ONNX axis for per-axis parameters, else -1.
};

inline constexpr int64_t kToNhwc[4] = {0, 2, 3, 1};
inline constexpr int64_t kToNchw[4] = {0, 3, 1, 2};

/// Position of ONNX (NCHW) axis `axis` in the NHWC form.
inline int64_t nhwcAxis(int64_t axis) {
  static const int64_t map[4] = {0, 3, 1, 2};
  return map[axis];
}

std::vector<int64_t> permuteShape(llvm::ArrayRef<int64_t> shape,
                                  llvm::ArrayRef<int64_t> perm);
/// Transposes a host tensor: output dim i is input dim perm[i].
HostTensor permuteTensor(const HostTensor &t, llvm::ArrayRef<int64_t> perm);
/// permuteTensor of t's data read with `shape` (same element count).
HostTensor permuteTensorAs(const HostTensor &t, llvm::ArrayRef<int64_t> shape,
                           llvm::ArrayRef<int64_t> perm);
std::vector<int64_t> tensorInts(const HostTensor &t);
std::vector<double> tensorDoubles(const HostTensor &t);
HostTensor tensorFromInts(DType dtype, std::vector<int64_t> shape,
                          llvm::ArrayRef<int64_t> values);
HostTensor tensorFromDoubles(DType dtype, std::vector<int64_t> shape,
                             llvm::ArrayRef<double> values);
bool isFloatDType(DType t);

class Importer {
public:
  Importer(mlir::MLIRContext &context, llvm::StringRef path,
           const OnnxImportOptions &options);

  mlir::FailureOr<mlir::OwningOpRef<mlir::ModuleOp>>
  run(const onnx::ModelProto &model);

  //===--------------------------------------------------------------------===//
  // Shared by the op converters.
  //===--------------------------------------------------------------------===//

  mlir::MLIRContext &ctx;
  mlir::OpBuilder builder;
  std::string path;
  const OnnxImportOptions &options;
  int64_t opset = 0;
  std::map<std::string, OnnxValue> values;
  mlir::func::FuncOp func;

  // The node being converted.
  const onnx::NodeProto *node = nullptr;
  std::string nodeName;
  mlir::Location loc;

  /// Emits an error at the current node, prefixed with
  /// "node 'NAME' (OP, opset N): ".
  mlir::InFlightDiagnostic fail();
  /// Emits a model-level error at the file.
  mlir::InFlightDiagnostic failModel();

  // Inputs and outputs of the current node.
  int numInputs() const;
  bool hasInput(int i) const;
  /// The i-th input; emits an error and returns null if it is missing.
  OnnxValue *input(int i);
  /// The i-th input's constant data, or null if absent or not constant.
  const HostTensor *constInput(int i);
  void define(int output, OnnxValue v);
  void defineValue(int output, mlir::Value value,
                   std::vector<int64_t> onnxShape, bool nhwc,
                   int32_t onnxType = 1);
  void defineConstant(int output, HostTensor t);

  // Attributes of the current node.
  const onnx::AttributeProto *attr(llvm::StringRef name) const;
  int64_t attrInt(llvm::StringRef name, int64_t dflt) const;
  float attrFloat(llvm::StringRef name, float dflt) const;
  std::string attrString(llvm::StringRef name, llvm::StringRef dflt) const;
  std::optional<std::vector<int64_t>> attrInts(llvm::StringRef name) const;

  // Values.
  /// Materialises `t` (float data) as an f32 mote.constant.
  mlir::Value materializeFloat(const HostTensor &t, llvm::StringRef name);
  /// Materialises integer storage data as a quantized mote.constant.
  mlir::Value materializeQuantized(const HostTensor &t, mlir::Type qtype,
                                   llvm::StringRef name);
  /// The value in ONNX layout (transposing back from NHWC if needed).
  mlir::FailureOr<mlir::Value> toOnnx(OnnxValue &v);
  /// The value of a rank-4 tensor in NHWC layout.
  mlir::FailureOr<mlir::Value> toNhwc(OnnxValue &v);
  /// An operand for an elementwise op computed at rank `rank` in NHWC
  /// (`nhwc`) or ONNX layout: low-rank operands get leading unit dims.
  mlir::FailureOr<mlir::Value> broadcastOperand(OnnxValue &v, int64_t rank,
                                                bool nhwc);
  mlir::Value reshape(mlir::Value v, llvm::ArrayRef<int64_t> shape);
  mlir::Value transpose(mlir::Value v, llvm::ArrayRef<int64_t> perm);

  // Quantization.
  /// Reads scale (input `scaleIdx`) and zero point (`zpIdx`, optional)
  /// as constants and validates them. `rank` is the rank of the quantized
  /// tensor (for per-axis `axis`).
  mlir::FailureOr<OnnxQuant> readQuant(int scaleIdx, int zpIdx, int64_t axis,
                                       int64_t rank, llvm::StringRef what,
                                       std::optional<DType> storage = {});
  /// Builds the element type; per-axis parameters along `mlirAxis`.
  mlir::Type quantType(const OnnxQuant &q, int64_t mlirAxis);
  /// Gives a runtime quantized operand its type: sets the type of a
  /// still-untyped graph input, or checks an existing quantized type.
  mlir::LogicalResult bindQuantized(OnnxValue &v, mlir::Type elementType,
                                    llvm::StringRef what);

private:
  /// The static shape of a run-time graph input: the model's dimensions
  /// with --input-shape overrides applied (checked against static ones) and
  /// a symbolic leading dimension set to 1 (with a note).
  mlir::FailureOr<std::vector<int64_t>>
  inputShape(const onnx::ValueInfoProto &in);
  mlir::LogicalResult importGraph(const onnx::GraphProto &graph,
                                  mlir::ModuleOp module);
  mlir::LogicalResult convertNode();
  mlir::Location fileLoc();
};

/// The schema version of `opType` that a model of default-domain `opset`
/// follows: the newest version <= opset at which its schema changed (0 if
/// the operator does not exist yet). Defined in OnnxOpsets.cpp.
int schemaVersion(llvm::StringRef opType, int64_t opset);
/// Checks the current node's schema version against the versions Mote
/// implements (OnnxOpsets.cpp's table); emits an error naming the node,
/// the opset and what to do.
mlir::LogicalResult checkOpsetSupport(Importer &im);
/// The current node's `axes`: from input `inputIndex` at the opsets where
/// the operator takes them as an input (Squeeze, Unsqueeze, ReduceSum from
/// 13; the other Reduce* from 18), else from the `axes` attribute. Empty if
/// absent; failure (after an error) if the input is not a constant or the
/// model uses the other form.
mlir::FailureOr<std::vector<int64_t>> readAxes(Importer &im, int inputIndex);

/// A strided box of a tensor: per dimension, the first index, the number
/// of elements and the step (ONNX Slice after clamping).
struct SliceBox {
  std::vector<int64_t> begin, size, step;
};
/// Reads the current Slice node's starts/ends/axes/steps (attributes before
/// opset 10, constant inputs from 10) and resolves them against `shape`.
mlir::FailureOr<SliceBox> readSlice(Importer &im,
                                    llvm::ArrayRef<int64_t> shape);
/// The elements of `data` inside `box`.
HostTensor sliceHost(const HostTensor &data, const SliceBox &box);

using Converter = mlir::LogicalResult (*)(Importer &);
/// The converter of a data-movement operator of OnnxShapeOps.cpp (Slice on
/// run-time data, Split, Resize, Upsample), or null.
Converter findShapeOpConverter(llvm::StringRef opType);

/// The converters of OnnxElementwiseOps.cpp (arithmetic, clamps,
/// activations, Identity, Cast, Dropout), OnnxConvPoolOps.cpp (Conv,
/// QLinearConv, ConvInteger, pools) and OnnxProductOps.cpp (MatMul,
/// QLinearMatMul, MatMulInteger, Gemm, BatchNormalization); null for
/// another operator.
Converter findElementwiseConverter(llvm::StringRef opType);
Converter findConvPoolConverter(llvm::StringRef opType);
Converter findProductConverter(llvm::StringRef opType);

// Shared by the converter files (OnnxOps.cpp).

/// True for a FLOAT or DOUBLE tensor.
bool isFloatOnnx(const OnnxValue &v);
mlir::RankedTensorType tensorType(mlir::Value v);
/// shape[begin] · ... · shape[end − 1].
int64_t product(llvm::ArrayRef<int64_t> shape, size_t begin, size_t end);
/// Rejects run-time integer tensors that carry no quantization parameters
/// (and integer constants used as data), naming `what`.
mlir::LogicalResult requireMoteTyped(Importer &im, OnnxValue &v,
                                     llvm::StringRef what);
/// Rejects a tensor that is not float, naming `what`.
mlir::LogicalResult requireFloat(Importer &im, OnnxValue &v,
                                 llvm::StringRef what);
/// A negative axis counted from the end.
int64_t normAxis(int64_t axis, int64_t rank);
/// The input as an MLIR value in the layout it is in (an NHWC activation
/// stays NHWC, anything else in ONNX layout); `nhwc` says which.
mlir::FailureOr<mlir::Value> inCurrentLayout(Importer &im, OnnxValue &x,
                                             bool &nhwc);
/// The storage type of input `idx` of the current node, if it has one.
std::optional<DType> onnxStorage(Importer &im, int idx);
/// Fails unless `t` is uint8 or int8, naming `what`.
mlir::LogicalResult checkStorage(Importer &im, std::optional<DType> t,
                                 llvm::StringRef what);
/// The ONNX element type of a storage type (FLOAT for the others).
int32_t onnxTypeOf(DType t);
/// The raw int32 accumulator type of ConvInteger/MatMulInteger.
mlir::Type accumulatorType(Importer &im);

/// The elementwise binary operators (OnnxElementwiseOps.cpp).
enum class BinKind { Add, Sub, Mul, Div, Max, Min };
/// Emits `a <kind> b` with numpy broadcasting, in NHWC if either operand is
/// a rank-4 NHWC activation and the result has rank 4.
mlir::FailureOr<OnnxValue> emitBinary(Importer &im, BinKind kind,
                                      OnnxValue &a, OnnxValue &b);
/// A float constant operand.
OnnxValue constantValue(HostTensor t);

/// Converts the current node of `im`; defined in OnnxOps.cpp. Returns
/// failure after emitting an error (including for unsupported ops).
mlir::LogicalResult convertOnnxNode(Importer &im);
/// An op converter: converts the current node of the importer.
using OpConverter = mlir::LogicalResult (*)(Importer &);
/// The converter of a math, reduction, normalization or transposed-conv op
/// (OnnxMathOps.cpp), or null if `opType` is none of them.
OpConverter lookupMathConverter(llvm::StringRef opType);
/// ConvTranspose; defined in OnnxConvTranspose.cpp.
mlir::LogicalResult convertConvTranspose(Importer &im);

/// Folds the current node if all its inputs are constant and the op is
/// one of the shape-arithmetic ops; returns true if it did. Defined in
/// OnnxConstFold.cpp. Sets `failed` on a hard error.
bool foldOnnxNode(Importer &im, bool &failed);

} // namespace onnx_import
} // namespace mote

#endif // MOTE_LIB_FRONTEND_ONNXIMPORTERIMPL_H
