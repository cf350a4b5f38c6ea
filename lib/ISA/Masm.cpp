//===- Masm.cpp - The .masm text form of a Mote NPU program ---------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Prints and parses `.masm` (syntax in docs/ISA.md): directives for the
// target, DRAM size, I/O descriptors, layers, host ops and the constant
// image, then one instruction per line, `mnemonic field=value ... flag ...`.
// The printer is canonical, so masm -> mbin -> masm reproduces the text.
//
//===----------------------------------------------------------------------===//

#include "mote/ISA/Program.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>

using namespace llvm;

namespace mote::isa {

//===----------------------------------------------------------------------===//
// Printing
//===----------------------------------------------------------------------===//

/// Printable names of the enum values of `f`, or "" to print a number.
static std::string enumName(const FieldInfo &f, const Instruction &inst) {
  int64_t v = inst.get(f.id);
  switch (f.id) {
  case Field::Load_buffer:
  case Field::Store_buffer:
    if (v == 0)
      return "weight";
    if (v == 1)
      return "activation";
    if (v == 2)
      return "accumulator";
    return "";
  case Field::Config_engine:
  case Field::Sync_engine:
    if (v >= 0 && v < static_cast<int64_t>(kNumEngines))
      return engineName(static_cast<Engine>(v)).str();
    return "";
  case Field::Config_reg: {
    int64_t e = inst.get(Field::Config_engine);
    if (e < 0 || e >= static_cast<int64_t>(kNumEngines) || v < 0 || v > 255)
      return "";
    if (const RegisterInfo *r =
            lookupRegister(static_cast<Engine>(e), static_cast<uint8_t>(v)))
      return r->name.str();
    return "";
  }
  case Field::Vec_op:
    if (v >= 0 && v <= 255)
      if (const VecOpInfo *info = lookupVecOp(static_cast<uint8_t>(v)))
        return info->name.lower();
    return "";
  default:
    return "";
  }
}

void printInstruction(const Instruction &inst, raw_ostream &os) {
  const OpcodeInfo *info = lookupOpcode(inst.opcode);
  if (!info) {
    os << "<illegal opcode " << static_cast<unsigned>(inst.opcode) << ">";
    return;
  }
  os << info->mnemonic;
  // Enum and signed fields always (they read badly when left out), the
  // rest only when non-zero; flags as bare words.
  for (const FieldInfo *f : fieldsOf(inst.opcode)) {
    int64_t v = inst.get(f->id);
    switch (f->kind) {
    case FieldKind::Bool:
      if (v)
        os << ' ' << f->name;
      break;
    case FieldKind::Unsigned:
      // A HOST names its segment even when it is segment 0.
      if (v || f->id == Field::Host_segment)
        os << ' ' << f->name << '=' << v;
      break;
    case FieldKind::Signed:
      os << ' ' << f->name << '=' << v;
      break;
    case FieldKind::Enum: {
      std::string name = enumName(*f, inst);
      os << ' ' << f->name << '=';
      if (name.empty())
        os << v;
      else
        os << name;
      break;
    }
    }
  }
  for (Field f : {Field::Header_pop_prev, Field::Header_pop_next,
                  Field::Header_push_prev, Field::Header_push_next})
    if (inst.get(f))
      os << ' ' << fieldInfo(f).name;
}

static void printString(StringRef s, raw_ostream &os) {
  os << '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\')
      os << '\\' << c;
    else if (c < 0x20 || c == 0x7f)
      os << "\\x" << hexdigit(c >> 4, true) << hexdigit(c & 15, true);
    else
      os << c;
  }
  os << '"';
}

static void printList(ArrayRef<int64_t> values, raw_ostream &os) {
  os << '[';
  interleave(values, os, ",");
  os << ']';
}

/// The shortest decimal form that reads back as exactly `v`.
static std::string formatDouble(double v) {
  char buf[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof(buf), "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v)
      break;
  }
  return buf;
}

