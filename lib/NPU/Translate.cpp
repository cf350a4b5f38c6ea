//===- Translate.cpp - npu IR -> .mbin / .masm ----------------------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//

#include "mote/NPU/Translate.h"
#include "mote/NPU/Passes.h"

#include "Layers.h"
#include "Mote/MoteOps.h"
#include "Mote/MoteTypeUtils.h"

#include "Mote/MoteDialect.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Verifier.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

using namespace mlir;
using namespace mote;
using namespace mote::npu;

/// Multiply-accumulates of a host op (products only; everything else 0).
static uint64_t hostOpMacs(Operation *op) {
  auto resultElements = [&]() -> uint64_t {
    auto t = dyn_cast<RankedTensorType>(op->getResult(0).getType());
    return t && t.hasStaticShape() ? uint64_t(t.getNumElements()) : 0;
  };
  if (auto conv = dyn_cast<mote::Conv2DOp>(op)) {
    auto f = cast<RankedTensorType>(conv.getFilter().getType());
    return resultElements() * uint64_t(f.getDimSize(1) * f.getDimSize(2) *
                                       f.getDimSize(3));
  }
  if (auto fc = dyn_cast<mote::FullyConnectedOp>(op))
    return resultElements() *
           uint64_t(cast<RankedTensorType>(fc.getWeight().getType()).getDimSize(1));
  if (auto mm = dyn_cast<mote::MatMulOp>(op)) {
    auto lhs = cast<RankedTensorType>(mm.getLhs().getType());
    return resultElements() * uint64_t(lhs.getShape().back());
  }
  return 0;
}

/// The segment's ops as a module of one `func.func` the simulator's host
/// runner parses, plus its DRAM tensors and the ops for the report.
static FailureOr<isa::HostSegment> translateHostSegment(HostSegmentOp host) {
  isa::HostSegment seg;
  Block &body = host.getBody().front();
  auto yield = cast<HostYieldOp>(body.getTerminator());
  auto describe = [&](Value v, int64_t addr) -> FailureOr<isa::HostTensorDesc> {
    isa::HostTensorDesc d;
    auto type = cast<RankedTensorType>(v.getType());
    d.dtype = dramDtypeName(type);
    if (d.dtype.empty())
      return host.emitOpError("a boundary tensor of type ")
             << type << " has no DRAM form";
    d.shape.assign(type.getShape().begin(), type.getShape().end());
    d.dramAddr = uint64_t(addr);
    d.bytes = uint64_t(type.getNumElements()) * isa::ioStorage(d.dtype)->bytes;
    return d;
  };
  for (auto [arg, addr] : llvm::zip(body.getArguments(), host.getInputAddrs())) {
    auto d = describe(arg, addr);
    if (failed(d))
      return failure();
    seg.inputs.push_back(*d);
  }
  for (auto [v, addr] : llvm::zip(yield.getResults(), host.getOutputAddrs())) {
    auto d = describe(v, addr);
    if (failed(d))
      return failure();
    seg.outputs.push_back(*d);
  }
  for (Operation &op : body.without_terminator()) {
    if (llvm::isa<mote::ConstantOp>(op))
      continue;
    // As FormLayers names layers: mote.name, the framework's node name, or
    // the op kind and source line.
    std::string name = locationName(op.getLoc());
    if (auto n = op.getAttrOfType<StringAttr>("mote.name"))
      name = n.str();
    if (name.empty()) {
      name = op.getName().stripDialect().str();
      if (auto fl = dyn_cast<FileLineColLoc>(op.getLoc()))
        name += "@" + std::to_string(fl.getLine());
    }
    seg.ops.push_back(
        {name, op.getName().stripDialect().str(), hostOpMacs(&op)});
  }
  // The function: the region's body, the yield a return.
  OpBuilder b(host.getContext());
  OwningOpRef<ModuleOp> module = ModuleOp::create(host.getLoc());
  b.setInsertionPointToEnd(module->getBody());
  auto fnType = b.getFunctionType(body.getArgumentTypes(),
                                  yield.getResults().getTypes());
  auto fn = func::FuncOp::create(
      b, host.getLoc(), ("host_segment_" + llvm::Twine(host.getSegment())).str(),
      fnType);
  IRMapping map;
  Block *entry = fn.addEntryBlock();
  for (auto [from, to] : llvm::zip(body.getArguments(), entry->getArguments()))
    map.map(from, to);
  OpBuilder fb = OpBuilder::atBlockEnd(entry);
  for (Operation &op : body.without_terminator())
    fb.clone(op, map);
  SmallVector<Value> results;
  for (Value v : yield.getResults())
    results.push_back(map.lookupOrDefault(v));
  func::ReturnOp::create(fb, host.getLoc(), results);
  if (failed(mlir::verify(*module)))
    return host.emitOpError("its ops do not form a valid function");
  llvm::raw_string_ostream os(seg.module);
  module->print(os, OpPrintingFlags().enableDebugInfo(false));
  return seg;
}

