//===- TargetDescription.cpp - Mote NPU target descriptions --------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Strict JSON reading of target descriptions. Every object is read through
// an ObjectReader that records the keys it asked for, so unknown keys are
// reported with the list of known ones without a second table to keep in
// sync. All problems are collected and reported together.
//
//===----------------------------------------------------------------------===//

#include "mote/Target/TargetDescription.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <optional>

#ifndef MOTE_TARGET_DIR
#define MOTE_TARGET_DIR ""
#endif

using namespace llvm;
using namespace mote;

static const char *const kVectorOpNames[kNumVectorOps] = {
    "requantize", "add", "minmax", "pool", "lut", "clamp"};
static const char *const kBufferNames[kNumSramBuffers] = {
    "weight_buffer", "activation_buffer", "accumulator_buffer"};

StringRef mote::vectorOpName(VectorOp op) {
  return kVectorOpNames[unsigned(op)];
}
StringRef mote::sramBufferName(SramBuffer buffer) {
  return kBufferNames[unsigned(buffer)];
}

//===----------------------------------------------------------------------===//
// Strict reader
//===----------------------------------------------------------------------===//

static StringRef kindName(const json::Value &v) {
  switch (v.kind()) {
  case json::Value::Null:
    return "null";
  case json::Value::Boolean:
    return "a boolean";
  case json::Value::Number:
    return "a number";
  case json::Value::String:
    return "a string";
  case json::Value::Array:
    return "an array";
  case json::Value::Object:
    return "an object";
  }
  return "a value";
}

static std::string printValue(const json::Value &v) {
  std::string s;
  raw_string_ostream os(s);
  os << v;
  return s;
}

namespace {

/// Shared state of one parse: the file name and the collected messages.
struct Diagnostics {
  std::string file;
  std::vector<std::string> messages;
  void error(const Twine &msg) {
    messages.push_back((file + ": " + msg).str());
  }
};

/// Reads one JSON object. `path` is the dotted prefix of its fields
/// ("" at the top, "mac_array." below). A null object (after a type error)
/// makes every accessor a no-op so that one mistake reports once.
class ObjectReader {
public:
  ObjectReader(Diagnostics &diag, const json::Object *obj, std::string path)
      : diag(diag), obj(obj), path(std::move(path)) {}

  /// Reports unknown keys. Call after every accessor has run.
  void finish() {
    if (!obj)
      return;
    std::vector<std::string> unknown;
    for (const auto &kv : *obj)
      if (!is_contained(known, kv.first.str()))
        unknown.push_back(kv.first.str());
    llvm::sort(unknown);
    for (const std::string &key : unknown)
      diag.error("unknown field '" + path + key + "'; known fields" +
                 (path.empty()
                      ? ""
                      : " of '" + path.substr(0, path.size() - 1) + "'") +
                 ": " + join(known, ", "));
  }

  const json::Value *get(StringRef key, bool required = true) {
    known.push_back(key.str());
    if (!obj)
      return nullptr;
    const json::Value *v = obj->get(key);
    if (!v && required)
      diag.error("missing required field '" + path + key + "'");
    return v;
  }

  ObjectReader object(StringRef key) {
    const json::Value *v = get(key);
    if (!v)
      return ObjectReader(diag, nullptr, path + key.str() + ".");
    const json::Object *o = v->getAsObject();
    if (!o)
      typeError(key, "an object", *v);
    return ObjectReader(diag, o, path + key.str() + ".");
  }

  /// An integer in [lo, hi].
  template <typename T>
  void integer(StringRef key, T &out, int64_t lo, int64_t hi) {
    const json::Value *v = get(key);
    if (!v)
      return;
    std::optional<int64_t> i = v->getAsInteger();
    if (!i) {
      typeError(key, "an integer", *v);
      return;
    }
    if (*i < lo || *i > hi) {
      if (lo == 1 && hi >= (int64_t(1) << 40))
        diag.error(path + key + " must be positive, got " + Twine(*i));
      else if (lo == 0 && hi >= (int64_t(1) << 40))
        diag.error(path + key + " must be non-negative, got " + Twine(*i));
      else
        diag.error(path + key + " must be in [" + Twine(lo) + ", " + Twine(hi) +
                   "], got " + Twine(*i));
      return;
    }
    out = T(*i);
  }

