//===- Verify.cpp - Invariants of a Mote NPU program ----------------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The checks shared by readMbin, parseMasm and the compiler before it
// writes a binary, so that the simulator can trust any Program it loads.
//
//===----------------------------------------------------------------------===//

#include "mote/ISA/Program.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/JSON.h"

#include <cmath>

using namespace llvm;

namespace mote::isa {

static Error fail(StringRef what, const Twine &msg) {
  return createStringError(what + ": " + msg);
}

std::optional<IOStorage> ioStorage(StringRef dtype) {
  if (dtype == "i32")
    return IOStorage{4, true, INT32_MIN, INT32_MAX};
  if (dtype == "f32")
    return IOStorage{4, true, 0, 0, /*isFloat=*/true};
  bool isSigned = dtype.consume_front("i");
  if (!isSigned && !dtype.consume_front("u"))
    return std::nullopt;
  unsigned bits;
  if (dtype.getAsInteger(10, bits) || bits < (isSigned ? 2u : 1u) || bits > 8 ||
      dtype.starts_with("0"))
    return std::nullopt;
  if (isSigned)
    return IOStorage{1, true, -(int64_t(1) << (bits - 1)),
                     (int64_t(1) << (bits - 1)) - 1};
  return IOStorage{1, false, 0, (int64_t(1) << bits) - 1};
}

std::string ioDtypeName(unsigned bits, bool isSigned) {
  if (bits == 32 && isSigned)
    return "i32";
  std::string name = (isSigned ? "i" : "u") + std::to_string(bits);
  return ioStorage(name) ? name : std::string();
}

static Error verifyIO(const IODesc &io, size_t index, uint64_t dramBytes,
                      StringRef what) {
  std::string label = (Twine(io.isInput ? "input " : "output ") +
                       Twine(index) + " '" +
                       (json::isUTF8(io.name) ? io.name : "?") + "'")
                          .str();
  if (!json::isUTF8(io.name) || !json::isUTF8(io.layout))
    return fail(what, label + ": name and layout must be UTF-8");
  std::optional<IOStorage> storage = ioStorage(io.dtype);
  if (!storage)
    return fail(what, label + ": unknown dtype '" +
                          (json::isUTF8(io.dtype) ? io.dtype : "?") +
                          "' (expected i8, u8, i32, f32, or i2..i7 / u1..u7)");
  uint64_t elemBytes = storage->bytes;
  uint64_t elements = 1;
  for (int64_t d : io.shape) {
    if (d < 0)
      return fail(what, label + ": negative dimension " + Twine(d));
    if (d != 0 && elements > UINT64_MAX / static_cast<uint64_t>(d))
      return fail(what, label + ": shape too large");
    elements *= static_cast<uint64_t>(d);
  }
  if (elements > UINT64_MAX / elemBytes || elements * elemBytes != io.bytes)
    return fail(what, label + ": bytes " + Twine(io.bytes) +
                          " do not match the shape (" + Twine(elements) +
                          " elements of " + Twine(elemBytes) + " bytes)");
  if (!io.dramPerm.empty()) {
    if (io.dramPerm.size() != io.shape.size())
      return fail(what, label + ": dram perm has " +
                            Twine(io.dramPerm.size()) + " entries, rank is " +
                            Twine(io.shape.size()));
    SmallVector<bool, 8> seen(io.shape.size(), false);
    for (int64_t p : io.dramPerm) {
      if (p < 0 || p >= static_cast<int64_t>(io.shape.size()) || seen[p])
        return fail(what, label + ": dram perm is not a permutation");
      seen[p] = true;
    }
  }
  if (io.dramAddr > dramBytes || io.bytes > dramBytes - io.dramAddr)
    return fail(what, label + ": DRAM range [" + Twine(io.dramAddr) + ", " +
                          Twine(io.dramAddr) + "+" + Twine(io.bytes) +
                          ") exceeds the DRAM size " + Twine(dramBytes));
  if (!std::isfinite(io.scale) || !(io.scale > 0))
    return fail(what, label + ": scale must be finite and positive");
  if (storage->isFloat ? io.zeroPoint != 0 || io.scale != 1
                       : io.zeroPoint < storage->qmin ||
                             io.zeroPoint > storage->qmax)
    return fail(what, label + ": zero point " + Twine(io.zeroPoint) +
                          " outside the range of " + io.dtype +
                          (storage->isFloat ? " (f32 tensors have scale 1, "
                                              "zero point 0)"
                                            : ""));
  return Error::success();
}

/// Elements of `shape`, or nullopt on a negative or overflowing shape.
static std::optional<uint64_t> elementCount(ArrayRef<int64_t> shape) {
  uint64_t elements = 1;
  for (int64_t d : shape) {
    if (d < 0 || (d != 0 && elements > (uint64_t(1) << 40) / uint64_t(d)))
      return std::nullopt;
    elements *= uint64_t(d);
  }
  return elements;
}

static Error verifyHostSegment(const HostSegment &seg, size_t index,
                               uint64_t dramBytes, StringRef what) {
  std::string label = ("host segment " + Twine(index)).str();
  if (!json::isUTF8(seg.module))
    return fail(what, label + ": its module text is not UTF-8");
  for (const HostOp &op : seg.ops)
    if (!json::isUTF8(op.name) || !json::isUTF8(op.kind))
      return fail(what, label + ": op name and kind must be UTF-8");
  for (bool input : {true, false}) {
    const auto &tensors = input ? seg.inputs : seg.outputs;
    for (size_t i = 0; i < tensors.size(); ++i) {
      const HostTensorDesc &t = tensors[i];
      std::string tl =
          (label + (input ? " input " : " output ") + Twine(i)).str();
      std::optional<IOStorage> storage = ioStorage(t.dtype);
      if (!storage)
        return fail(what, tl + ": unknown dtype '" +
                              (json::isUTF8(t.dtype) ? t.dtype : "?") + "'");
      std::optional<uint64_t> elements = elementCount(t.shape);
      if (!elements || *elements * storage->bytes != t.bytes)
        return fail(what, tl + ": bytes " + Twine(t.bytes) +
                              " do not match the shape");
      if (t.dramAddr > dramBytes || t.bytes > dramBytes - t.dramAddr)
        return fail(what, tl + ": DRAM range [" + Twine(t.dramAddr) + ", " +
                              Twine(t.dramAddr) + "+" + Twine(t.bytes) +
                              ") exceeds the DRAM size " + Twine(dramBytes));
    }
  }
  return Error::success();
}

/// The weight-buffer bytes [begin, end) a LOAD writes (its whole tile).
static std::pair<uint64_t, uint64_t> loadFootprint(const Instruction &inst) {
  uint64_t rows = inst.get(Field::Load_pad_top) + inst.get(Field::Load_rows) +
                  inst.get(Field::Load_pad_bottom);
  uint64_t cols = inst.get(Field::Load_pad_left) + inst.get(Field::Load_cols) +
                  inst.get(Field::Load_pad_right);
  uint64_t begin = inst.get(Field::Load_sram_addr);
  return {begin, begin + rows * cols * inst.get(Field::Load_elem_bytes)};
}

/// The program-load preamble: only weight LOADs and load-engine
/// CONFIG/SYNC, no layer inside it, and nothing after it overwrites what
/// it made resident (each inference relies on it).
static Error verifyPreamble(const Program &program, StringRef what) {
  uint64_t pre = program.preambleInstructions, n = program.instructions.size();
  if (pre == 0)
    return Error::success();
  if (pre >= n)
    return fail(what, "the program-load preamble covers " + Twine(pre) +
                          " of " + Twine(n) + " instructions");
  for (const LayerInfo &layer : program.layers)
    if (layer.numInstructions && layer.firstInstruction < pre)
      return fail(what, "layer '" + layer.name + "' starts at instruction " +
                            Twine(layer.firstInstruction) +
                            ", inside the program-load preamble [0, " +
                            Twine(pre) + ")");
  std::vector<std::pair<uint64_t, uint64_t>> resident;
  for (uint64_t i = 0; i < pre; ++i) {
    Instruction inst = cantFail(decode(program.instructions[i]));
    bool ok = inst.opcode == Opcode::Load
                  ? inst.get(Field::Load_buffer) == 0
                  : (inst.opcode == Opcode::Config || inst.opcode == Opcode::Sync) &&
                        inst.engine() == Engine::Load;
    if (!ok)
      return fail(what, "instruction " + Twine(i) + ": the program-load "
                            "preamble holds only weight-buffer LOADs and "
                            "load-engine CONFIG/SYNC");
    if (inst.opcode == Opcode::Load)
      resident.push_back(loadFootprint(inst));
  }
  for (uint64_t i = pre; i < n; ++i) {
    Instruction inst = cantFail(decode(program.instructions[i]));
    if (inst.opcode != Opcode::Load || inst.get(Field::Load_buffer) != 0)
      continue;
    auto [b, e] = loadFootprint(inst);
    for (auto [rb, re] : resident)
      if (b < re && rb < e) {
        std::string layer;
        for (const LayerInfo &l : program.layers)
          if (i >= l.firstInstruction && i < l.firstInstruction + l.numInstructions)
            layer = " (layer '" + l.name + "')";
        return fail(what, "instruction " + Twine(i) + layer +
                              " overwrites weight_buffer bytes [" + Twine(b) +
                              ", " + Twine(e) + "), resident since the "
                              "program-load preamble ([" + Twine(rb) + ", " +
                              Twine(re) + "))");
      }
  }
  return Error::success();
}

Error verifyProgram(const Program &program, StringRef what) {
  if (!json::isUTF8(program.targetName))
    return fail(what, "target name is not UTF-8");
  size_t n = program.instructions.size();
  if (n == 0)
    return fail(what, "no instructions (a program ends with finish)");
  SmallVector<int64_t> hostInstruction(program.hostSegments.size(), -1);
  for (size_t i = 0; i < n; ++i) {
    Expected<Instruction> inst = decode(program.instructions[i]);
    if (!inst)
      return fail(what, "instruction " + Twine(i) + ": " +
                            toString(inst.takeError()));
    if (inst->opcode == Opcode::Host) {
      uint64_t seg = uint64_t(inst->get(Field::Host_segment));
      if (seg >= program.hostSegments.size())
        return fail(what, "instruction " + Twine(i) + ": host segment " +
                              Twine(seg) + " does not exist (the program has " +
                              Twine(program.hostSegments.size()) + ")");
      if (hostInstruction[seg] >= 0)
        return fail(what, "instruction " + Twine(i) + ": host segment " +
                              Twine(seg) + " already runs at instruction " +
                              Twine(hostInstruction[seg]));
      hostInstruction[seg] = int64_t(i);
    }
    bool last = i + 1 == n;
    if (last && inst->opcode != Opcode::Finish)
      return fail(what, "instruction " + Twine(i) +
                            ": the last instruction must be finish");
    if (!last && inst->opcode == Opcode::Finish)
      return fail(what, "instruction " + Twine(i) +
                            ": finish before the end of the program");
  }
  if (program.constants.size() > program.dramBytes)
    return fail(what, "constant image (" + Twine(program.constants.size()) +
                          " bytes) exceeds the DRAM size " +
                          Twine(program.dramBytes));
  for (size_t i = 0; i < program.io.size(); ++i)
    if (Error err = verifyIO(program.io[i], i, program.dramBytes, what))
      return err;
  for (size_t i = 0; i < program.layers.size(); ++i) {
    const LayerInfo &layer = program.layers[i];
    if (!json::isUTF8(layer.name) || !json::isUTF8(layer.kind))
      return fail(what, "layer " + Twine(i) + ": name and kind must be UTF-8");
    if (layer.firstInstruction > n ||
        layer.numInstructions > n - layer.firstInstruction)
      return fail(what, "layer " + Twine(i) + " '" + layer.name +
                            "': instructions [" +
                            Twine(layer.firstInstruction) + ", +" +
                            Twine(layer.numInstructions) +
                            ") exceed the program's " + Twine(n));
  }
  if (Error err = verifyPreamble(program, what))
    return err;
  for (size_t i = 0; i < program.hostSegments.size(); ++i) {
    if (hostInstruction[i] < 0)
      return fail(what, "host segment " + Twine(i) +
                            " is run by no host instruction");
    if (Error err = verifyHostSegment(program.hostSegments[i], i,
                                      program.dramBytes, what))
      return err;
  }
  return Error::success();
}

} // namespace mote::isa