void printMasm(const Program &program, raw_ostream &os) {
  os << "; Mote NPU assembly: " << program.instructions.size()
     << " instructions, " << program.constants.size() << " constant bytes\n";
  os << ".target ";
  printString(program.targetName, os);
  os << ' ' << format_hex(program.targetHash, 18) << '\n';
  os << ".dram " << program.dramBytes << '\n';
  if (program.preambleInstructions)
    os << ".preamble " << program.preambleInstructions << '\n';
  for (const IODesc &d : program.io) {
    os << (d.isInput ? ".input" : ".output") << " name=";
    printString(d.name, os);
    os << " shape=";
    printList(d.shape, os);
    os << " perm=";
    printList(d.dramPerm, os);
    os << " layout=";
    printString(d.layout, os);
    os << " dtype=";
    printString(d.dtype, os);
    os << " addr=" << d.dramAddr << " bytes=" << d.bytes
       << " scale=" << formatDouble(d.scale) << " zp=" << d.zeroPoint << '\n';
  }
  for (const LayerInfo &l : program.layers) {
    os << ".layer name=";
    printString(l.name, os);
    os << " kind=";
    printString(l.kind, os);
    os << " first=" << l.firstInstruction << " count=" << l.numInstructions
       << " macs=" << l.macs << " digit_macs=" << l.digitMacs
       << " dram_bytes=" << l.dramBytes
       << " roofline_cycles=" << l.rooflineCycles << '\n';
  }
  for (size_t i = 0; i < program.hostSegments.size(); ++i) {
    const HostSegment &seg = program.hostSegments[i];
    os << ".hostsegment index=" << i << " module=";
    printString(seg.module, os);
    os << '\n';
    for (bool input : {true, false})
      for (const HostTensorDesc &t : input ? seg.inputs : seg.outputs) {
        os << (input ? ".hostinput" : ".hostoutput") << " segment=" << i
           << " dtype=";
        printString(t.dtype, os);
        os << " shape=";
        printList(t.shape, os);
        os << " addr=" << t.dramAddr << " bytes=" << t.bytes << '\n';
      }
    for (const HostOp &h : seg.ops) {
      os << ".hostop segment=" << i << " name=";
      printString(h.name, os);
      os << " kind=";
      printString(h.kind, os);
      os << " macs=" << h.macs << '\n';
    }
  }
  constexpr size_t kBytesPerLine = 64;
  for (size_t i = 0; i < program.constants.size(); i += kBytesPerLine) {
    os << ".const ";
    size_t end = std::min(program.constants.size(), i + kBytesPerLine);
    for (size_t j = i; j < end; ++j)
      os << hexdigit(program.constants[j] >> 4, true)
         << hexdigit(program.constants[j] & 15, true);
    os << '\n';
  }
  // Layer starts as comments, so that a reader finds their way.
  std::multimap<uint64_t, const LayerInfo *> starts;
  for (const LayerInfo &l : program.layers)
    starts.emplace(l.firstInstruction, &l);
  for (size_t i = 0; i < program.instructions.size(); ++i) {
    auto range = starts.equal_range(i);
    for (auto it = range.first; it != range.second; ++it)
      os << "; layer " << it->second->name << " (" << it->second->kind
         << ")\n";
    const Word128 &w = program.instructions[i];
    Expected<Instruction> inst = decode(w);
    if (!inst) {
      os << ".word " << format_hex(w[0], 18) << ' ' << format_hex(w[1], 18)
         << " ; invalid: " << toString(inst.takeError()) << '\n';
      continue;
    }
    printInstruction(*inst, os);
    os << '\n';
  }
}

//===----------------------------------------------------------------------===//
// Parsing
//===----------------------------------------------------------------------===//

namespace {

/// One whitespace-separated item of a line: `word`, `"string"`,
/// `key=word`, `key="string"` or `key=[1,2,3]`.
struct Item {
  std::string key;     ///< Empty for positional items.
  std::string value;   ///< Word or unescaped string.
  bool isString = false;
  bool isList = false;
  SmallVector<int64_t, 4> list;
  unsigned column = 0; ///< 1-based column of the item.
  unsigned valueColumn = 0;
};

class MasmParser {
public:
  MasmParser(StringRef text, StringRef what) : text(text), what(what) {}
  Expected<Program> parse();

private:
  Error error(unsigned column, const Twine &msg) {
    return createStringError(what + ":" + Twine(lineNo) + ":" +
                             Twine(column) + ": " + msg);
  }
  Error lexLine(StringRef line, SmallVectorImpl<Item> &items);
  Error lexString(StringRef line, size_t &pos, std::string &out);
  Error parseUnsigned(const Item &item, uint64_t &out);
  Error parseSigned(const Item &item, int64_t &out);
  Error parseDirective(ArrayRef<Item> items);
  Error parseInstruction(ArrayRef<Item> items);
  Error parseIO(ArrayRef<Item> items, bool isInput);
  Error parseLayer(ArrayRef<Item> items);
  Error parseHostSegment(ArrayRef<Item> items);
  Error parseHostTensor(ArrayRef<Item> items, bool isInput);
  Error parseHostOp(ArrayRef<Item> items);
  /// The segment a .hostinput/.hostoutput/.hostop names (`segment=N`, the
  /// last .hostsegment so far).
  Error hostSegmentOf(ArrayRef<Item> items, HostSegment *&seg);
  Error parseConst(ArrayRef<Item> items);
  Error checkKeys(ArrayRef<Item> items, ArrayRef<StringRef> known);