  /// A finite number; positive if `positive`, else non-negative.
  void number(StringRef key, double &out, bool positive) {
    const json::Value *v = get(key);
    if (!v)
      return;
    std::optional<double> d = v->getAsNumber();
    if (!d) {
      typeError(key, "a number", *v);
      return;
    }
    if (!std::isfinite(*d) || (positive ? *d <= 0 : *d < 0)) {
      diag.error(path + key + " must be " +
                 (positive ? "positive" : "non-negative") + ", got " +
                 printValue(*v));
      return;
    }
    out = *d + 0.0; // -0.0 -> 0.0: one canonical spelling for the hash.
  }

  void boolean(StringRef key, bool &out) {
    const json::Value *v = get(key);
    if (!v)
      return;
    std::optional<bool> b = v->getAsBoolean();
    if (!b) {
      typeError(key, "a boolean", *v);
      return;
    }
    out = *b;
  }

  void string(StringRef key, std::string &out, bool nonEmpty) {
    const json::Value *v = get(key);
    if (!v)
      return;
    std::optional<StringRef> s = v->getAsString();
    if (!s) {
      typeError(key, "a string", *v);
      return;
    }
    if (nonEmpty && s->trim().empty()) {
      diag.error(path + key + " must not be empty");
      return;
    }
    out = s->str();
  }

  void stringList(StringRef key, std::vector<std::string> &out, bool required,
                  bool nonEmpty) {
    const json::Value *v = get(key, required);
    if (!v)
      return;
    const json::Array *a = v->getAsArray();
    if (!a) {
      typeError(key, "an array of strings", *v);
      return;
    }
    if (nonEmpty && a->empty())
      diag.error(path + key + " must list at least one entry");
    for (auto [i, e] : llvm::enumerate(*a)) {
      std::optional<StringRef> s = e.getAsString();
      if (!s) {
        diag.error(path + key + "[" + Twine(i) + "] must be a string, got " +
                   kindName(e));
        continue;
      }
      out.push_back(s->str());
    }
  }

  std::string fieldPath(StringRef key) const { return path + key.str(); }
  bool valid() const { return obj != nullptr; }
  Diagnostics &diagnostics() { return diag; }

private:
  void typeError(StringRef key, StringRef expected, const json::Value &v) {
    diag.error(path + key + " must be " + expected + ", got " + kindName(v));
  }

  Diagnostics &diag;
  const json::Object *obj;
  std::string path;
  std::vector<std::string> known;
};

} // namespace

static constexpr int64_t kMaxCount = int64_t(1) << 48;

static void readBuffer(ObjectReader &sram, StringRef key, SramBufferDesc &b,
                       uint64_t elementBytes) {
  ObjectReader r = sram.object(key);
  r.integer("bytes", b.bytes, 1, kMaxCount);
  r.integer("banks", b.banks, 1, 1 << 16);
  r.integer("line_bytes", b.lineBytes, 1, 1 << 16);
  r.integer("alignment_bytes", b.alignmentBytes, 1, 1 << 16);
  r.finish();
  if (!r.valid() || !b.bytes || !b.banks || !b.lineBytes || !b.alignmentBytes)
    return;
  Diagnostics &diag = r.diagnostics();
  if (!isPowerOf2_64(b.lineBytes))
    diag.error(r.fieldPath("line_bytes") + " must be a power of two, got " +
               Twine(b.lineBytes));
  if (!isPowerOf2_64(b.alignmentBytes))
    diag.error(r.fieldPath("alignment_bytes") +
               " must be a power of two, got " + Twine(b.alignmentBytes));
  if (b.lineBytes % elementBytes)
    diag.error(r.fieldPath("line_bytes") + " must be a multiple of " +
               Twine(elementBytes) + " (the element size), got " +
               Twine(b.lineBytes));
  if (b.bytes % (b.banks * b.lineBytes))
    diag.error(r.fieldPath("bytes") + " must be a multiple of banks * " +
               "line_bytes = " + Twine(b.banks * b.lineBytes) + ", got " +
               Twine(b.bytes));
}

