//===- TargetDescriptionTest.cpp - Target description tests ---------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Every shipped target loads and follows the documented energy model; the
// hash ignores key order, whitespace and free text but not values; every
// validation rule reports the file and the field.
//
//===----------------------------------------------------------------------===//

#include "mote/Target/TargetDescription.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "gtest/gtest.h"

#include <cmath>
#include <cstdlib>
#include <functional>

using namespace llvm;
using namespace mote;

namespace {

std::string shippedText(StringRef name) {
  SmallString<256> path(targetDirectory());
  sys::path::append(path, name + ".json");
  auto buffer = MemoryBuffer::getFile(path);
  if (!buffer)
    return "";
  return (*buffer)->getBuffer().str();
}

/// The default target with `edit` applied to its JSON object.
std::string edited(const std::function<void(json::Object &)> &edit) {
  Expected<json::Value> v = json::parse(shippedText("mote-default"));
  if (!v) {
    consumeError(v.takeError());
    return "";
  }
  edit(*v->getAsObject());
  return formatv("{0}", *v).str();
}

json::Object &sub(json::Object &o, StringRef key) { return *o.getObject(key); }

/// The error message parseTarget gives for `text` ("" if it parses).
std::string errorOf(StringRef text) {
  Expected<TargetDescription> t = parseTarget(text, "mote-x.json");
  if (t)
    return "";
  return toString(t.takeError());
}

TEST(TargetDescription, ShippedTargetsLoad) {
  std::vector<std::string> names = listTargets();
  for (const char *expected :
       {"mote-default", "mote-d2", "mote-d8", "mote-small", "mote-large"})
    EXPECT_TRUE(is_contained(names, expected)) << expected;
  for (const std::string &name : names) {
    Expected<TargetDescription> t = loadTarget(name);
    ASSERT_TRUE(bool(t)) << toString(t.takeError());
    EXPECT_EQ(t->name, name);
    EXPECT_FALSE(t->sources.empty());
    // SRAM energy follows the documented Horowitz interpolation (1%).
    for (unsigned i = 0; i < kNumSramBuffers; ++i) {
      SramBuffer b = SramBuffer(i);
      double expected = horowitzSramPJPerByte(t->buffer(b).bytes);
      EXPECT_NEAR(t->sramEnergyPerBytePJ(b), expected, 0.01 * expected)
          << name << " " << sramBufferName(b).str();
      EXPECT_NEAR(t->sramEnergyPerBytePJ(b, true), expected, 0.01 * expected);
    }
    // Loading by path gives the same description.
    SmallString<256> path(targetDirectory());
    sys::path::append(path, name + ".json");
    Expected<TargetDescription> byPath = loadTarget(path);
    ASSERT_TRUE(bool(byPath)) << toString(byPath.takeError());
    EXPECT_EQ(byPath->hash(), t->hash());
  }
}

TEST(TargetDescription, DefaultFigures) {
  Expected<TargetDescription> t = loadTarget("mote-default");
  ASSERT_TRUE(bool(t)) << toString(t.takeError());
  EXPECT_EQ(t->macArray.digitBits, 4u);
  EXPECT_EQ(t->peakDigitMacsPerCycle(), 256u);
  EXPECT_DOUBLE_EQ(t->peakMacsPerCycle(8, 8), 64.0);
  EXPECT_DOUBLE_EQ(t->dramBandwidthGBps(), 4.0);
  EXPECT_EQ(t->sram.weightBuffer.bytes, 256u * 1024);
  EXPECT_EQ(t->sram.accumulatorBuffer.bytes, 64u * 1024);
  EXPECT_DOUBLE_EQ(t->energyPerDigitMacPJ(), 0.09);
  EXPECT_DOUBLE_EQ(t->macEnergyPJ(8, 8), 4 * 0.09);
  EXPECT_DOUBLE_EQ(t->dramEnergyPerBytePJ(), 162.5);
  EXPECT_DOUBLE_EQ(t->vectorOpEnergyPJ(VectorOp::Lut), 0.25);
  EXPECT_EQ(t->vectorOpCycles(VectorOp::Requantize), 2u);
  EXPECT_EQ(t->requant.multiplierBits, 32u);
}

TEST(TargetDescription, DigitVariants) {
  for (auto [name, bits] : {std::pair<const char *, unsigned>{"mote-d2", 2},
                            {"mote-default", 4},
                            {"mote-d8", 8}}) {
    Expected<TargetDescription> t = loadTarget(name);
    ASSERT_TRUE(bool(t)) << toString(t.takeError());
    EXPECT_EQ(t->macArray.digitBits, bits) << name;
  }
}

TEST(TargetDescription, MacPasses) {
  TargetDescription t;
  t.macArray.digitBits = 4;
  EXPECT_EQ(t.macPassesFor(4, 4), 1u);
  EXPECT_EQ(t.macPassesFor(8, 4), 2u);
  EXPECT_EQ(t.macPassesFor(8, 8), 4u);
  EXPECT_EQ(t.macPassesFor(5, 3), 2u);
  EXPECT_EQ(t.macPassesFor(2, 2), 1u);
  EXPECT_EQ(t.macPassesFor(16, 8), 8u);
  t.macArray.digitBits = 2;
  EXPECT_EQ(t.macPassesFor(8, 8), 16u);
  t.macArray.digitBits = 8;
  EXPECT_EQ(t.macPassesFor(4, 4), 1u);
  EXPECT_EQ(t.macPassesFor(16, 16), 4u);
}

TEST(TargetDescription, HorowitzInterpolation) {
  EXPECT_DOUBLE_EQ(horowitzSramPJPerByte(8192), 1.25);
  EXPECT_NEAR(horowitzSramPJPerByte(32768), 2.5, 1e-12);
  EXPECT_NEAR(horowitzSramPJPerByte(1 << 20), 12.5, 1e-12);
  // 16 KiB sits halfway (in log-log) between 8 and 32 KiB: 1.25 * sqrt(2).
  EXPECT_NEAR(horowitzSramPJPerByte(16384), 1.25 * std::sqrt(2.0), 1e-12);
  EXPECT_GT(horowitzSramPJPerByte(2 << 20), 12.5);
  EXPECT_LT(horowitzSramPJPerByte(4096), 1.25);
}

TEST(TargetDescription, HashIgnoresLayoutAndText) {
  std::string original = shippedText("mote-default");
  Expected<TargetDescription> a = parseTarget(original, "a.json");
  ASSERT_TRUE(bool(a)) << toString(a.takeError());
  // Re-serialised compactly with sorted keys (a different key order and
  // whitespace from the file), and with integers spelt as decimals.
  std::string compact = edited([](json::Object &o) {
    o["clock_mhz"] = 500.0;
    o["description"] = "renamed copy";
    o["name"] = "my-chip";
    o["notes"] = json::Array{"other notes"};
  });
  ASSERT_NE(compact.find("\"clock_mhz\":500"), std::string::npos);
  Expected<TargetDescription> b = parseTarget(compact, "b.json");
  ASSERT_TRUE(bool(b)) << toString(b.takeError());
  EXPECT_EQ(a->hash(), b->hash());
  EXPECT_EQ(a->canonicalHardwareString(), b->canonicalHardwareString());
  // Round trip through toJSON keeps the hash.
  Expected<TargetDescription> c =
      parseTarget(formatv("{0:4}", a->toJSON()).str(), "c.json");
  ASSERT_TRUE(bool(c)) << toString(c.takeError());
  EXPECT_EQ(a->hash(), c->hash());
  EXPECT_EQ(c->sources, a->sources);
}

TEST(TargetDescription, HashChangesWithValues) {
  Expected<TargetDescription> base =
      parseTarget(shippedText("mote-default"), "a.json");
  ASSERT_TRUE(bool(base)) << toString(base.takeError());
  std::vector<std::function<void(json::Object &)>> edits = {
      [](json::Object &o) { o["clock_mhz"] = 501; },
      [](json::Object &o) { sub(o, "mac_array")["rows"] = 8; },
      [](json::Object &o) { sub(o, "mac_array")["signed_digits"] = false; },
      [](json::Object &o) {
        sub(sub(o, "sram"), "weight_buffer")["bytes"] = 131072;
      },
      [](json::Object &o) { sub(o, "dram")["latency_cycles"] = 101; },
      [](json::Object &o) {
        sub(sub(o, "vector_unit"), "cycles_per_op")["lut"] = 2;
      },
      [](json::Object &o) { sub(o, "queues")["token"] = 4; },
      [](json::Object &o) { sub(o, "energy")["digit_mac_pj"] = 0.0901; },
      [](json::Object &o) {
        sub(sub(o, "energy"), "dram_pj_per_byte")["write"] = 200;
      },
  };
  for (auto [i, edit] : enumerate(edits)) {
    Expected<TargetDescription> t = parseTarget(edited(edit), "e.json");
    ASSERT_TRUE(bool(t)) << i << ": " << toString(t.takeError());
    EXPECT_NE(t->hash(), base->hash()) << "edit " << i;
  }
}

TEST(TargetDescription, GoldenHash) {
  // A binary records this hash: the canonical form and FNV-1a must not
  // drift between builds. Update only with a schema_version bump.
  TargetDescription t;
  t.clockMHz = 500;
  t.macArray = {16, 16, 4, true, 32};
  t.sram.weightBuffer = {262144, 8, 32, 32};
  t.sram.activationBuffer = {262144, 8, 16, 16};
  t.sram.accumulatorBuffer = {65536, 4, 64, 64};
  t.dram = {8, 100};
  t.vectorUnit.lanes = 16;
  t.vectorUnit.cyclesPerOp = {2, 1, 1, 1, 1, 1};
  t.queues = {32, 32, 32, 8};
  t.energy.digitMacPJ = 0.09;
  t.energy.accumulatorAddPJ = 0.1;
  t.energy.accumulatorRegisterPJ = 0.92;
  t.energy.vectorOpPJ = {3.4, 0.1, 0.1, 0.1, 0.25, 0.2};
  EXPECT_TRUE(StringRef(t.canonicalHardwareString())
                  .starts_with("{\"clock_mhz\":500,\"dram\":{\"bandwidth_bytes_"
                               "per_cycle\":8,\"laten"));
  EXPECT_EQ(t.hash(), 0x787de228546b92dfULL);
}

struct ErrorCase {
  const char *what;
  std::function<void(json::Object &)> edit;
  const char *message;
};

TEST(TargetDescription, ValidationErrors) {
  std::vector<ErrorCase> cases = {
      {"digit bits",
       [](json::Object &o) { sub(o, "mac_array")["digit_bits"] = 3; },
       "mote-x.json: mac_array.digit_bits must be 2, 4 or 8, got 3"},
      {"unknown top", [](json::Object &o) { o["colour"] = "blue"; },
       "mote-x.json: unknown field 'colour'; known fields: schema_version, "
       "name, description, clock_mhz, mac_array, sram, dram, vector_unit, "
       "queues, requant, energy, sources, notes"},
      {"unknown nested", [](json::Object &o) { sub(o, "dram")["width"] = 1; },
       "mote-x.json: unknown field 'dram.width'; known fields of 'dram': "
       "bandwidth_bytes_per_cycle, latency_cycles"},
      {"missing", [](json::Object &o) { sub(o, "queues").erase("store"); },
       "mote-x.json: missing required field 'queues.store'"},
      {"missing object", [](json::Object &o) { o.erase("energy"); },
       "mote-x.json: missing required field 'energy'"},
      {"wrong type",
       [](json::Object &o) { sub(o, "mac_array")["rows"] = "16"; },
       "mote-x.json: mac_array.rows must be an integer, got a string"},
      {"fraction", [](json::Object &o) { sub(o, "mac_array")["cols"] = 1.5; },
       "mote-x.json: mac_array.cols must be an integer, got a number"},
      {"bool type",
       [](json::Object &o) { sub(o, "mac_array")["signed_digits"] = 1; },
       "mote-x.json: mac_array.signed_digits must be a boolean, got a number"},
      {"object type", [](json::Object &o) { o["sram"] = 4; },
       "mote-x.json: sram must be an object, got a number"},
      {"zero size",
       [](json::Object &o) {
         sub(sub(o, "sram"), "weight_buffer")["bytes"] = 0;
       },
       "mote-x.json: sram.weight_buffer.bytes must be positive, got 0"},
      {"negative bandwidth",
       [](json::Object &o) {
         sub(o, "dram")["bandwidth_bytes_per_cycle"] = -8;
       },
       "mote-x.json: dram.bandwidth_bytes_per_cycle must be positive, got -8"},
      {"zero clock", [](json::Object &o) { o["clock_mhz"] = 0; },
       "mote-x.json: clock_mhz must be positive, got 0"},
      {"negative energy",
       [](json::Object &o) { sub(o, "energy")["static_power_mw"] = -1; },
       "mote-x.json: energy.static_power_mw must be non-negative, got -1"},
      {"range", [](json::Object &o) { sub(o, "requant")["max_shift"] = 63; },
       "mote-x.json: requant.max_shift must be in [1, 62], got 63"},
      {"pow2",
       [](json::Object &o) {
         sub(sub(o, "sram"), "activation_buffer")["line_bytes"] = 24;
       },
       "mote-x.json: sram.activation_buffer.line_bytes must be a power of two, "
       "got 24"},
      {"multiple",
       [](json::Object &o) {
         sub(sub(o, "sram"), "weight_buffer")["bytes"] = 262144 + 32;
       },
       "mote-x.json: sram.weight_buffer.bytes must be a multiple of banks * "
       "line_bytes = 256, got 262176"},
      {"accumulator",
       [](json::Object &o) { sub(o, "mac_array")["accumulator_bits"] = 11; },
       "mote-x.json: mac_array.accumulator_bits must be at least 2 * "
       "digit_bits + ceil(log2(rows)) = 12, got 11"},
      {"vector op",
       [](json::Object &o) {
         sub(sub(o, "vector_unit"), "cycles_per_op").erase("lut");
       },
       "mote-x.json: missing required field 'vector_unit.cycles_per_op.lut'"},
      {"sources", [](json::Object &o) { o["sources"] = json::Array{}; },
       "mote-x.json: sources must list at least one entry"},
      {"source type",
       [](json::Object &o) {
         o["sources"] = json::Array{"a", 2};
       },
       "mote-x.json: sources[1] must be a string, got a number"},
      {"name", [](json::Object &o) { o["name"] = ""; },
       "mote-x.json: name must not be empty"},
      {"version", [](json::Object &o) { o["schema_version"] = 1; },
       "mote-x.json: schema_version must be 2 (this build's schema), got 1"},
      {"no version", [](json::Object &o) { o.erase("schema_version"); },
       "mote-x.json: missing required field 'schema_version'"},
  };
  for (const ErrorCase &c : cases) {
    std::string message = errorOf(edited(c.edit));
    EXPECT_NE(message.find(c.message), std::string::npos)
        << c.what << ": got '" << message << "'";
  }
  EXPECT_EQ(errorOf(shippedText("mote-default")), "");
}

TEST(TargetDescription, ReportsAllProblems) {
  std::string message = errorOf(edited([](json::Object &o) {
    sub(o, "mac_array")["digit_bits"] = 3;
    sub(o, "queues")["load"] = 0;
  }));
  EXPECT_NE(message.find("digit_bits"), std::string::npos) << message;
  EXPECT_NE(message.find("queues.load must be in [1, 65536], got 0"),
            std::string::npos)
      << message;
}

TEST(TargetDescription, MalformedJSON) {
  std::string message = errorOf("{\"schema_version\": 1,");
  EXPECT_NE(message.find("mote-x.json: invalid JSON"), std::string::npos)
      << message;
  EXPECT_NE(errorOf("[1, 2]").find("must be a JSON object"), std::string::npos);
}

TEST(TargetDescription, NameResolution) {
  Expected<TargetDescription> missing = loadTarget("mote-nonexistent");
  ASSERT_FALSE(bool(missing));
  std::string message = toString(missing.takeError());
  EXPECT_NE(message.find("unknown target 'mote-nonexistent'"),
            std::string::npos);
  EXPECT_NE(message.find("mote-default"), std::string::npos) << message;

  Expected<TargetDescription> noFile = loadTarget("/nonexistent/x.json");
  ASSERT_FALSE(bool(noFile));
  EXPECT_NE(
      toString(noFile.takeError()).find("/nonexistent/x.json: cannot read"),
      std::string::npos);

  // $MOTE_TARGET_DIR overrides the compiled-in directory.
  SmallString<128> dir;
  ASSERT_FALSE(sys::fs::createUniqueDirectory("mote-targets", dir));
  SmallString<128> file(dir);
  sys::path::append(file, "chip.json");
  {
    std::error_code ec;
    raw_fd_ostream os(file, ec);
    ASSERT_FALSE(ec);
    os << edited([](json::Object &o) { o["name"] = "chip"; });
  }
  std::string saved = targetDirectory();
  ::setenv("MOTE_TARGET_DIR", dir.c_str(), 1);
  Expected<TargetDescription> chip = loadTarget("chip");
  std::vector<std::string> names = listTargets();
  ::unsetenv("MOTE_TARGET_DIR");
  ASSERT_TRUE(bool(chip)) << toString(chip.takeError());
  EXPECT_EQ(chip->name, "chip");
  EXPECT_EQ(names, std::vector<std::string>{"chip"});
  EXPECT_EQ(targetDirectory(), saved);
  sys::fs::remove(file);
  sys::fs::remove(dir);
}

} // namespace
