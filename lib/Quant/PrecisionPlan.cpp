//===- PrecisionPlan.cpp - Per-layer precision plans ----------------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The plan format --mote-mixed-precision writes and --mote-quantize reads
// (docs/MixedPrecision.md): `KEY WEIGHT_BITS ACT_BITS` per line.
//
//===----------------------------------------------------------------------===//

#include "mote/Quant/Quantize.h"

#include "llvm/ADT/Twine.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cctype>

using namespace mlir;
using namespace mote::quant;

static bool validBits(unsigned b) { return b >= 2 && b <= 8; }

void PrecisionPlan::set(StringRef key, Precision p) {
  unsigned index;
  if (key == "*")
    fallback = p;
  else if (key.starts_with("#") && !key.drop_front().getAsInteger(10, index))
    byIndex[index] = p;
  else
    byName[key] = p;
}

LogicalResult mote::quant::parsePrecisionPlan(StringRef text, StringRef source,
                                              PrecisionPlan &plan,
                                              std::string &error) {
  SmallVector<StringRef> lines;
  text.split(lines, '\n');
  for (auto [lineNo, rawLine] : llvm::enumerate(lines)) {
    StringRef line = rawLine.split('#').first;
    // '#N' keys start with '#': only a '#' that follows whitespace or starts
    // the line before any key is a comment.
    StringRef trimmed = rawLine.trim();
    if (trimmed.starts_with("#") && trimmed.size() > 1 &&
        isdigit(static_cast<unsigned char>(trimmed[1])))
      line = trimmed.split(" #").first;
    SmallVector<StringRef> fields;
    line.split(fields, ' ', -1, /*KeepEmpty=*/false);
    if (fields.empty())
      continue;
    Precision p;
    if (fields.size() != 3 || fields[1].getAsInteger(10, p.weightBits) ||
        fields[2].getAsInteger(10, p.actBits) || !validBits(p.weightBits) ||
        !validBits(p.actBits)) {
      error = (source + ":" + Twine(lineNo + 1) +
               ": expected 'KEY WEIGHT_BITS ACT_BITS' with bits in [2, 8], "
               "got '" +
               rawLine.trim() + "'")
                  .str();
      return failure();
    }
    plan.set(fields[0], p);
  }
  return success();
}

LogicalResult mote::quant::readPrecisionPlan(StringRef path,
                                             PrecisionPlan &plan,
                                             std::string &error) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer) {
    error =
        (path + ": cannot read the plan file: " + buffer.getError().message())
            .str();
    return failure();
  }
  return parsePrecisionPlan((*buffer)->getBuffer(), path, plan, error);
}
