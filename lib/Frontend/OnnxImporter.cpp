//===- OnnxImporter.cpp - ONNX model import driver --------------------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Reads the protobuf, checks the opsets, turns graph inputs into function
// arguments (NCHW, the model's own dtypes; quantized inputs get their type
// from their first quantized consumer), converts the nodes in order, returns
// the graph outputs in ONNX layout and runs the clean-up pipeline.
//
//===----------------------------------------------------------------------===//

#include "OnnxImporterImpl.h"

#include "Mote/MoteAttrUtils.h"
#include "Mote/MoteDialect.h"
#include "Mote/MoteTypeUtils.h"
#include "mote/Transforms/Passes.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mote;
using namespace mote::onnx_import;

//===----------------------------------------------------------------------===//
// Host tensor helpers
//===----------------------------------------------------------------------===//

bool onnx_import::isFloatDType(DType t) {
  return t == DType::F32 || t == DType::F64;
}

std::vector<int64_t> onnx_import::permuteShape(ArrayRef<int64_t> shape,
                                               ArrayRef<int64_t> perm) {
  std::vector<int64_t> out;
  for (int64_t p : perm)
    out.push_back(shape[p]);
  return out;
}

HostTensor onnx_import::permuteTensor(const HostTensor &t,
                                      ArrayRef<int64_t> perm) {
  return permuteTensorAs(t, t.shape, perm);
}

HostTensor onnx_import::permuteTensorAs(const HostTensor &t,
                                        ArrayRef<int64_t> shape,
                                        ArrayRef<int64_t> perm) {
  HostTensor out = HostTensor::zeros(t.dtype, permuteShape(shape, perm));
  out.name = t.name;
  size_t rank = shape.size(), es = dtypeSize(t.dtype);
  std::vector<int64_t> inStrides(rank, 1);
  for (size_t i = rank; i-- > 1;)
    inStrides[i - 1] = inStrides[i] * shape[i];
  int64_t n = out.numElements();
  if (n == 0)
    return out;
  // Output rows (the last output dim) at a time: the source offset of a
  // row's start from the outer indices, then a strided gather along it
  // (weights are permuted OIHW -> OHWI on import: 25 M floats for
  // ResNet-50).
  int64_t inner = rank ? out.shape[rank - 1] : 1;
  int64_t step = rank ? inStrides[perm[rank - 1]] : 0;
  std::vector<int64_t> idx(rank, 0);
  const char *src = t.data.data();
  char *dst = out.data.data();
  for (int64_t o = 0; o < n; o += inner) {
    int64_t from = 0;
    for (size_t i = 0; i + 1 < rank; ++i)
      from += idx[i] * inStrides[perm[i]];
    auto gather = [&](auto elem) {
      using E = decltype(elem);
      for (int64_t j = 0; j < inner; ++j)
        std::memcpy(dst + (o + j) * sizeof(E),
                    src + (from + j * step) * sizeof(E), sizeof(E));
    };
    switch (es) {
    case 1: gather(uint8_t()); break;
    case 2: gather(uint16_t()); break;
    case 4: gather(uint32_t()); break;
    case 8: gather(uint64_t()); break;
    default:
      for (int64_t j = 0; j < inner; ++j)
        std::memcpy(dst + (o + j) * es, src + (from + j * step) * es, es);
    }
    for (size_t i = rank ? rank - 1 : 0; i-- > 0;) {
      if (++idx[i] < out.shape[i])
        break;
      idx[i] = 0;
    }
  }
  return out;
}

std::vector<int64_t> onnx_import::tensorInts(const HostTensor &t) {
  std::vector<int64_t> out(t.numElements());
  for (int64_t i = 0, e = t.numElements(); i < e; ++i)
    out[i] = t.getInt(i);
  return out;
}

std::vector<double> onnx_import::tensorDoubles(const HostTensor &t) {
  std::vector<double> out(t.numElements());
  for (int64_t i = 0, e = t.numElements(); i < e; ++i)
    out[i] = t.getDouble(i);
  return out;
}

