//===- ISA.h - Mote NPU instructions: enums, fields, encoding ---*- C++ -*-===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// C++ view of the ISA table in ISA.def: opcode, engine, register and VEC op
// enums, the field descriptors, and a decoded `Instruction` (opcode plus
// named field values) that encodes to and decodes from 128 bits. LLVM
// Support only (no MLIR), so the simulator and small tools can use it.
//
//===----------------------------------------------------------------------===//

#ifndef MOTE_ISA_ISA_H
#define MOTE_ISA_ISA_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <array>
#include <cstdint>
#include <optional>

namespace mote::isa {

/// Instruction classes.
enum class Opcode : uint8_t {
  Illegal = 0,
#define MOTE_ISA_OPCODE(Name, value, engine, mnemonic, summary) Name = value,
#include "mote/ISA/ISA.def"
};

/// The three decoupled engines. `Any` marks CONFIG/SYNC, whose `engine`
/// field names the engine.
enum class Engine : uint8_t { Load = 0, Execute = 1, Store = 2, Any = 3 };
constexpr unsigned kNumEngines = 3;

/// SRAM buffer ids in LOAD/STORE `buffer` fields (same order as
/// mote::SramBuffer in the target description).
enum class Buffer : uint8_t { Weight = 0, Activation = 1, Accumulator = 2 };

/// VEC `op` values.
enum class VecOp : uint8_t {
#define MOTE_ISA_VECOP(Name, value, summary) Name = value,
#include "mote/ISA/ISA.def"
};

/// Configuration registers, per engine (values may repeat across engines).
namespace reg {
#define MOTE_ISA_REG(engine, Name, value, reset, summary)                     \
  constexpr uint8_t Name = value;
#include "mote/ISA/ISA.def"
} // namespace reg
constexpr unsigned kNumRegisters = 256;

/// Byte offsets of the requantization record's int32 fields (ISA.def
/// MOTE_ISA_RECORD) and the record's size.
namespace record {
#define MOTE_ISA_RECORD(Name, offset, summary) constexpr unsigned Name = offset;
#include "mote/ISA/ISA.def"
} // namespace record
constexpr unsigned kRequantRecordBytes =
    0
#define MOTE_ISA_RECORD(Name, offset, summary) +4
#include "mote/ISA/ISA.def"
    ;

/// Writes (reads) one requantization record at `p`.
inline void writeRequantRecord(uint8_t *p, int32_t bias, int32_t multiplier,
                               int32_t shift) {
  auto put = [&](unsigned at, int32_t v) {
    for (unsigned b = 0; b < 4; ++b)
      p[at + b] = uint8_t(uint32_t(v) >> (8 * b));
  };
  put(record::Bias, bias), put(record::Multiplier, multiplier);
  put(record::Shift, shift);
}
inline void readRequantRecord(const uint8_t *p, int32_t &bias,
                              int32_t &multiplier, int32_t &shift) {
  auto get = [&](unsigned at) {
    uint32_t v = 0;
    for (unsigned b = 0; b < 4; ++b)
      v |= uint32_t(p[at + b]) << (8 * b);
    return int32_t(v);
  };
  bias = get(record::Bias), multiplier = get(record::Multiplier);
  shift = get(record::Shift);
}

enum class FieldKind : uint8_t { Unsigned, Signed, Bool, Enum };

/// Every named field of every opcode, in table order. Header fields are
/// shared by all opcodes and come first.
enum class Field : uint8_t {
#define MOTE_ISA_FIELD(Opcode, field, lsb, width, kind, summary)               \
  Opcode##_##field,
#include "mote/ISA/ISA.def"
  NumFields
};

struct FieldInfo {
  Field id;
  Opcode opcode;        ///< Opcode::Illegal for header fields.
  llvm::StringLiteral name;
  unsigned lsb, width;
  FieldKind kind;
  llvm::StringLiteral summary;
};

struct OpcodeInfo {
  Opcode opcode;
  Engine engine;
  llvm::StringLiteral mnemonic;
  llvm::StringLiteral summary;
};

struct RegisterInfo {
  Engine engine;
  uint8_t index;
  llvm::StringLiteral name;
  llvm::StringLiteral summary;
  int64_t reset; ///< The value at program and inference start.
};

struct VecOpInfo {
  VecOp op;
  llvm::StringLiteral name;
  llvm::StringLiteral summary;
};

llvm::ArrayRef<OpcodeInfo> opcodes();
llvm::ArrayRef<FieldInfo> fields();
llvm::ArrayRef<RegisterInfo> registers();
llvm::ArrayRef<VecOpInfo> vecOps();

/// Every engine's configuration registers, indexed [engine][register].
using RegisterFiles =
    std::array<std::array<int64_t, kNumRegisters>, kNumEngines>;
/// The register files at program and inference start: ISA.def's `reset`
/// column (unlisted registers 0).
RegisterFiles resetRegisters();

/// Lookup helpers; nullptr / nullopt when unknown.
const OpcodeInfo *lookupOpcode(Opcode op);
const OpcodeInfo *lookupMnemonic(llvm::StringRef mnemonic);
const FieldInfo &fieldInfo(Field f);
/// The fields an opcode carries beyond the header, in table order.
llvm::SmallVector<const FieldInfo *, 16> fieldsOf(Opcode op);
const RegisterInfo *lookupRegister(Engine engine, uint8_t index);
const RegisterInfo *lookupRegister(Engine engine, llvm::StringRef name);
const VecOpInfo *lookupVecOp(uint8_t value);
const VecOpInfo *lookupVecOp(llvm::StringRef name);
llvm::StringRef engineName(Engine e); ///< "load", "execute", "store".

/// One encoded instruction: bit b is bit (b % 64) of word (b / 64).
using Word128 = std::array<uint64_t, 2>;

/// A decoded instruction: the opcode and every field's value (header
/// fields included). Fields the opcode does not have are 0.
struct Instruction {
  Opcode opcode = Opcode::Illegal;
  std::array<int64_t, static_cast<size_t>(Field::NumFields)> values{};

  int64_t get(Field f) const { return values[static_cast<size_t>(f)]; }
  Instruction &set(Field f, int64_t v) {
    values[static_cast<size_t>(f)] = v;
    return *this;
  }
  /// The engine that executes it (resolving CONFIG/SYNC's engine field).
  Engine engine() const;
  bool popPrev() const { return get(Field::Header_pop_prev); }
  bool popNext() const { return get(Field::Header_pop_next); }
  bool pushPrev() const { return get(Field::Header_push_prev); }
  bool pushNext() const { return get(Field::Header_push_next); }
};

/// Encodes; fails if a value does not fit its field, a field belongs to
/// another opcode, or a token flag points to a missing neighbour.
llvm::Expected<Word128> encode(const Instruction &inst);
/// Decodes and validates: illegal opcode, non-zero unused bits, unknown
/// enum values (buffer, engine, register, VEC op) are errors.
llvm::Expected<Instruction> decode(const Word128 &word);

/// Convenience constructor: an instruction with opcode set.
inline Instruction make(Opcode op) {
  Instruction i;
  i.opcode = op;
  i.set(Field::Header_opcode, static_cast<int64_t>(op));
  return i;
}

} // namespace mote::isa

#endif // MOTE_ISA_ISA_H