  StringRef text, what;
  unsigned lineNo = 0;
  Program program;
  bool sawTarget = false, sawDram = false;
  SmallVector<unsigned> instLines;
};

bool isWordChar(char c) {
  return isAlnum(c) || c == '_' || c == '.' || c == '-' || c == '+';
}

} // namespace

Error MasmParser::lexString(StringRef line, size_t &pos, std::string &out) {
  unsigned start = pos + 1;
  ++pos; // opening quote
  while (pos < line.size() && line[pos] != '"') {
    char c = line[pos];
    if (c != '\\') {
      out.push_back(c);
      ++pos;
      continue;
    }
    if (pos + 1 >= line.size())
      break;
    char e = line[pos + 1];
    if (e == '"' || e == '\\') {
      out.push_back(e);
      pos += 2;
    } else if (e == 'x' && pos + 3 < line.size() &&
               isHexDigit(line[pos + 2]) && isHexDigit(line[pos + 3])) {
      out.push_back(static_cast<char>(hexFromNibbles(line[pos + 2],
                                                     line[pos + 3])));
      pos += 4;
    } else {
      return error(pos + 1, "bad escape in string (use \\\", \\\\ or \\xHH)");
    }
  }
  if (pos >= line.size())
    return error(start, "unterminated string");
  ++pos; // closing quote
  return Error::success();
}

Error MasmParser::lexLine(StringRef line, SmallVectorImpl<Item> &items) {
  size_t pos = 0;
  while (true) {
    while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t' ||
                                 line[pos] == '\r'))
      ++pos;
    if (pos >= line.size() || line[pos] == ';')
      return Error::success();
    Item item;
    item.column = pos + 1;
    if (line[pos] == '"') {
      item.isString = true;
      item.valueColumn = pos + 1;
      if (Error err = lexString(line, pos, item.value))
        return err;
    } else {
      size_t start = pos;
      while (pos < line.size() && isWordChar(line[pos]))
        ++pos;
      if (pos == start)
        return error(pos + 1, "unexpected character '" +
                                  Twine(line.substr(pos, 1)) + "'");
      std::string word = line.substr(start, pos - start).str();
      if (pos < line.size() && line[pos] == '=') {
        item.key = word;
        ++pos;
        item.valueColumn = pos + 1;
        if (pos < line.size() && line[pos] == '"') {
          item.isString = true;
          if (Error err = lexString(line, pos, item.value))
            return err;
        } else if (pos < line.size() && line[pos] == '[') {
          item.isList = true;
          ++pos;
          while (true) {
            while (pos < line.size() && line[pos] == ' ')
              ++pos;
            if (pos < line.size() && line[pos] == ']' && item.list.empty()) {
              ++pos;
              break;
            }
            size_t numStart = pos;
            while (pos < line.size() && isWordChar(line[pos]))
              ++pos;
            Item number;
            number.value = line.substr(numStart, pos - numStart).str();
            number.valueColumn = numStart + 1;
            int64_t v;
            if (Error err = parseSigned(number, v))
              return err;
            item.list.push_back(v);
            while (pos < line.size() && line[pos] == ' ')
              ++pos;
            if (pos < line.size() && line[pos] == ',') {
              ++pos;
              continue;
            }
            if (pos < line.size() && line[pos] == ']') {
              ++pos;
              break;
            }
            return error(pos + 1, "expected ',' or ']' in list");
          }
        } else {
          size_t valueStart = pos;
          while (pos < line.size() && isWordChar(line[pos]))
            ++pos;
          if (pos == valueStart)
            return error(pos + 1, "expected a value after '='");
          item.value = line.substr(valueStart, pos - valueStart).str();
        }
      } else {
        item.value = word;
        item.valueColumn = item.column;
      }
    }
    if (pos < line.size() && !(line[pos] == ' ' || line[pos] == '\t' ||
                               line[pos] == '\r' || line[pos] == ';'))
      return error(pos + 1, "expected whitespace after '" +
                                Twine(item.key.empty() ? item.value : item.key) +
                                "'");
    items.push_back(std::move(item));
  }
}