FailureOr<isa::Program> mote::npu::translateToProgram(ModuleOp module) {
  SmallVector<ProgramOp> programs(module.getOps<ProgramOp>());
  if (programs.size() != 1)
    return module.emitError("expected exactly one npu.program, found ")
           << programs.size();
  ProgramOp prog = programs.front();
  if (failed(mlir::verify(prog)))
    return failure();
  isa::Program p;
  p.targetName = prog.getTarget().getName().str();
  if (prog.getTarget().getHash().getAsInteger(0, p.targetHash))
    return prog.emitOpError("the target's hash is not a number");
  p.dramBytes = prog.getDramBytes();
  auto emit = [&](Operation *op) -> LogicalResult {
    FailureOr<isa::Instruction> inst = toInstruction(op);
    if (failed(inst))
      return failure();
    llvm::Expected<isa::Word128> word = isa::encode(*inst);
    if (!word)
      return op->emitOpError("cannot be encoded: ")
             << llvm::toString(word.takeError());
    p.instructions.push_back(*word);
    return success();
  };
  for (Operation &op : prog.getBody().front()) {
    if (auto data = dyn_cast<DataOp>(op)) {
      auto dense = dyn_cast<DenseElementsAttr>(data.getBytes());
      if (!dense)
        return data.emitOpError("bytes must be a dense attribute");
      size_t off = data.getOffset(), n = dense.getNumElements();
      if (p.constants.size() < off + n)
        p.constants.resize(off + n, 0);
      size_t i = 0;
      for (const APInt &v : dense.getValues<APInt>())
        p.constants[off + i++] = uint8_t(v.getZExtValue());
      continue;
    }
    if (auto io = dyn_cast<IOOp>(op)) {
      isa::IODesc d;
      d.name = io.getName().str();
      d.isInput = io.getIsInput();
      d.shape.assign(io.getShape().begin(), io.getShape().end());
      d.dramPerm.assign(io.getDramPerm().begin(), io.getDramPerm().end());
      d.layout = io.getLayout().str();
      d.dtype = io.getDtype().str();
      d.dramAddr = io.getDramAddr();
      d.bytes = io.getSize();
      d.scale = io.getScale().convertToDouble();
      d.zeroPoint = io.getZeroPoint();
      p.io.push_back(d);
      continue;
    }
    if (auto host = dyn_cast<HostSegmentOp>(op)) {
      if (host.getSegment() != uint64_t(p.hostSegments.size()))
        return host.emitOpError("segment ")
               << host.getSegment() << " out of order (expected "
               << p.hostSegments.size() << ")";
      FailureOr<isa::HostSegment> seg = translateHostSegment(host);
      if (failed(seg))
        return failure();
      p.hostSegments.push_back(std::move(*seg));
      if (failed(emit(&op)))
        return failure();
      continue;
    }
    if (auto load = dyn_cast<ProgramLoadOp>(op)) {
      if (!p.instructions.empty())
        return load.emitOpError("must come before every instruction of the "
                                "program (it is the program-load preamble)");
      for (Operation &inst : load.getBody().front())
        if (failed(emit(&inst)))
          return failure();
      p.preambleInstructions = p.instructions.size();
      continue;
    }
    if (auto layer = dyn_cast<LayerOp>(op)) {
      isa::LayerInfo info;
      info.name = layer.getName().str();
      info.kind = layer.getKind().str();
      info.firstInstruction = p.instructions.size();
      info.macs = layer.getMacs();
      info.digitMacs = layer.getDigitMacs();
      info.dramBytes = layer.getDramTraffic();
      info.rooflineCycles = layer.getRooflineCycles();
      for (Operation &inst : layer.getBody().front())
        if (failed(emit(&inst)))
          return failure();
      info.numInstructions = p.instructions.size() - info.firstInstruction;
      p.layers.push_back(info);
      continue;
    }
    if (failed(emit(&op)))
      return failure();
  }
  return p;
}

int mote::npu::translateNpuFile(llvm::StringRef input, llvm::StringRef output,
                                bool masm) {
  auto error = [](const llvm::Twine &msg) {
    llvm::WithColor::error(llvm::errs(), "mote-translate") << msg << "\n";
    return 1;
  };
  MLIRContext context;
  context.loadDialect<NPUDialect, MoteDialect, func::FuncDialect,
                      quant::QuantDialect>();
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  std::string err;
  auto file = openInputFile(input, &err);
  if (!file)
    return error(err);
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return 1;
  FailureOr<isa::Program> program = translateToProgram(*module);
  if (failed(program))
    return 1;
  auto out = openOutputFile(output, &err);
  if (!out)
    return error(err);
  if (masm) {
    isa::printMasm(*program, out->os());
  } else {
    std::vector<uint8_t> bytes = isa::writeMbin(*program);
    out->os().write(reinterpret_cast<const char *>(bytes.data()), bytes.size());
  }
  out->keep();
  return 0;
}