HostTensor onnx_import::tensorFromInts(DType dtype, std::vector<int64_t> shape,
                                       ArrayRef<int64_t> values) {
  HostTensor t = HostTensor::zeros(dtype, std::move(shape));
  for (size_t i = 0; i < values.size(); ++i) {
    char *p = t.data.data() + i * dtypeSize(dtype);
    int64_t v = values[i];
    switch (dtype) {
    case DType::I8: case DType::U8: { uint8_t x = v; std::memcpy(p, &x, 1); break; }
    case DType::Bool: { uint8_t x = v != 0; std::memcpy(p, &x, 1); break; }
    case DType::I16: case DType::U16: { uint16_t x = v; std::memcpy(p, &x, 2); break; }
    case DType::I32: { int32_t x = v; std::memcpy(p, &x, 4); break; }
    case DType::I64: std::memcpy(p, &v, 8); break;
    case DType::F32: { float x = v; std::memcpy(p, &x, 4); break; }
    case DType::F64: { double x = v; std::memcpy(p, &x, 8); break; }
    }
  }
  return t;
}

HostTensor onnx_import::tensorFromDoubles(DType dtype,
                                          std::vector<int64_t> shape,
                                          ArrayRef<double> values) {
  if (!isFloatDType(dtype)) {
    std::vector<int64_t> ints;
    for (double v : values)
      ints.push_back(std::isfinite(v) ? static_cast<int64_t>(v) : 0);
    return tensorFromInts(dtype, std::move(shape), ints);
  }
  HostTensor t = HostTensor::zeros(dtype, std::move(shape));
  for (size_t i = 0; i < values.size(); ++i) {
    if (dtype == DType::F32) {
      float x = values[i];
      std::memcpy(t.data.data() + i * 4, &x, 4);
    } else {
      std::memcpy(t.data.data() + i * 8, &values[i], 8);
    }
  }
  return t;
}

//===----------------------------------------------------------------------===//
// Importer: diagnostics, inputs, attributes
//===----------------------------------------------------------------------===//

Importer::Importer(MLIRContext &context, StringRef path,
                   const OnnxImportOptions &options)
    : ctx(context), builder(&context), path(path.str()), options(options),
      loc(FileLineColLoc::get(&context, path, 0, 0)) {}

Location Importer::fileLoc() { return FileLineColLoc::get(&ctx, path, 0, 0); }

InFlightDiagnostic Importer::fail() {
  InFlightDiagnostic diag = emitError(loc);
  diag << "node '" << nodeName << "' (" << node->op_type() << ", opset "
       << opset << "): ";
  return diag;
}

InFlightDiagnostic Importer::failModel() { return emitError(fileLoc()); }

int Importer::numInputs() const { return node->input_size(); }

bool Importer::hasInput(int i) const {
  return i >= 0 && i < node->input_size() && !node->input(i).empty();
}

OnnxValue *Importer::input(int i) {
  if (!hasInput(i)) {
    fail() << "input #" << i << " is missing — the model is malformed";
    return nullptr;
  }
  auto it = values.find(node->input(i));
  if (it == values.end()) {
    fail() << "input '" << node->input(i)
           << "' is not produced by any earlier node, initializer or graph "
              "input — the model is malformed or not topologically sorted";
    return nullptr;
  }
  return &it->second;
}

const HostTensor *Importer::constInput(int i) {
  if (!hasInput(i))
    return nullptr;
  auto it = values.find(node->input(i));
  if (it == values.end() || !it->second.constant)
    return nullptr;
  return &*it->second.constant;
}

void Importer::define(int output, OnnxValue v) {
  if (output < node->output_size() && !node->output(output).empty())
    values[node->output(output)] = std::move(v);
}

void Importer::defineValue(int output, Value value,
                           std::vector<int64_t> onnxShape, bool nhwc,
                           int32_t onnxType) {
  OnnxValue v;
  v.value = value;
  v.shape = std::move(onnxShape);
  v.nhwc = nhwc;
  v.onnxType = onnxType;
  define(output, std::move(v));
}