/// Decimal or 0x-hex digits without sign; false on junk or overflow.
static bool parseDigits(StringRef s, uint64_t &out) {
  if (s.consume_front("0x") || s.consume_front("0X"))
    return !s.empty() && all_of(s, isHexDigit) && !s.getAsInteger(16, out);
  if (s.empty() || !all_of(s, isDigit) || (s.size() > 1 && s[0] == '0'))
    return false;
  return !s.getAsInteger(10, out);
}

Error MasmParser::parseUnsigned(const Item &item, uint64_t &out) {
  if (item.isString || item.isList || !parseDigits(item.value, out))
    return error(item.valueColumn, "expected a non-negative integer, got '" +
                                       item.value + "'");
  return Error::success();
}

Error MasmParser::parseSigned(const Item &item, int64_t &out) {
  StringRef s = item.value;
  bool negative = s.consume_front("-");
  uint64_t magnitude;
  if (item.isString || item.isList || !parseDigits(s, magnitude) ||
      magnitude > (negative ? uint64_t(INT64_MAX) + 1 : uint64_t(INT64_MAX)))
    return error(item.valueColumn, "expected a 64-bit integer, got '" +
                                       item.value + "'");
  out = negative ? static_cast<int64_t>(0 - magnitude)
                 : static_cast<int64_t>(magnitude);
  return Error::success();
}

Error MasmParser::checkKeys(ArrayRef<Item> items, ArrayRef<StringRef> known) {
  SmallVector<StringRef> seen;
  for (const Item &item : items.drop_front()) {
    if (item.key.empty())
      return error(item.column, "expected key=value, got '" + item.value +
                                    "'");
    if (!is_contained(known, StringRef(item.key)))
      return error(item.column, "unknown key '" + item.key + "' for " +
                                    items[0].value + " (expected " +
                                    join(known, ", ") + ")");
    if (is_contained(seen, StringRef(item.key)))
      return error(item.column, "duplicate key '" + item.key + "'");
    seen.push_back(item.key);
  }
  return Error::success();
}

Error MasmParser::parseIO(ArrayRef<Item> items, bool isInput) {
  if (Error err = checkKeys(items, {"name", "shape", "perm", "layout",
                                    "dtype", "addr", "bytes", "scale", "zp"}))
    return err;
  IODesc d;
  d.isInput = isInput;
  bool hasName = false;
  for (const Item &item : items.drop_front()) {
    StringRef key = item.key;
    if (key == "name" || key == "layout" || key == "dtype") {
      if (!item.isString && key != "dtype")
        return error(item.valueColumn, "'" + key + "' expects a string");
      if (item.isList)
        return error(item.valueColumn, "'" + key + "' expects a string");
      (key == "name" ? d.name : key == "layout" ? d.layout : d.dtype) =
          item.value;
      hasName |= key == "name";
    } else if (key == "shape" || key == "perm") {
      if (!item.isList)
        return error(item.valueColumn, "'" + key + "' expects a list [a,b,...]");
      auto &out = key == "shape" ? d.shape : d.dramPerm;
      out.assign(item.list.begin(), item.list.end());
    } else if (key == "addr" || key == "bytes") {
      if (Error err = parseUnsigned(item, key == "addr" ? d.dramAddr : d.bytes))
        return err;
    } else if (key == "scale") {
      double v;
      if (item.isString || item.isList || StringRef(item.value).getAsDouble(v))
        return error(item.valueColumn, "expected a number, got '" +
                                           item.value + "'");
      d.scale = v;
    } else if (key == "zp") {
      if (Error err = parseSigned(item, d.zeroPoint))
        return err;
    }
  }
  if (!hasName)
    return error(items[0].column, items[0].value + " needs name=\"...\"");
  program.io.push_back(std::move(d));
  return Error::success();
}