static void readReadWrite(ObjectReader &energy, StringRef key,
                          ReadWriteEnergy &e) {
  ObjectReader r = energy.object(key);
  r.number("read", e.readPJPerByte, /*positive=*/false);
  r.number("write", e.writePJPerByte, /*positive=*/false);
  r.finish();
}

Expected<TargetDescription> mote::parseTarget(StringRef text,
                                              StringRef fileName) {
  Expected<json::Value> parsed = json::parse(text);
  if (!parsed)
    return createStringError(inconvertibleErrorCode(), "%s: invalid JSON: %s",
                             fileName.str().c_str(),
                             toString(parsed.takeError()).c_str());
  Diagnostics diag{fileName.str(), {}};
  const json::Object *root = parsed->getAsObject();
  if (!root)
    return createStringError(inconvertibleErrorCode(),
                             "%s: a target description must be a JSON object",
                             fileName.str().c_str());

  TargetDescription t;
  ObjectReader top(diag, root, "");

  // The version comes first: a file from another schema would otherwise
  // drown its one real problem in unknown-field messages.
  if (const json::Value *v = top.get("schema_version")) {
    std::optional<int64_t> version = v->getAsInteger();
    if (!version || *version != kTargetSchemaVersion)
      return createStringError(
          inconvertibleErrorCode(),
          "%s: schema_version must be %lld (this build's schema), got %s",
          fileName.str().c_str(), (long long)kTargetSchemaVersion,
          printValue(*v).c_str());
  } else {
    return createStringError(inconvertibleErrorCode(),
                             "%s: missing required field 'schema_version'",
                             fileName.str().c_str());
  }
  top.string("name", t.name, /*nonEmpty=*/true);
  top.string("description", t.description, /*nonEmpty=*/false);
  top.number("clock_mhz", t.clockMHz, /*positive=*/true);

  {
    ObjectReader r = top.object("mac_array");
    r.integer("rows", t.macArray.rows, 1, 4096);
    r.integer("cols", t.macArray.cols, 1, 4096);
    if (const json::Value *v = r.get("digit_bits")) {
      std::optional<int64_t> d = v->getAsInteger();
      if (!d || (*d != 2 && *d != 4 && *d != 8))
        diag.error("mac_array.digit_bits must be 2, 4 or 8, got " +
                   printValue(*v));
      else
        t.macArray.digitBits = unsigned(*d);
    }
    r.boolean("signed_digits", t.macArray.signedDigits);
    r.integer("accumulator_bits", t.macArray.accumulatorBits, 8, 32);
    r.finish();
    // One digit product summed over a column must fit the accumulator.
    if (t.macArray.digitBits && t.macArray.rows && t.macArray.accumulatorBits) {
      unsigned need = 2 * t.macArray.digitBits + Log2_32_Ceil(t.macArray.rows);
      if (t.macArray.accumulatorBits < need)
        diag.error("mac_array.accumulator_bits must be at least 2 * "
                   "digit_bits + ceil(log2(rows)) = " +
                   Twine(need) + ", got " + Twine(t.macArray.accumulatorBits));
    }
  }
  {
    ObjectReader r = top.object("sram");
    readBuffer(r, "weight_buffer", t.sram.weightBuffer, 1);
    readBuffer(r, "activation_buffer", t.sram.activationBuffer, 1);
    readBuffer(r, "accumulator_buffer", t.sram.accumulatorBuffer, 4);
    r.finish();
  }
  {
    ObjectReader r = top.object("dram");
    r.number("bandwidth_bytes_per_cycle", t.dram.bandwidthBytesPerCycle,
             /*positive=*/true);
    r.integer("latency_cycles", t.dram.latencyCycles, 0, kMaxCount);
    r.finish();
  }
  {
    ObjectReader r = top.object("vector_unit");
    r.integer("lanes", t.vectorUnit.lanes, 1, 4096);
    ObjectReader ops = r.object("cycles_per_op");
    for (unsigned i = 0; i < kNumVectorOps; ++i)
      ops.integer(kVectorOpNames[i], t.vectorUnit.cyclesPerOp[i], 1, 1 << 16);
    ops.finish();
    r.finish();
  }
  {
    ObjectReader r = top.object("queues");
    r.integer("load", t.queues.load, 1, 1 << 16);
    r.integer("execute", t.queues.execute, 1, 1 << 16);
    r.integer("store", t.queues.store, 1, 1 << 16);
    r.integer("token", t.queues.token, 1, 1 << 16);
    r.finish();
  }
  {
    ObjectReader r = top.object("requant");
    r.integer("multiplier_bits", t.requant.multiplierBits, 2, 32);
    r.integer("max_shift", t.requant.maxShift, 1, 62);
    r.finish();
  }
  {
    ObjectReader r = top.object("energy");
    r.number("digit_mac_pj", t.energy.digitMacPJ, /*positive=*/false);
    r.number("accumulator_add_pj", t.energy.accumulatorAddPJ, false);
    r.number("array_accumulator_register_pj",
             t.energy.accumulatorRegisterPJ, false);
    readReadWrite(r, "weight_buffer_pj_per_byte", t.energy.weightBuffer);
    readReadWrite(r, "activation_buffer_pj_per_byte",
                  t.energy.activationBuffer);
    readReadWrite(r, "accumulator_buffer_pj_per_byte",
                  t.energy.accumulatorBuffer);
    readReadWrite(r, "dram_pj_per_byte", t.energy.dram);
    ObjectReader ops = r.object("vector_op_pj");
    for (unsigned i = 0; i < kNumVectorOps; ++i)
      ops.number(kVectorOpNames[i], t.energy.vectorOpPJ[i], false);
    ops.finish();
    r.number("static_power_mw", t.energy.staticPowerMW, false);
    r.finish();
  }
  top.stringList("sources", t.sources, /*required=*/true, /*nonEmpty=*/true);
  top.stringList("notes", t.notes, /*required=*/false, /*nonEmpty=*/false);
  top.finish();

  if (!diag.messages.empty())
    return createStringError(inconvertibleErrorCode(),
                             join(diag.messages, "\n"));
  return t;
}

