//===- Interpreter.cpp - Reference interpreter driver ----------------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The driver: checks the function once, decodes constants once, converts
// inputs at the boundary, walks the body in order dispatching each op to
// its kernel, frees every value after its last use and hands results back
// in the boundary form.
//
//===----------------------------------------------------------------------===//

#include "mote/Interp/Interpreter.h"
#include "Kernels.h"

#include "Mote/MoteOps.h"
#include "mote/Numerics/Numerics.h"

#include "mlir/IR/Verifier.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using llvm::Error;
using llvm::Expected;

namespace mote::interp {

//===----------------------------------------------------------------------===//
// Tensor
//===----------------------------------------------------------------------===//

Tensor Tensor::allocate(RankedTensorType type) {
  Tensor t;
  t.type = type;
  t.shape.assign(type.getShape().begin(), type.getShape().end());
  t.quant = getQuantParams(type);
  if (t.quant)
    t.q.assign(t.numElements(), 0);
  else
    t.f.assign(t.numElements(), 0.0f);
  return t;
}

double Tensor::realValue(int64_t i) const {
  if (!quant)
    return f[i];
  int64_t c = channelOf(*quant, i, shape);
  return numerics::dequantize(q[i], quant->scale(c), quant->zeroPoint(c));
}

DType storageDType(const QuantParams &p) {
  if (p.storageBits <= 8)
    return p.isSigned ? DType::I8 : DType::U8;
  if (p.storageBits <= 16)
    return p.isSigned ? DType::I16 : DType::U16;
  return DType::I32;
}

HostTensor Tensor::toHost(std::string name) const {
  HostTensor h;
  h.name = std::move(name);
  h.shape.assign(shape.begin(), shape.end());
  int64_t n = numElements();
  if (!quant) {
    h.dtype = DType::F32;
    h.data.resize(n * 4);
    std::memcpy(h.data.data(), f.data(), n * 4);
    return h;
  }
  h.dtype = storageDType(*quant);
  h.data.resize(n * dtypeSize(h.dtype));
  auto store = [&](auto tag) {
    using T = decltype(tag);
    T *out = reinterpret_cast<T *>(h.data.data());
    for (int64_t i = 0; i < n; ++i)
      out[i] = static_cast<T>(q[i]);
  };
  switch (h.dtype) {
  case DType::I8: store(int8_t()); break;
  case DType::U8: store(uint8_t()); break;
  case DType::I16: store(int16_t()); break;
  case DType::U16: store(uint16_t()); break;
  default: store(int32_t()); break;
  }
  return h;
}

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

Error kernelError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

std::string formatReal(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%g", value);
  return buffer;
}

llvm::SmallVector<int64_t, 4> stridesOf(llvm::ArrayRef<int64_t> shape) {
  llvm::SmallVector<int64_t, 4> strides(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

std::shared_ptr<const std::vector<float>>
LayoutCache::get(Operation *op, llvm::function_ref<std::vector<float>()> make) {
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = entries.find(op);
    if (it != entries.end())
      return it->second;
  }
  // Made outside the lock; two threads racing make the same vector.
  auto made = std::make_shared<const std::vector<float>>(make());
  std::lock_guard<std::mutex> lock(mutex);
  return entries.try_emplace(op, std::move(made)).first->second;
}

void ExecContext::parallelFor(
    int64_t n, int64_t costPerItem,
    llvm::function_ref<void(int64_t, int64_t)> body) const {
  // Below ~64k multiply-adds a task costs more than it saves.
  if (!pool || threads <= 1 || n <= 1 || n * costPerItem < (1 << 16)) {
    body(0, n);
    return;
  }
  int64_t chunks = std::min<int64_t>(n, int64_t(threads) * 4);
  llvm::ThreadPoolTaskGroup group(*pool);
  for (int64_t c = 0; c < chunks; ++c) {
    int64_t begin = n * c / chunks, end = n * (c + 1) / chunks;
    if (begin < end)
      group.async([=] { body(begin, end); });
  }
  group.wait();
}

static std::string describeOp(Operation *op) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "'" << op->getName() << "' at " << op->getLoc();
  return text;
}

/// Checks that a function-boundary or intermediate type is one the
/// interpreter represents: a static tensor of f32 or of a quantized type
/// whose storage fits int32.
static Error checkType(Type type, const llvm::Twine &what) {
  auto ranked = dyn_cast<RankedTensorType>(type);
  if (!ranked || !ranked.hasStaticShape())
    return kernelError(what + " has type " + llvm::Twine(
                                                 [&] {
                                                   std::string s;
                                                   llvm::raw_string_ostream os(s);
                                                   os << type;
                                                   return s;
                                                 }()) +
                       "; only statically shaped tensors are supported");
  Type element = ranked.getElementType();
  if (element.isF32())
    return Error::success();
  if (auto params = getQuantParams(element)) {
    if (params->storageBits > 32 ||
        (params->storageBits == 32 && !params->isSigned))
      return kernelError(what + " has a quantized type with " +
                         llvm::Twine(params->storageBits) + "-bit " +
                         (params->isSigned ? "signed" : "unsigned") +
                         " storage; the interpreter supports up to i32/u16");
    return Error::success();
  }
  std::string s;
  llvm::raw_string_ostream os(s);
  os << element;
  return kernelError(what + " has element type " + s +
                     "; only f32 and !quant.uniform are supported");
}

//===----------------------------------------------------------------------===//
// Interpreter
//===----------------------------------------------------------------------===//

struct Interpreter::Impl {
  Options options;
  std::unique_ptr<llvm::StdThreadPool> pool;
  ExecContext ctx;
  LayoutCache layouts;
  /// Decoded constants, shared by every run.
  llvm::DenseMap<Operation *, std::shared_ptr<const Tensor>> constants;
  /// Values whose last use is the key op; freed after it runs.
  llvm::DenseMap<Operation *, llvm::SmallVector<mlir::Value, 2>> releaseAfter;
};

Interpreter::Interpreter(func::FuncOp fn, const Options &options)
    : fn(fn), impl(std::make_unique<Impl>()) {
  impl->options = options;
}
Interpreter::~Interpreter() = default;

/// True for the ops the dispatcher below handles.
static bool isSupported(Operation *op) {
  return isa<ConstantOp, Conv2DOp, MatMulOp, FullyConnectedOp, AddOp, SubOp,
             MulOp, DivOp, MaximumOp, MinimumOp, PReluOp, ClampOp, SigmoidOp,
             TanhOp, HardSigmoidOp, HardSwishOp, LeakyReluOp, ExpOp, EluOp,
             SeluOp, SoftplusOp, LutOp, SoftmaxOp, LogSoftmaxOp, MaxPool2DOp,
             AvgPool2DOp, ConcatOp, ReshapeOp, TransposeOp, PadOp, QuantizeOp,
             DequantizeOp, RequantOp, DigitOp, SqrtOp, ReciprocalOp, LogOp,
             ErfOp, PowOp, SiluOp, GeluOp, ReduceSumOp, ReduceMeanOp,
             ReduceMaxOp, ReduceMinOp, LayerNormOp, func::ReturnOp>(op) ||
         isa<SliceOp, ResizeOp>(op);
}

Expected<std::unique_ptr<Interpreter>>
Interpreter::create(func::FuncOp fn, const Options &options) {
  std::string name = ("function '@" + fn.getSymName() + "'").str();
  if (fn.isExternal())
    return kernelError(name + " has no body");
  if (failed(mlir::verify(fn)))
    return kernelError(name + " does not verify");
  if (!fn.getBody().hasOneBlock())
    return kernelError(name + " must have a single block");
  for (auto [i, type] : llvm::enumerate(fn.getArgumentTypes()))
    if (Error e = checkType(type, name + " argument #" + llvm::Twine(i)))
      return std::move(e);
  for (auto [i, type] : llvm::enumerate(fn.getResultTypes()))
    if (Error e = checkType(type, name + " result #" + llvm::Twine(i)))
      return std::move(e);

  std::unique_ptr<Interpreter> interp(new Interpreter(fn, options));
  Impl &impl = *interp->impl;
  llvm::DenseMap<mlir::Value, Operation *> lastUse;
  for (Operation &op : fn.getBody().front()) {
    if (!isSupported(&op) || op.getNumRegions() != 0)
      return kernelError(describeOp(&op) +
                         ": unsupported op; the interpreter executes mote "
                         "ops and func.return only");
    for (mlir::Value result : op.getResults())
      if (Error e = checkType(result.getType(), describeOp(&op) + " result"))
        return std::move(e);
    for (mlir::Value operand : op.getOperands())
      lastUse[operand] = &op;
    if (isa<ConstantOp>(op)) {
      Expected<Tensor> value = execConstant(&op);
      if (!value)
        return kernelError(describeOp(&op) + ": " +
                           llvm::toString(value.takeError()));
      impl.constants[&op] = std::make_shared<const Tensor>(std::move(*value));
    }
  }
  for (auto [value, op] : lastUse)
    impl.releaseAfter[op].push_back(value);

  unsigned threads = options.threads;
  if (threads == 0)
    threads = llvm::hardware_concurrency().compute_thread_count();
  impl.ctx.threads = std::max(1u, threads);
  impl.ctx.layouts = &impl.layouts;
  if (impl.ctx.threads > 1) {
    impl.pool = std::make_unique<llvm::StdThreadPool>(
        llvm::hardware_concurrency(impl.ctx.threads));
    impl.ctx.pool = impl.pool.get();
  }
  return interp;
}

static std::string boundaryName(func::FuncOp fn, unsigned index, bool result) {
  StringAttr attr = result ? fn.getResultAttrOfType<StringAttr>(index, kNameAttr)
                           : fn.getArgAttrOfType<StringAttr>(index, kNameAttr);
  if (attr)
    return attr.str();
  return (result ? "output_" : "input_") + std::to_string(index);
}

std::string Interpreter::argumentName(unsigned index) const {
  return boundaryName(fn, index, false);
}
std::string Interpreter::resultName(unsigned index) const {
  return boundaryName(fn, index, true);
}

Expected<Tensor> Interpreter::importInput(unsigned index,
                                          const HostTensor &input) const {
  auto type = cast<RankedTensorType>(fn.getArgumentTypes()[index]);
  std::string what = "input '" + argumentName(index) + "' (argument #" +
                     std::to_string(index) + ")";
  if (llvm::ArrayRef<int64_t>(input.shape) != type.getShape())
    return kernelError(what + ": expected shape " +
                       formatShape(type.getShape()) + ", got " +
                       formatShape(input.shape));
  if (static_cast<int64_t>(input.data.size()) !=
      input.numElements() * static_cast<int64_t>(dtypeSize(input.dtype)))
    return kernelError(what + ": data size does not match its shape");
  Tensor t = Tensor::allocate(type);
  int64_t n = t.numElements();
  if (!t.quant) {
    if (!input.isFloat())
      return kernelError(what + ": expects float data (float32 or float64), "
                                "got " +
                         dtypeName(input.dtype));
    if (input.dtype == DType::F32)
      std::memcpy(t.f.data(), input.data.data(), n * 4);
    else
      for (int64_t i = 0; i < n; ++i)
        t.f[i] = static_cast<float>(input.getDouble(i));
    return t;
  }
  const QuantParams &p = *t.quant;
  if (input.isFloat()) {
    for (int64_t i = 0; i < n; ++i) {
      int64_t c = channelOf(p, i, t.shape);
      t.q[i] = static_cast<int32_t>(numerics::quantize(
          input.getDouble(i), p.scale(c), p.zeroPoint(c), p.storageMin,
          p.storageMax));
    }
    return t;
  }
  if (input.dtype == DType::Bool)
    return kernelError(what + ": expects float data or integer storage "
                              "values, got bool");
  for (int64_t i = 0; i < n; ++i) {
    int64_t v = input.getInt(i);
    if (v < p.storageMin || v > p.storageMax)
      return kernelError(what + ": element " + llvm::Twine(i) + " = " +
                         llvm::Twine(v) + " is outside the storage range [" +
                         llvm::Twine(p.storageMin) + ", " +
                         llvm::Twine(p.storageMax) + "]");
    t.q[i] = static_cast<int32_t>(v);
  }
  return t;
}

/// Runs one (non-constant, non-return) op.
static Expected<Tensor> dispatch(Operation *op, Operands operands,
                                 const ExecContext &ctx) {
  return llvm::TypeSwitch<Operation *, Expected<Tensor>>(op)
      .Case<Conv2DOp>([&](auto) { return execConv2D(op, operands, ctx); })
      .Case<MatMulOp>([&](auto) { return execMatMul(op, operands, ctx); })
      .Case<FullyConnectedOp>(
          [&](auto) { return execFullyConnected(op, operands, ctx); })
      .Case<AddOp, SubOp, MulOp, DivOp, MaximumOp, MinimumOp>(
          [&](auto) { return execBinary(op, operands); })
      .Case<PReluOp>([&](auto) { return execPRelu(op, operands); })
      .Case<ClampOp>([&](auto) { return execClamp(op, operands); })
      .Case<SigmoidOp, TanhOp, HardSigmoidOp, HardSwishOp, LeakyReluOp, ExpOp,
            EluOp, SeluOp, SoftplusOp>(
          [&](auto) { return execMathUnary(op, operands); })
      .Case<LutOp>([&](auto) { return execLut(op, operands); })
      .Case<SoftmaxOp, LogSoftmaxOp>(
          [&](auto) { return execSoftmax(op, operands); })
      .Case<MaxPool2DOp>([&](auto) { return execMaxPool2D(op, operands); })
      .Case<AvgPool2DOp>([&](auto) { return execAvgPool2D(op, operands); })
      .Case<ConcatOp>([&](auto) { return execConcat(op, operands); })
      .Case<ReshapeOp>([&](auto) { return execReshape(op, operands); })
      .Case<TransposeOp>([&](auto) { return execTranspose(op, operands); })
      .Case<PadOp>([&](auto) { return execPad(op, operands); })
      .Case<SliceOp>([&](auto) { return execSlice(op, operands); })
      .Case<ResizeOp>([&](auto) { return execResize(op, operands); })
      .Case<QuantizeOp>([&](auto) { return execQuantize(op, operands); })
      .Case<DequantizeOp>([&](auto) { return execDequantize(op, operands); })
      .Case<RequantOp>([&](auto) { return execRequant(op, operands); })
      .Case<DigitOp>([&](auto) { return execDigit(op, operands); })
      .Case<SqrtOp, ReciprocalOp, LogOp, ErfOp, PowOp, SiluOp, GeluOp>(
          [&](auto) { return execMathUnary(op, operands); })
      .Case<ReduceSumOp, ReduceMeanOp, ReduceMaxOp, ReduceMinOp>(
          [&](auto) { return execReduce(op, operands); })
      .Case<LayerNormOp>([&](auto) { return execLayerNorm(op, operands); })
      .Default([&](Operation *) -> Expected<Tensor> {
        return kernelError("unsupported op");
      });
}

Expected<std::vector<Tensor>>
Interpreter::runTensors(llvm::ArrayRef<HostTensor> inputs, Observer observer) {
  unsigned numArgs = fn.getNumArguments();
  if (inputs.size() != numArgs)
    return kernelError("function '@" + fn.getSymName() + "' expects " +
                       llvm::Twine(numArgs) + " input(s), got " +
                       llvm::Twine(inputs.size()));
  llvm::DenseMap<mlir::Value, std::shared_ptr<const Tensor>> env;
  Block &body = fn.getBody().front();
  for (unsigned i = 0; i < numArgs; ++i) {
    Expected<Tensor> t = importInput(i, inputs[i]);
    if (!t)
      return t.takeError();
    env[body.getArgument(i)] = std::make_shared<const Tensor>(std::move(*t));
  }
  std::vector<Tensor> results;
  llvm::SmallVector<const Tensor *, 4> operands;
  for (Operation &opRef : body) {
    Operation *op = &opRef;
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      for (mlir::Value v : ret.getOperands())
        results.push_back(*env.lookup(v));
      break;
    }
    std::shared_ptr<const Tensor> result;
    if (isa<ConstantOp>(op)) {
      result = impl->constants.lookup(op);
    } else {
      operands.clear();
      for (mlir::Value v : op->getOperands())
        operands.push_back(env.lookup(v).get());
      Expected<Tensor> value = dispatch(op, operands, impl->ctx);
      if (!value)
        return kernelError(describeOp(op) + ": " +
                           llvm::toString(value.takeError()));
      value->type = cast<RankedTensorType>(op->getResult(0).getType());
      result = std::make_shared<const Tensor>(std::move(*value));
    }
    if (observer) {
      const Tensor *ptr = result.get();
      observer(op, llvm::ArrayRef<const Tensor *>(ptr));
    }
    env[op->getResult(0)] = std::move(result);
    auto it = impl->releaseAfter.find(op);
    if (it != impl->releaseAfter.end())
      for (mlir::Value v : it->second)
        env.erase(v);
  }
  return results;
}

Expected<std::vector<HostTensor>> Interpreter::run(
    llvm::ArrayRef<HostTensor> inputs, Observer observer) {
  Expected<std::vector<Tensor>> tensors = runTensors(inputs, observer);
  if (!tensors)
    return tensors.takeError();
  std::vector<HostTensor> out;
  for (auto [i, t] : llvm::enumerate(*tensors))
    out.push_back(t.toHost(resultName(i)));
  return out;
}

Expected<std::vector<HostTensor>> run(func::FuncOp fn,
                                      llvm::ArrayRef<HostTensor> inputs,
                                      const Options &options,
                                      Observer observer) {
  auto interp = Interpreter::create(fn, options);
  if (!interp)
    return interp.takeError();
  return (*interp)->run(inputs, observer);
}

} // namespace mote::interp