Error MasmParser::parseLayer(ArrayRef<Item> items) {
  if (Error err = checkKeys(items, {"name", "kind", "first", "count", "macs",
                                    "digit_macs", "dram_bytes",
                                    "roofline_cycles"}))
    return err;
  LayerInfo l;
  for (const Item &item : items.drop_front()) {
    StringRef key = item.key;
    if (key == "name" || key == "kind") {
      if (!item.isString)
        return error(item.valueColumn, "'" + key + "' expects a string");
      (key == "name" ? l.name : l.kind) = item.value;
      continue;
    }
    uint64_t &out = key == "first"        ? l.firstInstruction
                    : key == "count"      ? l.numInstructions
                    : key == "macs"       ? l.macs
                    : key == "digit_macs" ? l.digitMacs
                    : key == "dram_bytes" ? l.dramBytes
                                          : l.rooflineCycles;
    if (Error err = parseUnsigned(item, out))
      return err;
  }
  program.layers.push_back(std::move(l));
  return Error::success();
}

Error MasmParser::parseHostSegment(ArrayRef<Item> items) {
  if (Error err = checkKeys(items, {"index", "module"}))
    return err;
  HostSegment seg;
  uint64_t index = ~uint64_t(0);
  for (const Item &item : items.drop_front()) {
    if (item.key == "module") {
      if (!item.isString)
        return error(item.valueColumn, "'module' expects a string");
      seg.module = item.value;
    } else if (Error err = parseUnsigned(item, index)) {
      return err;
    }
  }
  if (index != program.hostSegments.size())
    return error(items[0].column,
                 ".hostsegment needs index=" +
                     Twine(program.hostSegments.size()) +
                     " (segments are numbered in order)");
  program.hostSegments.push_back(std::move(seg));
  return Error::success();
}

Error MasmParser::hostSegmentOf(ArrayRef<Item> items, HostSegment *&seg) {
  for (const Item &item : items.drop_front()) {
    if (item.key != "segment")
      continue;
    uint64_t index;
    if (Error err = parseUnsigned(item, index))
      return err;
    if (program.hostSegments.empty() ||
        index + 1 != program.hostSegments.size())
      return error(item.valueColumn,
                   items[0].value +
                       " must follow its .hostsegment (segment=" +
                       Twine(index) + ")");
    seg = &program.hostSegments.back();
    return Error::success();
  }
  return error(items[0].column, items[0].value + " needs segment=N");
}

Error MasmParser::parseHostTensor(ArrayRef<Item> items, bool isInput) {
  if (Error err =
          checkKeys(items, {"segment", "dtype", "shape", "addr", "bytes"}))
    return err;
  HostSegment *seg = nullptr;
  if (Error err = hostSegmentOf(items, seg))
    return err;
  HostTensorDesc t;
  for (const Item &item : items.drop_front()) {
    StringRef key = item.key;
    if (key == "dtype") {
      if (item.isList)
        return error(item.valueColumn, "'dtype' expects a string");
      t.dtype = item.value;
    } else if (key == "shape") {
      if (!item.isList)
        return error(item.valueColumn, "'shape' expects a list [a,b,...]");
      t.shape.assign(item.list.begin(), item.list.end());
    } else if (key == "addr" || key == "bytes") {
      if (Error err = parseUnsigned(item, key == "addr" ? t.dramAddr : t.bytes))
        return err;
    }
  }
  (isInput ? seg->inputs : seg->outputs).push_back(std::move(t));
  return Error::success();
}

Error MasmParser::parseHostOp(ArrayRef<Item> items) {
  if (Error err = checkKeys(items, {"segment", "name", "kind", "macs"}))
    return err;
  HostSegment *seg = nullptr;
  if (Error err = hostSegmentOf(items, seg))
    return err;
  HostOp h;
  for (const Item &item : items.drop_front()) {
    if (item.key == "segment")
      continue;
    if (item.key == "macs") {
      if (Error err = parseUnsigned(item, h.macs))
        return err;
      continue;
    }
    if (!item.isString)
      return error(item.valueColumn, "'" + item.key + "' expects a string");
    (item.key == "name" ? h.name : h.kind) = item.value;
  }
  seg->ops.push_back(std::move(h));
  return Error::success();
}