//===----------------------------------------------------------------------===//
// Loading by name or path
//===----------------------------------------------------------------------===//

std::string mote::targetDirectory() {
  if (std::optional<std::string> env = sys::Process::GetEnv("MOTE_TARGET_DIR"))
    if (!env->empty())
      return *env;
  return MOTE_TARGET_DIR;
}

std::vector<std::string> mote::listTargets() {
  std::vector<std::string> names;
  std::error_code ec;
  for (sys::fs::directory_iterator it(targetDirectory(), ec), end;
       !ec && it != end; it.increment(ec)) {
    StringRef file = sys::path::filename(it->path());
    if (file.consume_back(".json"))
      names.push_back(file.str());
  }
  llvm::sort(names);
  return names;
}

Expected<TargetDescription> mote::loadTarget(StringRef nameOrPath) {
  if (nameOrPath.empty())
    return createStringError(inconvertibleErrorCode(),
                             "empty target name; known targets: %s",
                             join(listTargets(), ", ").c_str());
  bool isPath = nameOrPath.ends_with(".json") ||
                nameOrPath.find_first_of("/\\") != StringRef::npos;
  SmallString<256> path;
  if (isPath) {
    path = nameOrPath;
  } else {
    std::string dir = targetDirectory();
    path = dir;
    sys::path::append(path, nameOrPath + ".json");
    if (!sys::fs::exists(path))
      return createStringError(
          inconvertibleErrorCode(),
          "unknown target '%s' (no %s); known targets: %s; pass a file path "
          "or set MOTE_TARGET_DIR",
          nameOrPath.str().c_str(), path.c_str(),
          join(listTargets(), ", ").c_str());
  }
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return createStringError(buffer.getError(), "%s: cannot read: %s",
                             path.c_str(), buffer.getError().message().c_str());
  return parseTarget((*buffer)->getBuffer(), path);
}

//===----------------------------------------------------------------------===//
// Serialisation and hashing
//===----------------------------------------------------------------------===//

static json::Object bufferJSON(const SramBufferDesc &b) {
  return json::Object{{"bytes", int64_t(b.bytes)},
                      {"banks", int64_t(b.banks)},
                      {"line_bytes", int64_t(b.lineBytes)},
                      {"alignment_bytes", int64_t(b.alignmentBytes)}};
}

