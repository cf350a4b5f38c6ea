//===- Mbin.cpp - The .mbin binary container ------------------------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Writes and reads the `.mbin` container (layout in docs/ISA.md):
//
//   header   magic "MOTEBIN\0", u32 version, u32 section count, u64 target hash
//   table    per section: u32 id, u32 reserved (0), u64 offset, u64 size,
//            u64 xxh3_64 checksum of the section bytes
//   sections 1 INST (16 bytes per instruction), 2 CONST (DRAM image),
//            3 META (compact JSON, sorted keys)
//
// All integers little-endian. The writer lays sections out back to back in
// id order right after the table; the reader accepts exactly that shape and
// treats every other byte sequence as malformed, reading nothing out of
// bounds, so that the simulator can load untrusted files.
//
//===----------------------------------------------------------------------===//

#include "mote/ISA/Program.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

#include <cstring>

using namespace llvm;

namespace mote::isa {

namespace {
constexpr char kMagic[8] = {'M', 'O', 'T', 'E', 'B', 'I', 'N', '\0'};
constexpr uint64_t kHeaderBytes = 24;
constexpr uint64_t kEntryBytes = 32;
constexpr uint64_t kInstBytes = 16;

enum SectionId : uint32_t { kInst = 1, kConst = 2, kMeta = 3 };
constexpr uint32_t kNumSectionIds = 3;

StringRef sectionName(uint32_t id) {
  switch (id) {
  case kInst:
    return "INST";
  case kConst:
    return "CONST";
  case kMeta:
    return "META";
  }
  return "?";
}

void putU32(std::vector<uint8_t> &out, uint32_t v) {
  uint8_t b[4];
  support::endian::write32le(b, v);
  out.insert(out.end(), b, b + 4);
}
void putU64(std::vector<uint8_t> &out, uint64_t v) {
  uint8_t b[8];
  support::endian::write64le(b, v);
  out.insert(out.end(), b, b + 8);
}
uint32_t getU32(ArrayRef<uint8_t> bytes, uint64_t at) {
  return support::endian::read32le(bytes.data() + at);
}
uint64_t getU64(ArrayRef<uint8_t> bytes, uint64_t at) {
  return support::endian::read64le(bytes.data() + at);
}

json::Array intArray(ArrayRef<int64_t> values) {
  json::Array array;
  for (int64_t v : values)
    array.push_back(v);
  return array;
}

/// The META section: everything but instructions, constants and the hash.
std::string writeMeta(const Program &program) {
  json::Array io;
  for (const IODesc &d : program.io)
    io.push_back(json::Object{{"name", d.name},
                              {"input", d.isInput},
                              {"shape", intArray(d.shape)},
                              {"dram_perm", intArray(d.dramPerm)},
                              {"layout", d.layout},
                              {"dtype", d.dtype},
                              {"dram_addr", d.dramAddr},
                              {"bytes", d.bytes},
                              {"scale", d.scale},
                              {"zero_point", d.zeroPoint}});
  json::Array layers;
  for (const LayerInfo &l : program.layers)
    layers.push_back(json::Object{{"name", l.name},
                                  {"kind", l.kind},
                                  {"first", l.firstInstruction},
                                  {"count", l.numInstructions},
                                  {"macs", l.macs},
                                  {"digit_macs", l.digitMacs},
                                  {"dram_bytes", l.dramBytes},
                                  {"roofline_cycles", l.rooflineCycles}});
  auto tensors = [](ArrayRef<HostTensorDesc> list) {
    json::Array array;
    for (const HostTensorDesc &t : list)
      array.push_back(json::Object{{"dtype", t.dtype},
                                   {"shape", intArray(t.shape)},
                                   {"dram_addr", t.dramAddr},
                                   {"bytes", t.bytes}});
    return array;
  };
  json::Array segments;
  for (const HostSegment &seg : program.hostSegments) {
    json::Array ops;
    for (const HostOp &h : seg.ops)
      ops.push_back(
          json::Object{{"name", h.name}, {"kind", h.kind}, {"macs", h.macs}});
    segments.push_back(json::Object{{"module", seg.module},
                                    {"inputs", tensors(seg.inputs)},
                                    {"outputs", tensors(seg.outputs)},
                                    {"ops", std::move(ops)}});
  }
  json::Object meta{{"target", program.targetName},
                    {"dram_bytes", program.dramBytes},
                    {"io", std::move(io)},
                    {"layers", std::move(layers)},
                    {"host_segments", std::move(segments)},
                    {"preamble_instructions", program.preambleInstructions}};
  std::string text;
  raw_string_ostream os(text);
  os << json::Value(std::move(meta)); // llvm::json prints keys sorted.
  return text;
}

/// Reads META fields with messages that name the JSON path.
class MetaReader {
public:
  explicit MetaReader(std::string &error) : error(error) {}

