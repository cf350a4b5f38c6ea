//===- Translate.cpp - npu IR -> .mbin / .masm ----------------------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//

#include "mote/NPU/Translate.h"
#include "mote/NPU/Passes.h"

#include "mlir/IR/Diagnostics.h"
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

FailureOr<isa::Program> mote::npu::translateToProgram(ModuleOp module) {
  SmallVector<ProgramOp> programs(module.getOps<ProgramOp>());
  if (programs.size() != 1)
    return module.emitError("expected exactly one npu.program, found ")
           << programs.size();
  ProgramOp prog = programs.front();
  if (failed(mlir::verify(prog)))
    return failure();
  isa::Program p;
  p.targetName = prog.getTarget().str();
  if (prog.getTargetHash().getAsInteger(0, p.targetHash))
    return prog.emitOpError("target_hash is not a number");
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
    if (auto host = dyn_cast<HostOp>(op)) {
      p.hostOps.push_back({host.getName().str(), host.getKind().str()});
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
  context.loadDialect<NPUDialect>();
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
