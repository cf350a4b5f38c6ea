//===- RemarkStream.h - Pass reports as remarks -----------------*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_QUANT_REMARKSTREAM_H
#define MOTE_QUANT_REMARKSTREAM_H

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/Operation.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace mote::quant {

/// Where a pass's report about a whole module goes: line 0 of the module's
/// file (printed as `FILE:0:0: remark: ...`, with no source line under
/// it), or an unknown location. Remarks about single ops keep their op's
/// location, which is how a tool tells the two apart (isReportLocation).
inline mlir::Location reportLocation(mlir::Operation *module) {
  mlir::Location loc = module->getLoc();
  if (auto file = mlir::dyn_cast<mlir::FileLineColLoc>(loc))
    return mlir::FileLineColLoc::get(file.getFilename(), 0, 0);
  return mlir::UnknownLoc::get(module->getContext());
}

/// True for the locations reportLocation gives.
inline bool isReportLocation(mlir::Location loc) {
  if (auto file = mlir::dyn_cast<mlir::FileLineColLoc>(loc))
    return file.getLine() == 0 && file.getColumn() == 0;
  return mlir::isa<mlir::UnknownLoc>(loc);
}

/// A stream whose every completed line becomes a remark at `loc`. Passes
/// write their summaries and search progress through it instead of to
/// stderr, so that the tool's diagnostic handler decides where they go:
/// mote-opt prints them, motec shows them as progress unless --quiet, and
/// a caller that runs a pass many times can drop them.
class RemarkStream : public llvm::raw_ostream {
public:
  explicit RemarkStream(mlir::Location loc) : loc(loc) { SetUnbuffered(); }
  ~RemarkStream() override {
    if (!pending.empty())
      mlir::emitRemark(loc, pending);
  }

private:
  void write_impl(const char *ptr, size_t size) override {
    written += size;
    for (size_t i = 0; i < size; ++i) {
      if (ptr[i] != '\n') {
        pending.push_back(ptr[i]);
        continue;
      }
      mlir::emitRemark(loc, pending);
      pending.clear();
    }
  }
  uint64_t current_pos() const override { return written; }

  mlir::Location loc;
  std::string pending;
  uint64_t written = 0;
};

} // namespace mote::quant

#endif // MOTE_QUANT_REMARKSTREAM_H
