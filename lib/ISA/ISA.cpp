//===- ISA.cpp - Mote NPU instruction tables, encoder, decoder ------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Expands ISA.def into the lookup tables and implements the 128-bit
// encoding. encode() and decode() enforce the same rules, so every word
// decode() accepts re-encodes to itself and every instruction encode()
// accepts decodes back unchanged.
//
//===----------------------------------------------------------------------===//

#include "mote/ISA/ISA.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"

using namespace llvm;

namespace mote::isa {

//===----------------------------------------------------------------------===//
// Tables
//===----------------------------------------------------------------------===//

static const OpcodeInfo kOpcodes[] = {
#define MOTE_ISA_OPCODE(Name, value, engine, mnemonic, summary)               \
  {Opcode::Name, Engine::engine, mnemonic, summary},
#include "mote/ISA/ISA.def"
};

/// Header fields carry no opcode (Opcode::Illegal); `Header` maps to it.
namespace {
struct OpcodeOrHeader {
  static constexpr Opcode Header = Opcode::Illegal;
#define MOTE_ISA_OPCODE(Name, value, engine, mnemonic, summary)               \
  static constexpr Opcode Name = Opcode::Name;
#include "mote/ISA/ISA.def"
};
} // namespace

static const FieldInfo kFields[] = {
#define MOTE_ISA_FIELD(Opc, field, lsb, width, kind, summary)                  \
  {Field::Opc##_##field, OpcodeOrHeader::Opc, #field, lsb, width,              \
   FieldKind::kind, summary},
#include "mote/ISA/ISA.def"
};
static_assert(sizeof(kFields) / sizeof(kFields[0]) ==
                  static_cast<size_t>(Field::NumFields),
              "field table out of sync with the Field enum");

static const RegisterInfo kRegisters[] = {
#define MOTE_ISA_REG(engine, Name, value, reset, summary)                      \
  {Engine::engine, value, #Name, summary, reset},
#include "mote/ISA/ISA.def"
};

static const VecOpInfo kVecOps[] = {
#define MOTE_ISA_VECOP(Name, value, summary) {VecOp::Name, #Name, summary},
#include "mote/ISA/ISA.def"
};

ArrayRef<OpcodeInfo> opcodes() { return kOpcodes; }
ArrayRef<FieldInfo> fields() { return kFields; }
ArrayRef<RegisterInfo> registers() { return kRegisters; }
ArrayRef<VecOpInfo> vecOps() { return kVecOps; }

RegisterFiles resetRegisters() {
  RegisterFiles files{};
  for (auto &file : files)
    file.fill(0);
  for (const RegisterInfo &r : kRegisters)
    files[unsigned(r.engine)][r.index] = r.reset;
  return files;
}

const OpcodeInfo *lookupOpcode(Opcode op) {
  for (const OpcodeInfo &info : kOpcodes)
    if (info.opcode == op)
      return &info;
  return nullptr;
}

const OpcodeInfo *lookupMnemonic(StringRef mnemonic) {
  for (const OpcodeInfo &info : kOpcodes)
    if (info.mnemonic == mnemonic)
      return &info;
  return nullptr;
}

const FieldInfo &fieldInfo(Field f) {
  size_t index = static_cast<size_t>(f);
  // Out-of-range ids map to the opcode field rather than reading past the
  // table; callers only pass enumerators.
  if (index >= static_cast<size_t>(Field::NumFields))
    index = 0;
  return kFields[index];
}

SmallVector<const FieldInfo *, 16> fieldsOf(Opcode op) {
  SmallVector<const FieldInfo *, 16> result;
  if (op == Opcode::Illegal)
    return result;
  for (const FieldInfo &info : kFields)
    if (info.opcode == op)
      result.push_back(&info);
  return result;
}

const RegisterInfo *lookupRegister(Engine engine, uint8_t index) {
  for (const RegisterInfo &info : kRegisters)
    if (info.engine == engine && info.index == index)
      return &info;
  return nullptr;
}

const RegisterInfo *lookupRegister(Engine engine, StringRef name) {
  for (const RegisterInfo &info : kRegisters)
    if (info.engine == engine && info.name.equals_insensitive(name))
      return &info;
  return nullptr;
}

const VecOpInfo *lookupVecOp(uint8_t value) {
  for (const VecOpInfo &info : kVecOps)
    if (static_cast<uint8_t>(info.op) == value)
      return &info;
  return nullptr;
}

const VecOpInfo *lookupVecOp(StringRef name) {
  for (const VecOpInfo &info : kVecOps)
    if (info.name.equals_insensitive(name))
      return &info;
  return nullptr;
}

StringRef engineName(Engine e) {
  switch (e) {
  case Engine::Load:
    return "load";
  case Engine::Execute:
    return "execute";
  case Engine::Store:
    return "store";
  case Engine::Any:
    return "any";
  }
  return "any";
}

//===----------------------------------------------------------------------===//
// Instruction
//===----------------------------------------------------------------------===//

Engine Instruction::engine() const {
  const OpcodeInfo *info = lookupOpcode(opcode);
  if (!info)
    return Engine::Any;
  if (info->engine != Engine::Any)
    return info->engine;
  int64_t e = opcode == Opcode::Config ? get(Field::Config_engine)
                                       : get(Field::Sync_engine);
  if (e < 0 || e >= static_cast<int64_t>(kNumEngines))
    return Engine::Any;
  return static_cast<Engine>(e);
}

//===----------------------------------------------------------------------===//
// Encoding
//===----------------------------------------------------------------------===//

static uint64_t lowMask(unsigned width) {
  return width >= 64 ? ~uint64_t(0) : (uint64_t(1) << width) - 1;
}

/// Checks an enum field's value; returns a message or an empty string.
static std::string checkEnum(const FieldInfo &f, int64_t v,
                             const Instruction &inst) {
  switch (f.id) {
  case Field::Header_opcode:
    if (!lookupOpcode(static_cast<Opcode>(v)) || v <= 0 || v > 255)
      return ("illegal opcode " + Twine(v)).str();
    return "";
  case Field::Load_buffer:
    if (v < 0 || v > static_cast<int64_t>(Buffer::Accumulator))
      return ("unknown buffer " + Twine(v)).str();
    return "";
  case Field::Store_buffer:
    if (v != static_cast<int64_t>(Buffer::Activation) &&
        v != static_cast<int64_t>(Buffer::Accumulator))
      return ("store cannot read buffer " + Twine(v) +
              " (only 1 activation, 2 accumulator)")
          .str();
    return "";
  case Field::Vec_op:
    if (v < 0 || v > 255 || !lookupVecOp(static_cast<uint8_t>(v)))
      return ("unknown VEC op " + Twine(v)).str();
    return "";
  case Field::Config_engine:
  case Field::Sync_engine:
    if (v < 0 || v >= static_cast<int64_t>(kNumEngines))
      return ("unknown engine " + Twine(v)).str();
    return "";
  case Field::Config_reg: {
    int64_t e = inst.get(Field::Config_engine);
    if (e < 0 || e >= static_cast<int64_t>(kNumEngines))
      return ""; // reported on the engine field
    if (v < 0 || v > 255 ||
        !lookupRegister(static_cast<Engine>(e), static_cast<uint8_t>(v)))
      return ("unknown " + engineName(static_cast<Engine>(e)) +
              " register " + Twine(v))
          .str();
    return "";
  }
  default:
    return ("field '" + f.name + "' has no enum values").str();
  }
}

/// Checks that `v` fits field `f`; returns a message or an empty string.
static std::string checkValue(const FieldInfo &f, int64_t v,
                              const Instruction &inst) {
  switch (f.kind) {
  case FieldKind::Bool:
    if (v != 0 && v != 1)
      return ("field '" + f.name + "' is a flag (0 or 1), got " + Twine(v))
          .str();
    return "";
  case FieldKind::Unsigned:
    if (v < 0 || (f.width < 63 && v > static_cast<int64_t>(lowMask(f.width))))
      return ("field '" + f.name + "' value " + Twine(v) +
              " out of range [0, " + Twine(lowMask(f.width)) + "]")
          .str();
    return "";
  case FieldKind::Signed: {
    if (f.width >= 64)
      return "";
    int64_t lo = -(int64_t(1) << (f.width - 1));
    int64_t hi = (int64_t(1) << (f.width - 1)) - 1;
    if (v < lo || v > hi)
      return ("field '" + f.name + "' value " + Twine(v) + " out of range [" +
              Twine(lo) + ", " + Twine(hi) + "]")
          .str();
    return "";
  }
  case FieldKind::Enum:
    return checkEnum(f, v, inst);
  }
  return "";
}

/// The token rule shared by encode and decode: the load engine has no
/// previous neighbour, the store engine no next one.
static std::string checkTokens(const Instruction &inst) {
  Engine e = inst.engine();
  if (e == Engine::Load && (inst.popPrev() || inst.pushPrev()))
    return "load-engine instruction cannot use pop_prev/push_prev (the load "
           "engine has no previous engine)";
  if (e == Engine::Store && (inst.popNext() || inst.pushNext()))
    return "store-engine instruction cannot use pop_next/push_next (the "
           "store engine has no next engine)";
  return "";
}

static bool isHeader(const FieldInfo &f) { return f.opcode == Opcode::Illegal; }

Expected<Word128> encode(const Instruction &inst) {
  const OpcodeInfo *opInfo = lookupOpcode(inst.opcode);
  if (!opInfo)
    return createStringError(
        "illegal opcode " + Twine(static_cast<unsigned>(inst.opcode)));
  StringRef mnemonic = opInfo->mnemonic;
  int64_t header = inst.get(Field::Header_opcode);
  if (header != 0 && header != static_cast<int64_t>(inst.opcode))
    return createStringError(mnemonic + ": opcode field " + Twine(header) +
                             " disagrees with the opcode " +
                             Twine(static_cast<unsigned>(inst.opcode)));

  Word128 word{0, 0};
  for (const FieldInfo &f : kFields) {
    int64_t v = inst.get(f.id);
    if (f.id == Field::Header_opcode)
      v = static_cast<int64_t>(inst.opcode);
    bool mine = isHeader(f) || f.opcode == inst.opcode;
    if (!mine) {
      if (v != 0) {
        const OpcodeInfo *owner = lookupOpcode(f.opcode);
        return createStringError(
            mnemonic + ": field '" + f.name + "' belongs to '" +
            (owner ? StringRef(owner->mnemonic) : StringRef("?")) + "', must be 0");
      }
      continue;
    }
    std::string msg = checkValue(f, v, inst);
    if (!msg.empty())
      return createStringError(mnemonic + ": " + msg);
    uint64_t bits = static_cast<uint64_t>(v) & lowMask(f.width);
    word[f.lsb / 64] |= bits << (f.lsb % 64);
  }
  std::string msg = checkTokens(inst);
  if (!msg.empty())
    return createStringError(mnemonic + ": " + msg);
  return word;
}

/// Bits covered by the header and `op`'s fields.
static Word128 coveredBits(Opcode op) {
  Word128 mask{0, 0};
  for (const FieldInfo &f : kFields)
    if (isHeader(f) || f.opcode == op)
      mask[f.lsb / 64] |= lowMask(f.width) << (f.lsb % 64);
  return mask;
}

Expected<Instruction> decode(const Word128 &word) {
  unsigned opValue = word[0] & 0xf;
  const OpcodeInfo *opInfo = lookupOpcode(static_cast<Opcode>(opValue));
  if (opValue == 0 || !opInfo)
    return createStringError("illegal opcode " + Twine(opValue));
  Instruction inst;
  inst.opcode = opInfo->opcode;
  StringRef mnemonic = opInfo->mnemonic;

  Word128 covered = coveredBits(inst.opcode);
  for (unsigned w = 0; w < 2; ++w) {
    uint64_t stray = word[w] & ~covered[w];
    if (stray)
      return createStringError(
          mnemonic + ": non-zero bits outside its fields (word " + Twine(w) +
          ", bits 0x" + utohexstr(stray) + ")");
  }

  for (const FieldInfo &f : kFields) {
    if (!isHeader(f) && f.opcode != inst.opcode)
      continue;
    uint64_t bits = (word[f.lsb / 64] >> (f.lsb % 64)) & lowMask(f.width);
    int64_t v = static_cast<int64_t>(bits);
    if (f.kind == FieldKind::Signed && f.width < 64 &&
        (bits >> (f.width - 1)) & 1)
      v = static_cast<int64_t>(bits | ~lowMask(f.width));
    inst.set(f.id, v);
  }
  // Enum checks after all fields are read (CONFIG's reg needs its engine).
  for (const FieldInfo &f : kFields) {
    if (f.kind != FieldKind::Enum || (!isHeader(f) && f.opcode != inst.opcode))
      continue;
    std::string msg = checkEnum(f, inst.get(f.id), inst);
    if (!msg.empty())
      return createStringError(mnemonic + ": " + msg);
  }
  std::string msg = checkTokens(inst);
  if (!msg.empty())
    return createStringError(mnemonic + ": " + msg);
  return inst;
}

} // namespace mote::isa