  const json::Object *object(const json::Value *v, const Twine &path) {
    const json::Object *o = v ? v->getAsObject() : nullptr;
    if (!o && error.empty())
      error = (path + " must be an object").str();
    return o;
  }
  const json::Array *array(const json::Object &o, StringRef key,
                           const Twine &path) {
    const json::Array *a = o.getArray(key);
    if (!a && error.empty())
      error = (path + "." + key + " must be an array").str();
    return a;
  }
  std::string str(const json::Object &o, StringRef key, const Twine &path) {
    std::optional<StringRef> s = o.getString(key);
    if (!s) {
      if (error.empty())
        error = (path + "." + key + " must be a string").str();
      return "";
    }
    return s->str();
  }
  uint64_t u64(const json::Object &o, StringRef key, const Twine &path) {
    const json::Value *v = o.get(key);
    std::optional<uint64_t> u = v ? v->getAsUINT64() : std::nullopt;
    if (!u) {
      if (error.empty())
        error = (path + "." + key + " must be a non-negative integer").str();
      return 0;
    }
    return *u;
  }
  int64_t i64(const json::Object &o, StringRef key, const Twine &path) {
    std::optional<int64_t> i = o.getInteger(key);
    if (!i) {
      if (error.empty())
        error = (path + "." + key + " must be an integer").str();
      return 0;
    }
    return *i;
  }
  double number(const json::Object &o, StringRef key, const Twine &path) {
    std::optional<double> d = o.getNumber(key);
    if (!d) {
      if (error.empty())
        error = (path + "." + key + " must be a number").str();
      return 0;
    }
    return *d;
  }
  bool boolean(const json::Object &o, StringRef key, const Twine &path) {
    std::optional<bool> b = o.getBoolean(key);
    if (!b) {
      if (error.empty())
        error = (path + "." + key + " must be a boolean").str();
      return false;
    }
    return *b;
  }
  template <typename Vec>
  void ints(const json::Object &o, StringRef key, const Twine &path,
            Vec &out) {
    const json::Array *a = array(o, key, path);
    if (!a)
      return;
    for (const json::Value &v : *a) {
      std::optional<int64_t> i = v.getAsInteger();
      if (!i) {
        if (error.empty())
          error = (path + "." + key + " must hold integers").str();
        return;
      }
      out.push_back(*i);
    }
  }
  /// Rejects keys other than `known` (a bit-exact format has no extras).
  void onlyKeys(const json::Object &o, ArrayRef<StringRef> known,
                const Twine &path) {
    for (const auto &kv : o)
      if (!is_contained(known, StringRef(kv.first)) && error.empty())
        error = (path + ": unknown key '" + StringRef(kv.first) + "'").str();
  }

private:
  std::string &error;
};

/// Parses META into `program`; returns an error message or "".
std::string readMeta(StringRef text, Program &program) {
  Expected<json::Value> parsed = json::parse(text);
  if (!parsed)
    return "invalid JSON: " + toString(parsed.takeError());
  std::string error;
  MetaReader r(error);
  const json::Object *meta = r.object(&*parsed, "meta");
  if (!meta)
    return error;
  r.onlyKeys(*meta,
             {"target", "dram_bytes", "io", "layers", "host_segments",
              "preamble_instructions"},
             "meta");
  if (meta->get("preamble_instructions"))
    program.preambleInstructions =
        r.u64(*meta, "preamble_instructions", "meta");
  program.targetName = r.str(*meta, "target", "meta");
  program.dramBytes = r.u64(*meta, "dram_bytes", "meta");
  if (const json::Array *io = r.array(*meta, "io", "meta")) {
    for (size_t i = 0; i < io->size() && error.empty(); ++i) {
      std::string path = ("meta.io[" + Twine(i) + "]").str();
      const json::Object *o = r.object(&(*io)[i], path);
      if (!o)
        break;
      r.onlyKeys(*o,
                 {"name", "input", "shape", "dram_perm", "layout", "dtype",
                  "dram_addr", "bytes", "scale", "zero_point"},
                 path);
      IODesc d;
      d.name = r.str(*o, "name", path);
      d.isInput = r.boolean(*o, "input", path);
      r.ints(*o, "shape", path, d.shape);
      r.ints(*o, "dram_perm", path, d.dramPerm);
      d.layout = r.str(*o, "layout", path);
      d.dtype = r.str(*o, "dtype", path);
      d.dramAddr = r.u64(*o, "dram_addr", path);
      d.bytes = r.u64(*o, "bytes", path);
      d.scale = r.number(*o, "scale", path);
      d.zeroPoint = r.i64(*o, "zero_point", path);
      program.io.push_back(std::move(d));
    }
  }
  if (const json::Array *layers = r.array(*meta, "layers", "meta")) {
    for (size_t i = 0; i < layers->size() && error.empty(); ++i) {
      std::string path = ("meta.layers[" + Twine(i) + "]").str();
      const json::Object *o = r.object(&(*layers)[i], path);
      if (!o)
        break;
      r.onlyKeys(*o,
                 {"name", "kind", "first", "count", "macs", "digit_macs",
                  "dram_bytes", "roofline_cycles"},
                 path);
      LayerInfo l;
      l.name = r.str(*o, "name", path);
      l.kind = r.str(*o, "kind", path);
      l.firstInstruction = r.u64(*o, "first", path);
      l.numInstructions = r.u64(*o, "count", path);
      l.macs = r.u64(*o, "macs", path);
      l.digitMacs = r.u64(*o, "digit_macs", path);
      l.dramBytes = r.u64(*o, "dram_bytes", path);
      l.rooflineCycles = r.u64(*o, "roofline_cycles", path);
      program.layers.push_back(std::move(l));
    }
  }
  auto readTensors = [&](const json::Object &o, StringRef key,
                         const std::string &path,
                         std::vector<HostTensorDesc> &out) {
    const json::Array *list = r.array(o, key, path);
    for (size_t i = 0; list && i < list->size() && error.empty(); ++i) {
      std::string tp = (path + "." + key + "[" + Twine(i) + "]").str();
      const json::Object *t = r.object(&(*list)[i], tp);
      if (!t)
        break;
      r.onlyKeys(*t, {"dtype", "shape", "dram_addr", "bytes"}, tp);
      HostTensorDesc d;
      d.dtype = r.str(*t, "dtype", tp);
      r.ints(*t, "shape", tp, d.shape);
      d.dramAddr = r.u64(*t, "dram_addr", tp);
      d.bytes = r.u64(*t, "bytes", tp);
      out.push_back(std::move(d));
    }
  };
  if (const json::Array *segs = r.array(*meta, "host_segments", "meta")) {
    for (size_t i = 0; i < segs->size() && error.empty(); ++i) {
      std::string path = ("meta.host_segments[" + Twine(i) + "]").str();
      const json::Object *o = r.object(&(*segs)[i], path);
      if (!o)
        break;
      r.onlyKeys(*o, {"module", "inputs", "outputs", "ops"}, path);
      HostSegment seg;
      seg.module = r.str(*o, "module", path);
      readTensors(*o, "inputs", path, seg.inputs);
      readTensors(*o, "outputs", path, seg.outputs);
      const json::Array *ops = r.array(*o, "ops", path);
      for (size_t j = 0; ops && j < ops->size() && error.empty(); ++j) {
        std::string op = (path + ".ops[" + Twine(j) + "]").str();
        const json::Object *h = r.object(&(*ops)[j], op);
        if (!h)
          break;
        r.onlyKeys(*h, {"name", "kind", "macs"}, op);
        HostOp hostOp;
        hostOp.name = r.str(*h, "name", op);
        hostOp.kind = r.str(*h, "kind", op);
        hostOp.macs = r.u64(*h, "macs", op);
        seg.ops.push_back(std::move(hostOp));
      }
      program.hostSegments.push_back(std::move(seg));
    }
  }
  return error;
}

struct Section {
  uint32_t id;
  uint64_t offset, size, checksum;
};
} // namespace

std::vector<uint8_t> writeMbin(const Program &program) {
  std::vector<uint8_t> inst;
  inst.reserve(program.instructions.size() * kInstBytes);
  for (const Word128 &w : program.instructions) {
    putU64(inst, w[0]);
    putU64(inst, w[1]);
  }
  std::string metaText = writeMeta(program);
  ArrayRef<uint8_t> meta(reinterpret_cast<const uint8_t *>(metaText.data()),
                         metaText.size());
  ArrayRef<uint8_t> sections[kNumSectionIds] = {inst, program.constants,
                                                meta};

  std::vector<uint8_t> out(kMagic, kMagic + sizeof(kMagic));
  putU32(out, kMbinVersion);
  putU32(out, kNumSectionIds);
  putU64(out, program.targetHash);
  uint64_t offset = kHeaderBytes + kNumSectionIds * kEntryBytes;
  for (uint32_t i = 0; i < kNumSectionIds; ++i) {
    putU32(out, i + 1);
    putU32(out, 0);
    putU64(out, offset);
    putU64(out, sections[i].size());
    putU64(out, xxh3_64bits(sections[i]));
    offset += sections[i].size();
  }
  out.reserve(offset);
  for (ArrayRef<uint8_t> s : sections)
    out.insert(out.end(), s.begin(), s.end());
  return out;
}

Expected<Program> readMbin(ArrayRef<uint8_t> bytes, StringRef what) {
  auto fail = [&](const Twine &msg) -> Error {
    return createStringError(what + ": " + msg);
  };
  uint64_t size = bytes.size();
  if (size < kHeaderBytes)
    return fail("truncated header (" + Twine(size) + " bytes, need " +
                Twine(kHeaderBytes) + "); not a .mbin file?");
  if (std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0)
    return fail("bad magic (expected \"MOTEBIN\\0\"); not a .mbin file");
  uint32_t version = getU32(bytes, 8);
  if (version != kMbinVersion && version != 2)
    return fail("unsupported .mbin version " + Twine(version) +
                " (this build reads versions 2 and " + Twine(kMbinVersion) +
                "); recompile the model with this motec");
  uint32_t count = getU32(bytes, 12);
  if (count != kNumSectionIds)
    return fail("section count " + Twine(count) + " (expected " +
                Twine(kNumSectionIds) + ": INST, CONST, META)");
  uint64_t tableEnd = kHeaderBytes + uint64_t(count) * kEntryBytes;
  if (size < tableEnd)
    return fail("truncated section table (" + Twine(size) + " bytes, need " +
                Twine(tableEnd) + ")");

  Section sections[kNumSectionIds];
  bool seen[kNumSectionIds + 1] = {};
  for (uint32_t i = 0; i < count; ++i) {
    uint64_t at = kHeaderBytes + i * kEntryBytes;
    Section s{getU32(bytes, at), getU64(bytes, at + 8), getU64(bytes, at + 16),
              getU64(bytes, at + 24)};
    if (s.id == 0 || s.id > kNumSectionIds)
      return fail("section table entry " + Twine(i) + ": unknown section id " +
                  Twine(s.id));
    if (seen[s.id])
      return fail("duplicate section " + sectionName(s.id));
    seen[s.id] = true;
    if (getU32(bytes, at + 4) != 0)
      return fail("section " + sectionName(s.id) +
                  ": reserved table field is not zero");
    if (s.offset > size || s.size > size - s.offset)
      return fail("section " + sectionName(s.id) + " [offset " +
                  Twine(s.offset) + ", size " + Twine(s.size) +
                  "] extends past the end of the file (" + Twine(size) +
                  " bytes); truncated?");
    sections[i] = s;
  }
  // Sections tile the rest of the file: no gaps, no overlap, no trailer.
  Section sorted[kNumSectionIds];
  std::copy(sections, sections + kNumSectionIds, sorted);
  std::sort(sorted, sorted + kNumSectionIds,
            [](const Section &a, const Section &b) {
              return a.offset != b.offset ? a.offset < b.offset : a.id < b.id;
            });
  uint64_t expected = tableEnd;
  for (const Section &s : sorted) {
    if (s.offset < expected)
      return fail("section " + sectionName(s.id) +
                  " overlaps the section table or another section");
    if (s.offset > expected)
      return fail(Twine(s.offset - expected) +
                  " unused bytes before section " + sectionName(s.id));
    expected = s.offset + s.size;
  }
  if (expected != size)
    return fail(Twine(size - expected) +
                " trailing bytes after the last section");

  Program program;
  program.targetHash = getU64(bytes, 16);
  for (const Section &s : sections) {
    ArrayRef<uint8_t> data = bytes.slice(s.offset, s.size);
    if (xxh3_64bits(data) != s.checksum)
      return fail("section " + sectionName(s.id) +
                  " checksum mismatch (file corrupted)");
    switch (s.id) {
    case kInst: {
      if (s.size % kInstBytes)
        return fail("section INST size " + Twine(s.size) +
                    " is not a multiple of " + Twine(kInstBytes));
      program.instructions.reserve(s.size / kInstBytes);
      for (uint64_t at = 0; at < s.size; at += kInstBytes) {
        Word128 w{getU64(data, at), getU64(data, at + 8)};
        if (Expected<Instruction> inst = decode(w); !inst)
          return fail("instruction " + Twine(at / kInstBytes) + ": " +
                      toString(inst.takeError()));
        program.instructions.push_back(w);
      }
      break;
    }
    case kConst:
      program.constants.assign(data.begin(), data.end());
      break;
    case kMeta: {
      StringRef text(reinterpret_cast<const char *>(data.data()), data.size());
      std::string error = readMeta(text, program);
      if (!error.empty())
        return fail("section META: " + error);
      break;
    }
    }
  }
  if (Error err = verifyProgram(program, what))
    return std::move(err);
  return program;
}

} // namespace mote::isa