Error MasmParser::parseConst(ArrayRef<Item> items) {
  if (items.size() != 2 || !items[1].key.empty() || items[1].isString)
    return error(items[0].column, ".const expects one run of hex digits");
  StringRef hex = items[1].value;
  if (hex.size() % 2)
    return error(items[1].column, ".const needs an even number of hex digits");
  for (size_t i = 0; i < hex.size(); i += 2) {
    if (!isHexDigit(hex[i]) || !isHexDigit(hex[i + 1]))
      return error(items[1].column + i + (isHexDigit(hex[i]) ? 1 : 0),
                   "expected a hex digit");
    program.constants.push_back(hexFromNibbles(hex[i], hex[i + 1]));
  }
  return Error::success();
}

Error MasmParser::parseDirective(ArrayRef<Item> items) {
  StringRef name = items[0].value;
  if (name == ".target") {
    if (sawTarget)
      return error(items[0].column, "duplicate .target");
    sawTarget = true;
    if (items.size() != 3 || !items[1].isString || !items[2].key.empty() ||
        items[2].isString)
      return error(items[0].column, ".target expects \"NAME\" HASH");
    program.targetName = items[1].value;
    return parseUnsigned(items[2], program.targetHash);
  }
  if (name == ".dram") {
    if (sawDram)
      return error(items[0].column, "duplicate .dram");
    sawDram = true;
    if (items.size() != 2 || !items[1].key.empty())
      return error(items[0].column, ".dram expects BYTES");
    return parseUnsigned(items[1], program.dramBytes);
  }
  if (name == ".preamble") {
    if (items.size() != 2 || !items[1].key.empty())
      return error(items[0].column,
                   ".preamble expects COUNT (the first COUNT instructions "
                   "run once, at program load)");
    return parseUnsigned(items[1], program.preambleInstructions);
  }
  if (name == ".input" || name == ".output")
    return parseIO(items, name == ".input");
  if (name == ".layer")
    return parseLayer(items);
  if (name == ".hostsegment")
    return parseHostSegment(items);
  if (name == ".hostinput" || name == ".hostoutput")
    return parseHostTensor(items, name == ".hostinput");
  if (name == ".hostop")
    return parseHostOp(items);
  if (name == ".const")
    return parseConst(items);
  if (name == ".word") {
    Word128 w;
    if (items.size() != 3 || !items[1].key.empty() || !items[2].key.empty())
      return error(items[0].column, ".word expects two 64-bit words");
    if (Error err = parseUnsigned(items[1], w[0]))
      return err;
    if (Error err = parseUnsigned(items[2], w[1]))
      return err;
    if (Expected<Instruction> inst = decode(w); !inst)
      return error(items[0].column, toString(inst.takeError()));
    program.instructions.push_back(w);
    instLines.push_back(lineNo);
    return Error::success();
  }
  return error(items[0].column,
               "unknown directive '" + name +
                   "' (expected .target, .dram, .preamble, .input, .output, .layer, "
                   ".hostsegment, .hostinput, .hostoutput, .hostop, .const "
                   "or .word)");
}