static json::Object rwJSON(const ReadWriteEnergy &e) {
  return json::Object{{"read", e.readPJPerByte}, {"write", e.writePJPerByte}};
}

json::Value TargetDescription::toJSON(bool withText) const {
  json::Object cycles, opEnergy;
  for (unsigned i = 0; i < kNumVectorOps; ++i) {
    cycles[kVectorOpNames[i]] = int64_t(vectorUnit.cyclesPerOp[i]);
    opEnergy[kVectorOpNames[i]] = energy.vectorOpPJ[i];
  }
  json::Object o{
      {"schema_version", schemaVersion},
      {"clock_mhz", clockMHz},
      {"mac_array",
       json::Object{{"rows", int64_t(macArray.rows)},
                    {"cols", int64_t(macArray.cols)},
                    {"digit_bits", int64_t(macArray.digitBits)},
                    {"signed_digits", macArray.signedDigits},
                    {"accumulator_bits", int64_t(macArray.accumulatorBits)}}},
      {"sram",
       json::Object{
           {"weight_buffer", bufferJSON(sram.weightBuffer)},
           {"activation_buffer", bufferJSON(sram.activationBuffer)},
           {"accumulator_buffer", bufferJSON(sram.accumulatorBuffer)}}},
      {"dram",
       json::Object{{"bandwidth_bytes_per_cycle", dram.bandwidthBytesPerCycle},
                    {"latency_cycles", int64_t(dram.latencyCycles)}}},
      {"vector_unit", json::Object{{"lanes", int64_t(vectorUnit.lanes)},
                                   {"cycles_per_op", std::move(cycles)}}},
      {"queues", json::Object{{"load", int64_t(queues.load)},
                              {"execute", int64_t(queues.execute)},
                              {"store", int64_t(queues.store)},
                              {"token", int64_t(queues.token)}}},
      {"requant",
       json::Object{{"multiplier_bits", int64_t(requant.multiplierBits)},
                    {"max_shift", int64_t(requant.maxShift)}}},
      {"energy",
       json::Object{
           {"digit_mac_pj", energy.digitMacPJ},
           {"accumulator_add_pj", energy.accumulatorAddPJ},
           {"array_accumulator_register_pj", energy.accumulatorRegisterPJ},
           {"weight_buffer_pj_per_byte", rwJSON(energy.weightBuffer)},
           {"activation_buffer_pj_per_byte", rwJSON(energy.activationBuffer)},
           {"accumulator_buffer_pj_per_byte", rwJSON(energy.accumulatorBuffer)},
           {"dram_pj_per_byte", rwJSON(energy.dram)},
           {"vector_op_pj", std::move(opEnergy)},
           {"static_power_mw", energy.staticPowerMW}}},
  };
  if (withText) {
    o["name"] = name;
    o["description"] = description;
    o["sources"] = json::Array(sources);
    if (!notes.empty())
      o["notes"] = json::Array(notes);
  }
  return o;
}

std::string TargetDescription::canonicalHardwareString() const {
  // llvm::json prints object keys sorted and doubles as %.17g, so equal
  // descriptions print identically whatever the source file looked like.
  std::string s;
  raw_string_ostream os(s);
  os << toJSON(/*withText=*/false);
  return s;
}

uint64_t TargetDescription::hash() const {
  // FNV-1a, 64-bit: trivially specified, so a binary's recorded hash stays
  // checkable whatever hashing library a later build links.
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : canonicalHardwareString()) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

//===----------------------------------------------------------------------===//
// Helpers for the cost model
//===----------------------------------------------------------------------===//

uint64_t TargetDescription::macPassesFor(unsigned aBits, unsigned wBits) const {
  unsigned d = macArray.digitBits;
  if (!d)
    return 0;
  return uint64_t(divideCeil(aBits, d)) * divideCeil(wBits, d);
}

double TargetDescription::peakMacsPerCycle(unsigned aBits,
                                           unsigned wBits) const {
  uint64_t passes = macPassesFor(aBits, wBits);
  return passes ? double(peakDigitMacsPerCycle()) / double(passes) : 0.0;
}

const SramBufferDesc &TargetDescription::buffer(SramBuffer which) const {
  switch (which) {
  case SramBuffer::Weight:
    return sram.weightBuffer;
  case SramBuffer::Activation:
    return sram.activationBuffer;
  case SramBuffer::Accumulator:
    break;
  }
  return sram.accumulatorBuffer;
}