void Importer::defineConstant(int output, HostTensor t) {
  OnnxValue v;
  v.shape = t.shape;
  v.onnxType = [&] {
    switch (t.dtype) {
    case DType::F32: return onnx::TensorProto::FLOAT;
    case DType::F64: return onnx::TensorProto::DOUBLE;
    case DType::I8: return onnx::TensorProto::INT8;
    case DType::U8: return onnx::TensorProto::UINT8;
    case DType::I16: return onnx::TensorProto::INT16;
    case DType::U16: return onnx::TensorProto::UINT16;
    case DType::I32: return onnx::TensorProto::INT32;
    case DType::I64: return onnx::TensorProto::INT64;
    case DType::Bool: return onnx::TensorProto::BOOL;
    }
    return onnx::TensorProto::FLOAT;
  }();
  v.constant = std::move(t);
  define(output, std::move(v));
}

const onnx::AttributeProto *Importer::attr(StringRef name) const {
  for (const auto &a : node->attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

int64_t Importer::attrInt(StringRef name, int64_t dflt) const {
  const auto *a = attr(name);
  return a && a->has_i() ? a->i() : dflt;
}

float Importer::attrFloat(StringRef name, float dflt) const {
  const auto *a = attr(name);
  return a && a->has_f() ? a->f() : dflt;
}

std::string Importer::attrString(StringRef name, StringRef dflt) const {
  const auto *a = attr(name);
  return a && a->has_s() ? a->s() : dflt.str();
}

std::optional<std::vector<int64_t>> Importer::attrInts(StringRef name) const {
  const auto *a = attr(name);
  if (!a)
    return std::nullopt;
  return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

//===----------------------------------------------------------------------===//
// Importer: values and layout
//===----------------------------------------------------------------------===//

static std::string constantName(StringRef name) {
  std::string s;
  for (char c : name)
    s += (isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
  return s.empty() ? "onnx_const" : s;
}

Value Importer::materializeFloat(const HostTensor &t, StringRef name) {
  auto type = RankedTensorType::get(t.shape, builder.getF32Type());
  std::vector<float> data(t.numElements());
  if (t.dtype == DType::F32)
    std::memcpy(data.data(), t.data.data(), data.size() * sizeof(float));
  else
    for (int64_t i = 0, e = t.numElements(); i < e; ++i)
      data[i] = static_cast<float>(t.getDouble(i));
  ElementsAttr attr = makeFloatElements(type, data, constantName(name));
  return ConstantOp::create(builder, loc, type, attr);
}

Value Importer::materializeQuantized(const HostTensor &t, Type qtype,
                                     StringRef name) {
  auto type = RankedTensorType::get(t.shape, qtype);
  ElementsAttr attr =
      makeIntElements(getStorageTensorType(type), tensorInts(t),
                      constantName(name));
  return ConstantOp::create(builder, loc, type, attr);
}

Value Importer::reshape(Value v, ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(v.getType());
  if (type.getShape() == shape)
    return v;
  return ReshapeOp::create(builder, loc, type.clone(shape), v);
}

Value Importer::transpose(Value v, ArrayRef<int64_t> perm) {
  return TransposeOp::create(builder, loc, v, perm);
}

FailureOr<Value> Importer::toOnnx(OnnxValue &v) {
  if (!v.value) {
    if (!v.constant || !isFloatDType(v.constant->dtype)) {
      fail() << "needs the integer constant '"
             << (v.constant ? v.constant->name : std::string("?"))
             << "' as a runtime tensor; Mote computes on float or quantized "
                "tensors only — integer data must feed shape arithmetic "
                "that folds at import, or a quantized op";
      return failure();
    }
    v.value = materializeFloat(*v.constant, v.constant->name);
    v.nhwc = false;
  }
  if (v.nhwc)
    return transpose(v.value, kToNchw);
  return v.value;
}

FailureOr<Value> Importer::toNhwc(OnnxValue &v) {
  if (v.rank() != 4) {
    fail() << "expects a rank-4 (NCHW) tensor, got rank " << v.rank();
    return failure();
  }
  if (v.value && v.nhwc)
    return v.value;
  if (!v.value && v.constant && isFloatDType(v.constant->dtype))
    return materializeFloat(permuteTensor(*v.constant, kToNhwc),
                            v.constant->name);
  FailureOr<Value> onnxValue = toOnnx(v);
  if (failed(onnxValue))
    return failure();
  return transpose(*onnxValue, kToNhwc);
}

FailureOr<Value> Importer::broadcastOperand(OnnxValue &v, int64_t rank,
                                            bool nhwc) {
  if (!nhwc)
    return toOnnx(v);
  if (v.rank() == 4)
    return toNhwc(v);
  // Lower rank: align to the trailing dims, then permute like NCHW.
  std::vector<int64_t> shape4(rank - v.rank(), 1);
  shape4.insert(shape4.end(), v.shape.begin(), v.shape.end());
  if (!v.value && v.constant && isFloatDType(v.constant->dtype)) {
    HostTensor t = *v.constant;
    t.shape = shape4;
    return materializeFloat(permuteTensor(t, kToNhwc), t.name);
  }
  FailureOr<Value> onnxValue = toOnnx(v);
  if (failed(onnxValue))
    return failure();
  return transpose(reshape(*onnxValue, shape4), kToNhwc);
}

//===----------------------------------------------------------------------===//
// Importer: the graph
//===----------------------------------------------------------------------===//

static std::string sanitizeSymbol(StringRef name) {
  std::string s;
  for (char c : name)
    s += (isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
  if (s.empty() || isdigit(static_cast<unsigned char>(s[0])))
    return "main";
  return s;
}

LogicalResult Importer::convertNode() {
  if (failed(checkOpsetSupport(*this)))
    return failure();
  bool failedFold = false;
  if (foldOnnxNode(*this, failedFold))
    return failure(failedFold);
  return convertOnnxNode(*this);
}

/// "[N, 3, H, W]" with symbolic names (or "?") for dynamic dimensions.
static std::string describeDims(const onnx::TensorShapeProto &shape) {
  std::string s = "[";
  for (int d = 0; d < shape.dim_size(); ++d) {
    const auto &dim = shape.dim(d);
    if (d)
      s += ", ";
    s += dim.has_dim_value() ? std::to_string(dim.dim_value())
         : dim.has_dim_param() && !dim.dim_param().empty() ? dim.dim_param()
                                                          : "?";
  }
  return s + "]";
}

FailureOr<std::vector<int64_t>>
Importer::inputShape(const onnx::ValueInfoProto &in) {
  const auto &tt = in.type().tensor_type();
  auto it = options.inputShapes.find(in.name());
  const std::vector<int64_t> *given =
      it == options.inputShapes.end() ? nullptr : &it->second;
  if (!tt.has_shape()) {
    if (given)
      return *given;
    return failModel() << "graph input '" << in.name()
                       << "' has no shape; Mote needs static shapes — give "
                          "it with --input-shape "
                       << in.name() << "=D0xD1x...";
  }
  const auto &dims = tt.shape();
  if (given && static_cast<int>(given->size()) != dims.dim_size())
    return failModel() << "--input-shape " << in.name() << " gives "
                       << given->size() << " dimensions, but the model's "
                       << "input '" << in.name() << "' has rank "
                       << dims.dim_size() << " (shape " << describeDims(dims)
                       << ")";
  std::vector<int64_t> shape;
  for (int d = 0; d < dims.dim_size(); ++d) {
    const auto &dim = dims.dim(d);
    bool isStatic = dim.has_dim_value() && dim.dim_value() > 0;
    if (dim.has_dim_value() && dim.dim_value() <= 0 && !given)
      return failModel() << "graph input '" << in.name()
                         << "' has a zero-sized dimension at index " << d
                         << "; Mote has no zero-sized tensors";
    if (given) {
      int64_t g = (*given)[d];
      if (isStatic && g != dim.dim_value())
        return failModel() << "--input-shape " << in.name()
                           << " gives size " << g << " to dimension " << d
                           << ", but the model fixes it to "
                           << dim.dim_value() << " (shape "
                           << describeDims(dims) << ")";
      shape.push_back(g);
      continue;
    }
    if (isStatic) {
      shape.push_back(dim.dim_value());
      continue;
    }
    std::string what = dim.has_dim_param() && !dim.dim_param().empty()
                           ? "a dynamic dimension '" + dim.dim_param() + "'"
                           : std::string("an unknown dimension");
    if (d == 0) {
      // A symbolic batch: Mote compiles for one sample (the tools run a
      // batch of k samples through a batch-1 model one by one).
      ctx.getDiagEngine().emit(fileLoc(), DiagnosticSeverity::Note)
          << "graph input '" << in.name() << "' has " << what
          << " at index 0 (the batch); using 1 — set it with --input-shape "
          << in.name() << "=...";
      shape.push_back(1);
      continue;
    }
    return failModel() << "graph input '" << in.name() << "' has " << what
                       << " at index " << d << " (shape "
                       << describeDims(dims)
                       << "); Mote needs static shapes — give every "
                          "dimension with --input-shape "
                       << in.name() << "=D0xD1x...";
  }
  return shape;
}

LogicalResult Importer::importGraph(const onnx::GraphProto &graph,
                                    ModuleOp module) {
  // Initializers (and constant-bound inputs) are constant data.
  for (const auto &init : graph.initializer()) {
    HostTensor t;
    std::string error;
    if (!tensorFromProto(init, t, error))
      return failModel() << "initializer '" << init.name() << "' " << error;
    OnnxValue v;
    v.shape = t.shape;
    v.onnxType = init.data_type();
    v.constant = std::move(t);
    values[init.name()] = std::move(v);
  }
  for (const auto &[name, tensor] : options.constantInputs) {
    OnnxValue v;
    v.shape = tensor.shape;
    v.constant = tensor;
    v.constant->name = name;
    switch (tensor.dtype) {
    case DType::F32: v.onnxType = onnx::TensorProto::FLOAT; break;
    case DType::F64: v.onnxType = onnx::TensorProto::DOUBLE; break;
    case DType::I8: v.onnxType = onnx::TensorProto::INT8; break;
    case DType::U8: v.onnxType = onnx::TensorProto::UINT8; break;
    case DType::I16: v.onnxType = onnx::TensorProto::INT16; break;
    case DType::U16: v.onnxType = onnx::TensorProto::UINT16; break;
    case DType::I32: v.onnxType = onnx::TensorProto::INT32; break;
    case DType::I64: v.onnxType = onnx::TensorProto::INT64; break;
    case DType::Bool: v.onnxType = onnx::TensorProto::BOOL; break;
    }
    values[name] = std::move(v);
  }

  // Every --input-shape must name a run-time graph input.
  for (const auto &[name, shape] : options.inputShapes) {
    // A lambda may not capture a structured binding in C++17 (clang).
    const std::string &wanted = name;
    bool isInput = llvm::any_of(
        graph.input(), [&](const auto &in) { return in.name() == wanted; });
    if (!isInput) {
      std::string names;
      for (const auto &in : graph.input())
        if (!values.count(in.name()))
          names += (names.empty() ? "'" : ", '") + in.name() + "'";
      return failModel() << "--input-shape names '" << name
                         << "', which is not a graph input of the model "
                            "(its inputs: "
                         << (names.empty() ? std::string("none") : names)
                         << ")";
    }
    if (values.count(name))
      return failModel() << "--input-shape names '" << name
                         << "', which is an initializer or bound with "
                            "--const, not a run-time input";
  }

  // Runtime graph inputs become function arguments.
  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  SmallVector<std::vector<int64_t>> argShapes;
  SmallVector<int32_t> argOnnxTypes;
  for (const auto &in : graph.input()) {
    if (values.count(in.name()))
      continue;
    if (!in.type().has_tensor_type())
      return failModel() << "graph input '" << in.name()
                         << "' is not a tensor; only tensor inputs are "
                            "supported";
    const auto &tt = in.type().tensor_type();
    FailureOr<std::vector<int64_t>> resolved = inputShape(in);
    if (failed(resolved))
      return failure();
    std::vector<int64_t> shape = std::move(*resolved);
    // Every tool allocates inputs whole (interpreter, calibration, the
    // simulator's DRAM image): refuse absurd sizes here, with the name,
    // rather than overflow an element count or abort in an allocation later.
    constexpr int64_t kMaxElements = int64_t(1) << 31;
    int64_t elements = 1;
    for (int64_t d : shape) {
      if (d > kMaxElements / elements)
        return failModel() << "graph input '" << in.name()
                           << "' has more than 2^31 elements (shape "
                           << formatShape(shape)
                           << "); Mote supports at most 2^31 elements per "
                              "tensor";
      elements *= d;
    }
    Type element;
    switch (tt.elem_type()) {
    case onnx::TensorProto::FLOAT:
      element = builder.getF32Type();
      break;
    case onnx::TensorProto::UINT8:
    case onnx::TensorProto::INT8:
      element = builder.getIntegerType(8);
      break;
    case onnx::TensorProto::INT32:
      element = builder.getIntegerType(32);
      break;
    default:
      return failModel() << "graph input '" << in.name() << "' has type "
                         << onnxTypeName(tt.elem_type())
                         << "; runtime inputs must be float (or uint8/int8 "
                            "feeding quantized ops) — bind it to constant "
                            "data with --const "
                         << in.name() << "=FILE.pb";
    }
    argTypes.push_back(RankedTensorType::get(shape, element));
    argNames.push_back(in.name());
    argShapes.push_back(shape);
    argOnnxTypes.push_back(tt.elem_type());
  }

  builder.setInsertionPointToEnd(module.getBody());
  func = func::FuncOp::create(builder, fileLoc(),
                              sanitizeSymbol(graph.name()),
                              builder.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  builder.setInsertionPointToStart(entry);
  for (auto [i, name] : llvm::enumerate(argNames)) {
    OnnxValue v;
    v.value = entry->getArgument(i);
    v.shape = argShapes[i];
    v.onnxType = argOnnxTypes[i];
    values[name] = std::move(v);
  }

  // Nodes, in order.
  for (int i = 0; i < graph.node_size(); ++i) {
    node = &graph.node(i);
    nodeName = node->name().empty()
                   ? node->op_type() + "_" + std::to_string(i)
                   : node->name();
    loc = NameLoc::get(builder.getStringAttr(nodeName), fileLoc());
    if (!node->domain().empty() && node->domain() != "ai.onnx")
      return fail() << "operator domain '" << node->domain()
                    << "' is not supported — only the default ONNX domain "
                       "is";
    if (failed(convertNode()))
      return failure();
  }

  // Outputs in ONNX layout.
  node = nullptr;
  loc = fileLoc();
  SmallVector<Value> results;
  SmallVector<std::string> resultNames;
  for (const auto &out : graph.output()) {
    auto it = values.find(out.name());
    if (it == values.end())
      return failModel() << "graph output '" << out.name()
                         << "' is not produced by any node";
    OnnxValue &v = it->second;
    if (!v.value && v.constant && !isFloatDType(v.constant->dtype))
      return failModel() << "graph output '" << out.name()
                         << "' is an integer constant; Mote functions "
                            "return float or quantized tensors";
    if (!v.value)
      v.value = materializeFloat(*v.constant, out.name());
    Value r = v.nhwc ? transpose(v.value, kToNchw) : v.value;
    results.push_back(r);
    resultNames.push_back(out.name());
  }
  func::ReturnOp::create(builder, loc, results);

  // Every argument must have a Mote type by now.
  SmallVector<Type> finalArgs;
  for (auto [i, arg] : llvm::enumerate(entry->getArguments())) {
    auto type = cast<RankedTensorType>(arg.getType());
    if (isa<IntegerType>(type.getElementType()))
      return failModel() << "graph input '" << argNames[i] << "' ("
                         << onnxTypeName(argOnnxTypes[i])
                         << ") does not feed a quantized op that defines "
                            "its scale; bind it to constant data with "
                            "--const "
                         << argNames[i] << "=FILE.pb";
    finalArgs.push_back(type);
  }
  func.setFunctionType(
      builder.getFunctionType(finalArgs, ValueRange(results).getTypes()));
  for (auto [i, name] : llvm::enumerate(argNames)) {
    func.setArgAttr(i, "mote.name", builder.getStringAttr(name));
    if (argShapes[i].size() == 4)
      func.setArgAttr(i, "mote.layout", builder.getStringAttr("NCHW"));
  }
  for (auto [i, name] : llvm::enumerate(resultNames))
    func.setResultAttr(i, "mote.name", builder.getStringAttr(name));
  return success();
}

FailureOr<OwningOpRef<ModuleOp>> Importer::run(const onnx::ModelProto &model) {
  if (model.ir_version() < 3)
    return failModel() << "ONNX IR version " << model.ir_version()
                       << " is too old (need 3 or newer) — re-export the "
                          "model with a current exporter";
  for (const auto &imp : model.opset_import()) {
    if (imp.domain().empty() || imp.domain() == "ai.onnx")
      opset = imp.version();
  }
  if (opset == 0)
    return failModel() << "the model imports no default-domain opset — it "
                          "is malformed";
  if (opset < 6 || opset > 17)
    return failModel() << "default-domain opset " << opset
                       << " is not supported (supported: 6–17) — convert "
                          "the model with "
                          "onnx.version_converter.convert_version(model, 13)";
  if (!model.has_graph())
    return failModel() << "the model has no graph";

  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc());
  if (failed(importGraph(model.graph(), *module)))
    return failure();
  if (failed(verify(*module)))
    return failModel() << "the imported module does not verify (importer "
                          "bug or an inconsistent model); see the errors "
                          "above";
  PassManager pm(&ctx);
  pm.addNestedPass<func::FuncOp>(createMoteFuseActivations());
  pm.addNestedPass<func::FuncOp>(createMoteFuseLayerNorm());
  pm.addNestedPass<func::FuncOp>(createMoteFoldBatchNorm());
  pm.addNestedPass<func::FuncOp>(createMoteFoldQdq());
  pm.addPass(createCanonicalizerPass());
  if (failed(pm.run(*module)))
    return failModel() << "the clean-up pipeline failed";
  return module;
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

void mote::loadOnnxImportDialects(MLIRContext &context) {
  context.loadDialect<MoteDialect, func::FuncDialect, quant::QuantDialect>();
}

FailureOr<OwningOpRef<ModuleOp>>
mote::importOnnxFile(StringRef path, MLIRContext &context,
                     const OnnxImportOptions &options) {
  loadOnnxImportDialects(context);
  Location fileLoc = FileLineColLoc::get(&context, path, 0, 0);
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return emitError(fileLoc) << "cannot read the model: "
                              << buffer.getError().message();
  return importOnnxBytes((*buffer)->getBuffer(), path, context, options);
}

FailureOr<OwningOpRef<ModuleOp>>
mote::importOnnxBytes(StringRef bytes, StringRef path, MLIRContext &context,
                      const OnnxImportOptions &options) {
  loadOnnxImportDialects(context);
  Location fileLoc = FileLineColLoc::get(&context, path, 0, 0);
  if (bytes.empty())
    return emitError(fileLoc) << "the file is empty — not an ONNX model";
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max()))
    return emitError(fileLoc) << "the model is larger than 2 GB; protobuf "
                                 "cannot read it in one piece";
  onnx::ModelProto model;
  if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return emitError(fileLoc)
           << "not a valid ONNX model (the protobuf is truncated or "
              "corrupt) — re-export it, or check that the file is a .onnx "
              "model";
  Importer importer(context, path, options);
  return importer.run(model);
}