Error MasmParser::parseInstruction(ArrayRef<Item> items) {
  const Item &head = items[0];
  const OpcodeInfo *info =
      head.key.empty() && !head.isString ? lookupMnemonic(head.value) : nullptr;
  if (!info) {
    std::string known;
    for (const OpcodeInfo &op : opcodes())
      known += (known.empty() ? "" : ", ") + op.mnemonic.str();
    return error(head.column, "unknown instruction '" + head.value +
                                  "' (expected " + known + ")");
  }
  Instruction inst = make(info->opcode);
  SmallVector<const FieldInfo *, 16> allowed;
  for (const FieldInfo &f : fields())
    if (f.opcode == Opcode::Illegal && f.id != Field::Header_opcode)
      allowed.push_back(&f);
  auto own = fieldsOf(info->opcode);
  allowed.append(own.begin(), own.end());

  SmallVector<Field> seen;
  const Item *regItem = nullptr;
  for (const Item &item : items.drop_front()) {
    StringRef key = item.key.empty() ? StringRef(item.value) : item.key;
    const FieldInfo *const *found = find_if(
        allowed, [&](const FieldInfo *f) { return f->name == key; });
    if (item.isString || found == allowed.end()) {
      std::string names;
      for (const FieldInfo *f : allowed)
        names += (names.empty() ? "" : ", ") + f->name.str();
      return error(item.column, "'" + info->mnemonic + "' has no field '" +
                                    key + "' (fields: " + names + ")");
    }
    const FieldInfo &f = **found;
    if (is_contained(seen, f.id))
      return error(item.column, "duplicate field '" + key + "'");
    seen.push_back(f.id);
    if (item.isList || item.isString)
      return error(item.valueColumn, "bad value for '" + key + "'");
    if (item.key.empty()) {
      if (f.kind != FieldKind::Bool)
        return error(item.column, "field '" + key + "' needs a value ('" +
                                      key + "=...')");
      inst.set(f.id, 1);
      continue;
    }
    int64_t v = 0;
    StringRef value = item.value;
    if (f.kind == FieldKind::Enum) {
      if (f.id == Field::Config_reg && !value.empty() &&
          !isDigit(value[0])) {
        regItem = &item; // needs the engine; resolved below
        continue;
      }
      if (!value.empty() && !isDigit(value[0])) {
        if (f.id == Field::Load_buffer || f.id == Field::Store_buffer) {
          if (value == "weight")
            v = 0;
          else if (value == "activation")
            v = 1;
          else if (value == "accumulator")
            v = 2;
          else
            return error(item.valueColumn,
                         "unknown buffer '" + value +
                             "' (expected weight, activation, accumulator)");
        } else if (f.id == Field::Config_engine ||
                   f.id == Field::Sync_engine) {
          if (value == "load")
            v = 0;
          else if (value == "execute")
            v = 1;
          else if (value == "store")
            v = 2;
          else
            return error(item.valueColumn,
                         "unknown engine '" + value +
                             "' (expected load, execute, store)");
        } else if (f.id == Field::Vec_op) {
          const VecOpInfo *op = lookupVecOp(value);
          if (!op) {
            std::string names;
            for (const VecOpInfo &o : vecOps())
              names += (names.empty() ? "" : ", ") + o.name.lower();
            return error(item.valueColumn, "unknown VEC op '" + value +
                                               "' (expected " + names + ")");
          }
          v = static_cast<int64_t>(op->op);
        }
        inst.set(f.id, v);
        continue;
      }
    }
    if (Error err = parseSigned(item, v))
      return err;
    inst.set(f.id, v);
  }
  if (regItem) {
    int64_t e = inst.get(Field::Config_engine);
    const RegisterInfo *r =
        e >= 0 && e < static_cast<int64_t>(kNumEngines)
            ? lookupRegister(static_cast<Engine>(e), regItem->value)
            : nullptr;
    if (!r)
      return error(regItem->valueColumn,
                   "unknown " + engineName(static_cast<Engine>(e)) +
                       " register '" + regItem->value + "'");
    inst.set(Field::Config_reg, r->index);
  }
  Expected<Word128> word = encode(inst);
  if (!word)
    return error(head.column, toString(word.takeError()));
  program.instructions.push_back(*word);
  instLines.push_back(lineNo);
  return Error::success();
}

Expected<Program> MasmParser::parse() {
  StringRef rest = text;
  while (!rest.empty()) {
    StringRef line;
    std::tie(line, rest) = rest.split('\n');
    ++lineNo;
    SmallVector<Item, 16> items;
    if (Error err = lexLine(line, items))
      return std::move(err);
    if (items.empty())
      continue;
    if (!items[0].key.empty() || items[0].isString)
      return error(items[0].column, "expected a directive or an instruction");
    Error err = StringRef(items[0].value).starts_with(".")
                    ? parseDirective(items)
                    : parseInstruction(items);
    if (err)
      return std::move(err);
  }
  // Report FINISH placement at its line; the rest via verifyProgram.
  for (size_t i = 0; i < program.instructions.size(); ++i) {
    bool isFinish = (program.instructions[i][0] & 0xf) ==
                    static_cast<uint64_t>(Opcode::Finish);
    bool last = i + 1 == program.instructions.size();
    lineNo = instLines[i];
    if (last && !isFinish)
      return error(1, "the last instruction must be finish");
    if (!last && isFinish)
      return error(1, "finish before the end of the program");
  }
  if (Error err = verifyProgram(program, what))
    return std::move(err);
  return std::move(program);
}

Expected<Program> parseMasm(StringRef text, StringRef what) {
  return MasmParser(text, what).parse();
}

} // namespace mote::isa
