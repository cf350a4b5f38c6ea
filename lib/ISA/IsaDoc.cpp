//===- IsaDoc.cpp - Generate docs/ISA.md's tables from ISA.def ------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The generated part of docs/ISA.md (between the BEGIN/END GENERATED
// markers): opcodes, per-opcode field tables with bit ranges, VEC ops and
// configuration registers, all read from the one table. test/docs.test
// fails when the committed copy differs from `mote-translate
// --print-isa-doc`.
//
//===----------------------------------------------------------------------===//

#include "mote/ISA/Program.h"

#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace mote::isa {

static StringRef kindName(FieldKind kind) {
  switch (kind) {
  case FieldKind::Unsigned:
    return "unsigned";
  case FieldKind::Signed:
    return "signed";
  case FieldKind::Bool:
    return "flag";
  case FieldKind::Enum:
    return "enum";
  }
  return "?";
}

/// Markdown table cells may not hold '|'.
static std::string cell(StringRef text) {
  std::string out;
  for (char c : text) {
    if (c == '|')
      out += "\\|";
    else
      out += c;
  }
  return out;
}

static void printFieldRow(const FieldInfo &f, raw_ostream &os) {
  os << "| `" << f.name << "` | " << f.lsb + f.width - 1 << ":" << f.lsb
     << " | " << f.width << " | " << kindName(f.kind) << " | "
     << cell(f.summary) << " |\n";
}

static void printFieldTableHeader(raw_ostream &os) {
  os << "| Field | Bits | Width | Kind | Meaning |\n"
     << "|---|---|---|---|---|\n";
}

void printIsaDoc(raw_ostream &os) {
  os << "## Opcodes\n\n"
     << "| Value | Mnemonic | Engine | Meaning |\n"
     << "|---|---|---|---|\n";
  for (const OpcodeInfo &op : opcodes()) {
    StringRef engine = op.engine == Engine::Any ? StringRef("`engine` field")
                                                : engineName(op.engine);
    os << "| " << static_cast<unsigned>(op.opcode) << " | `" << op.mnemonic
       << "` | " << engine << " | " << cell(op.summary) << " |\n";
  }

  os << "\n## Header (every instruction)\n\n";
  printFieldTableHeader(os);
  for (const FieldInfo &f : fields())
    if (f.opcode == Opcode::Illegal)
      printFieldRow(f, os);

  for (const OpcodeInfo &op : opcodes()) {
    os << "\n## `" << op.mnemonic << "`\n\n" << op.summary << ".\n\n";
    auto own = fieldsOf(op.opcode);
    if (own.empty()) {
      os << "No fields beyond the header.\n";
      continue;
    }
    printFieldTableHeader(os);
    for (const FieldInfo *f : own)
      printFieldRow(*f, os);
  }

  os << "\n## VEC operations (`op` field)\n\n"
     << "| Value | Name | Meaning |\n"
     << "|---|---|---|\n";
  for (const VecOpInfo &v : vecOps())
    os << "| " << static_cast<unsigned>(v.op) << " | `" << v.name.lower()
       << "` | " << cell(v.summary) << " |\n";

  os << "\n## Requantization record\n\n"
     << "Per output channel, " << kRequantRecordBytes
     << " bytes in the weight buffer (VEC `requantize`, `combine`), int32 "
        "little-endian fields:\n\n"
     << "| Offset | Field | Meaning |\n"
     << "|---|---|---|\n";
  struct RecordField {
    unsigned offset;
    const char *name, *summary;
  };
  static const RecordField recordFields[] = {
#define MOTE_ISA_RECORD(Name, offset, summary) {offset, #Name, summary},
#include "mote/ISA/ISA.def"
  };
  for (const RecordField &f : recordFields)
    os << "| " << f.offset << " | `" << StringRef(f.name).lower() << "` | "
       << cell(f.summary) << " |\n";

  os << "\n## Configuration registers (`config` `reg` field)\n\n"
     << "Every register holds its reset value at program start and at the "
        "start of every inference.\n\n"
     << "| Engine | Index | Name | Reset | Meaning |\n"
     << "|---|---|---|---|---|\n";
  for (const RegisterInfo &r : registers())
    os << "| " << engineName(r.engine) << " | " << static_cast<unsigned>(r.index)
       << " | `" << r.name << "` | " << r.reset << " | " << cell(r.summary)
       << " |\n";
}

} // namespace mote::isa