double TargetDescription::sramEnergyPerBytePJ(SramBuffer which,
                                              bool write) const {
  const ReadWriteEnergy *e = &energy.accumulatorBuffer;
  if (which == SramBuffer::Weight)
    e = &energy.weightBuffer;
  else if (which == SramBuffer::Activation)
    e = &energy.activationBuffer;
  return write ? e->writePJPerByte : e->readPJPerByte;
}

double mote::horowitzSramPJPerByte(uint64_t bytes) {
  // (size, pJ per byte) = 64-bit read energy / 8 bytes.
  static const double kSize[3] = {8192.0, 32768.0, 1048576.0};
  static const double kPJ[3] = {10.0 / 8, 20.0 / 8, 100.0 / 8};
  if (!bytes)
    return 0;
  unsigned seg = double(bytes) <= kSize[1] ? 0 : 1;
  double slope =
      std::log(kPJ[seg + 1] / kPJ[seg]) / std::log(kSize[seg + 1] / kSize[seg]);
  return kPJ[seg] * std::exp(slope * std::log(double(bytes) / kSize[seg]));
}

void TargetDescription::printSummary(raw_ostream &os) const {
  auto kib = [](uint64_t b) { return format("%.1f KiB", double(b) / 1024); };
  os << "target " << name << " (schema " << schemaVersion << ")\n";
  if (!description.empty())
    os << "  " << description << "\n";
  os << "  hash            " << format_hex(hash(), 18) << "\n";
  os << "  clock           " << format("%g", clockMHz) << " MHz\n";
  os << "  mac array       " << macArray.rows << " x " << macArray.cols << " "
     << macArray.digitBits << "-bit "
     << (macArray.signedDigits ? "signed" : "unsigned") << " digit MACs, "
     << macArray.accumulatorBits << "-bit accumulators\n";
  os << "  peak            " << peakDigitMacsPerCycle() << " digit-MACs/cycle";
  for (unsigned bits : {2u, 4u, 8u})
    os << format(", %gx int%u", peakMacsPerCycle(bits, bits), bits);
  os << " MACs/cycle\n";
  for (unsigned i = 0; i < kNumSramBuffers; ++i) {
    const SramBufferDesc &b = buffer(SramBuffer(i));
    os << "  " << left_justify(kBufferNames[i], 18) << " " << kib(b.bytes)
       << ", " << b.banks << " banks x " << b.lineBytes << " B lines, align "
       << b.alignmentBytes << " B, "
       << format("%g/%g pJ/B r/w\n", sramEnergyPerBytePJ(SramBuffer(i)),
                 sramEnergyPerBytePJ(SramBuffer(i), true));
  }
  os << "  dram            "
     << format("%g B/cycle (%g GB/s), %llu cycles latency, %g/%g pJ/B r/w\n",
               dram.bandwidthBytesPerCycle, dramBandwidthGBps(),
               (unsigned long long)dram.latencyCycles, dramEnergyPerBytePJ(),
               dramEnergyPerBytePJ(true));
  os << "  vector unit     " << vectorUnit.lanes << " lanes;";
  for (unsigned i = 0; i < kNumVectorOps; ++i)
    os << " " << kVectorOpNames[i] << " " << vectorUnit.cyclesPerOp[i] << "c/"
       << format("%gpJ", energy.vectorOpPJ[i]);
  os << "\n";
  os << "  queues          load " << queues.load << ", execute "
     << queues.execute << ", store " << queues.store << ", tokens "
     << queues.token << "\n";
  os << "  requant         " << requant.multiplierBits
     << "-bit multiplier, shift <= " << requant.maxShift << "\n";
  os << "  energy          "
     << format("%g pJ/digit-MAC (int8 MAC %g pJ, int4 %g pJ), %g pJ/acc add, "
               "%g pJ/acc register, %g mW static\n",
               energyPerDigitMacPJ(), macEnergyPJ(8, 8), macEnergyPJ(4, 4),
               energy.accumulatorAddPJ, energy.accumulatorRegisterPJ,
               energy.staticPowerMW);
}
