//===- ISATest.cpp - Tests of the Mote NPU ISA library --------------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// The ISA table's static properties, encode/decode round trips and every
// rejection, and the .mbin container under truncation and corruption.
//
//===----------------------------------------------------------------------===//

#include "mote/ISA/ISA.h"
#include "mote/ISA/Program.h"

#include "llvm/Support/Endian.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

#include "gtest/gtest.h"

#include <random>
#include <set>

using namespace mote::isa;
using namespace llvm;

namespace {

std::string errorOf(Error err) { return toString(std::move(err)); }
template <typename T> std::string errorOf(Expected<T> e) {
  if (e)
    return "";
  return toString(e.takeError());
}

//===----------------------------------------------------------------------===//
// Table
//===----------------------------------------------------------------------===//

TEST(ISATable, FieldsOfOneOpcodeDoNotOverlapOrStraddle) {
  for (const OpcodeInfo &op : opcodes()) {
    SmallVector<const FieldInfo *, 16> all;
    for (const FieldInfo &f : fields())
      if (f.opcode == Opcode::Illegal)
        all.push_back(&f);
    auto own = fieldsOf(op.opcode);
    all.append(own.begin(), own.end());
    std::array<const FieldInfo *, 128> owner{};
    for (const FieldInfo *f : all) {
      EXPECT_GT(f->width, 0u) << f->name.str();
      EXPECT_LE(f->lsb + f->width, 128u) << f->name.str();
      EXPECT_EQ(f->lsb / 64, (f->lsb + f->width - 1) / 64)
          << op.mnemonic.str() << "." << f->name.str() << " straddles bit 64";
      for (unsigned b = f->lsb; b < f->lsb + f->width && b < 128; ++b) {
        EXPECT_EQ(owner[b], nullptr)
            << op.mnemonic.str() << ": " << f->name.str() << " overlaps "
            << (owner[b] ? owner[b]->name.str() : "") << " at bit " << b;
        owner[b] = f;
      }
    }
  }
}

TEST(ISATable, LookupsAreConsistent) {
  std::set<unsigned> values;
  for (const OpcodeInfo &op : opcodes()) {
    EXPECT_TRUE(values.insert(static_cast<unsigned>(op.opcode)).second);
    EXPECT_LT(static_cast<unsigned>(op.opcode), 16u); // 4-bit opcode field
    EXPECT_EQ(lookupMnemonic(op.mnemonic), &op);
    EXPECT_EQ(lookupOpcode(op.opcode), &op);
  }
  EXPECT_EQ(lookupOpcode(Opcode::Illegal), nullptr);
  EXPECT_EQ(lookupMnemonic("nop"), nullptr);
  for (size_t i = 0; i < fields().size(); ++i)
    EXPECT_EQ(static_cast<size_t>(fields()[i].id), i);
  for (const RegisterInfo &r : registers()) {
    EXPECT_EQ(lookupRegister(r.engine, r.index), &r);
    EXPECT_EQ(lookupRegister(r.engine, r.name), &r);
  }
  for (const VecOpInfo &v : vecOps()) {
    EXPECT_EQ(lookupVecOp(static_cast<uint8_t>(v.op)), &v);
    EXPECT_EQ(lookupVecOp(v.name.lower()), &v);
  }
  EXPECT_EQ(lookupVecOp(uint8_t(15)), nullptr);
  EXPECT_EQ(fieldsOf(Opcode::Config).size(), 3u);
  EXPECT_EQ(fieldsOf(Opcode::Finish).size(), 0u);
}

//===----------------------------------------------------------------------===//
// Encode / decode
//===----------------------------------------------------------------------===//

/// A random instruction of `op` that the rules allow.
Instruction randomInstruction(Opcode op, std::mt19937_64 &rng) {
  Instruction inst = make(op);
  auto pick = [&](uint64_t n) { return static_cast<int64_t>(rng() % n); };
  for (const FieldInfo *f : fieldsOf(op)) {
    int64_t v = 0;
    switch (f->kind) {
    case FieldKind::Bool:
      v = pick(2);
      break;
    case FieldKind::Unsigned:
      v = f->width >= 63 ? pick(INT64_MAX)
                         : static_cast<int64_t>(rng() &
                                                ((uint64_t(1) << f->width) - 1));
      break;
    case FieldKind::Signed:
      v = static_cast<int64_t>(rng());
      if (f->width < 64)
        v = (v << (64 - f->width)) >> (64 - f->width);
      break;
    case FieldKind::Enum:
      if (f->id == Field::Load_buffer)
        v = pick(3);
      else if (f->id == Field::Store_buffer)
        v = 1 + pick(2);
      else if (f->id == Field::Vec_op)
        v = static_cast<int64_t>(vecOps()[pick(vecOps().size())].op);
      else if (f->id == Field::Config_engine || f->id == Field::Sync_engine)
        v = pick(kNumEngines);
      else if (f->id == Field::Config_reg) {
        SmallVector<uint8_t> regs;
        for (const RegisterInfo &r : registers())
          if (r.engine == static_cast<Engine>(inst.get(Field::Config_engine)))
            regs.push_back(r.index);
        v = regs[pick(regs.size())];
      }
      break;
    }
    // Extreme values now and then.
    if (f->kind == FieldKind::Unsigned && pick(8) == 0)
      v = f->width >= 63 ? 0 : (int64_t(1) << f->width) - 1;
    inst.set(f->id, v);
  }
  Engine e = inst.engine();
  inst.set(Field::Header_pop_prev, e == Engine::Load ? 0 : pick(2));
  inst.set(Field::Header_push_prev, e == Engine::Load ? 0 : pick(2));
  inst.set(Field::Header_pop_next, e == Engine::Store ? 0 : pick(2));
  inst.set(Field::Header_push_next, e == Engine::Store ? 0 : pick(2));
  return inst;
}

TEST(ISAEncoding, RandomRoundTripEveryOpcode) {
  std::mt19937_64 rng(42);
  for (const OpcodeInfo &op : opcodes()) {
    for (int i = 0; i < 2000; ++i) {
      Instruction inst = randomInstruction(op.opcode, rng);
      Expected<Word128> word = encode(inst);
      ASSERT_TRUE(bool(word)) << errorOf(word.takeError());
      Expected<Instruction> back = decode(*word);
      ASSERT_TRUE(bool(back)) << errorOf(back.takeError());
      EXPECT_EQ(back->opcode, inst.opcode);
      EXPECT_EQ(back->values, inst.values) << op.mnemonic.str();
      Expected<Word128> again = encode(*back);
      ASSERT_TRUE(bool(again));
      EXPECT_EQ(*again, *word);
    }
  }
}

TEST(ISAEncoding, KnownBitLayout) {
  Instruction load = make(Opcode::Load);
  load.set(Field::Load_buffer, 1).set(Field::Load_rows, 5);
  load.set(Field::Header_pop_next, 1);
  Expected<Word128> word = encode(load);
  ASSERT_TRUE(bool(word));
  EXPECT_EQ((*word)[0], uint64_t(1) | (1u << 5) | (1u << 8));
  EXPECT_EQ((*word)[1], uint64_t(5));

  Instruction config = make(Opcode::Config);
  config.set(Field::Config_engine, 1).set(Field::Config_reg, reg::MM_KH);
  config.set(Field::Config_value, -1);
  word = encode(config);
  ASSERT_TRUE(bool(word));
  EXPECT_EQ((*word)[1], ~uint64_t(0));
  Expected<Instruction> back = decode(*word);
  ASSERT_TRUE(bool(back));
  EXPECT_EQ(back->get(Field::Config_value), -1);
  EXPECT_EQ(back->engine(), Engine::Execute);
}

TEST(ISAEncoding, EngineResolution) {
  EXPECT_EQ(make(Opcode::Load).engine(), Engine::Load);
  EXPECT_EQ(make(Opcode::MatMul).engine(), Engine::Execute);
  EXPECT_EQ(make(Opcode::Finish).engine(), Engine::Store);
  EXPECT_EQ(make(Opcode::Sync).set(Field::Sync_engine, 2).engine(),
            Engine::Store);
  EXPECT_EQ(make(Opcode::Config).engine(), Engine::Load);
  EXPECT_EQ(make(Opcode::Config).set(Field::Config_engine, 7).engine(),
            Engine::Any);
  EXPECT_EQ(Instruction().engine(), Engine::Any);
}

void expectEncodeError(const Instruction &inst, StringRef needle) {
  std::string msg = errorOf(encode(inst));
  EXPECT_NE(msg.find(needle.str()), std::string::npos)
      << "message: '" << msg << "', expected '" << needle.str() << "'";
}

TEST(ISAEncoding, EncodeRejections) {
  expectEncodeError(Instruction(), "illegal opcode 0");
  Instruction bad;
  bad.opcode = static_cast<Opcode>(10);
  expectEncodeError(bad, "illegal opcode 10");
  // Unsigned range.
  expectEncodeError(make(Opcode::Load).set(Field::Load_rows, 4096),
                    "'rows' value 4096 out of range [0, 4095]");
  expectEncodeError(make(Opcode::Load).set(Field::Load_rows, -1),
                    "out of range");
  expectEncodeError(make(Opcode::Load).set(Field::Load_dram_addr,
                                           int64_t(1) << 32),
                    "out of range");
  EXPECT_TRUE(bool(encode(make(Opcode::Load).set(Field::Load_dram_addr,
                                                (int64_t(1) << 32) - 1))));
  // Bool.
  expectEncodeError(make(Opcode::MatMul).set(Field::MatMul_accumulate, 2),
                    "is a flag");
  expectEncodeError(make(Opcode::Vec).set(Field::Header_pop_prev, -1),
                    "is a flag");
  // Enums.
  expectEncodeError(make(Opcode::Load).set(Field::Load_buffer, 3),
                    "unknown buffer 3");
  expectEncodeError(make(Opcode::Store)
                        .set(Field::Store_buffer, 0)
                        .set(Field::Store_rows, 1),
                    "store cannot read buffer 0");
  expectEncodeError(make(Opcode::Vec).set(Field::Vec_op, 15),
                    "unknown VEC op 15");
  expectEncodeError(make(Opcode::Sync).set(Field::Sync_engine, 3),
                    "unknown engine 3");
  expectEncodeError(make(Opcode::Config)
                        .set(Field::Config_engine, 0)
                        .set(Field::Config_reg, 3),
                    "unknown load register 3");
  expectEncodeError(make(Opcode::Config)
                        .set(Field::Config_engine, 1)
                        .set(Field::Config_reg, 300),
                    "unknown execute register 300");
  // Fields of another opcode.
  expectEncodeError(make(Opcode::Load).set(Field::Store_rows, 1),
                    "field 'rows' belongs to 'store'");
  expectEncodeError(make(Opcode::Finish).set(Field::Config_value, 1),
                    "belongs to 'config'");
  // Opcode field disagreeing with the opcode.
  expectEncodeError(make(Opcode::Load).set(Field::Header_opcode, 2),
                    "disagrees");
  // Tokens towards missing neighbours.
  for (Field f : {Field::Header_pop_prev, Field::Header_push_prev}) {
    expectEncodeError(make(Opcode::Load).set(f, 1), "load-engine");
    expectEncodeError(make(Opcode::Config).set(f, 1), "load-engine");
    expectEncodeError(make(Opcode::Sync).set(f, 1), "load-engine");
    EXPECT_TRUE(
        bool(encode(make(Opcode::Store).set(Field::Store_buffer, 1).set(f, 1))));
  }
  for (Field f : {Field::Header_pop_next, Field::Header_push_next}) {
    expectEncodeError(make(Opcode::Store).set(Field::Store_buffer, 2).set(f, 1),
                      "store-engine");
    expectEncodeError(make(Opcode::Finish).set(f, 1), "store-engine");
    expectEncodeError(make(Opcode::Sync).set(Field::Sync_engine, 2).set(f, 1),
                      "store-engine");
    EXPECT_TRUE(bool(encode(make(Opcode::Load).set(f, 1))));
  }
}

void expectDecodeError(Word128 word, StringRef needle) {
  std::string msg = errorOf(decode(word));
  EXPECT_NE(msg.find(needle.str()), std::string::npos)
      << "message: '" << msg << "', expected '" << needle.str() << "'";
}

TEST(ISAEncoding, DecodeRejections) {
  expectDecodeError({0, 0}, "illegal opcode 0");
  for (uint64_t op = 9; op < 16; ++op)
    expectDecodeError({op, 0}, "illegal opcode " + std::to_string(op));
  // FINISH has only the header: any other bit is stray.
  expectDecodeError({7 | (1u << 8), 0}, "non-zero bits outside its fields");
  expectDecodeError({7, 1}, "non-zero bits outside its fields (word 1");
  // SYNC has bits 8-9 only; LOAD's bits 120+ are unused.
  expectDecodeError({6 | (1u << 10), 0}, "non-zero bits");
  expectDecodeError({1, uint64_t(1) << 60}, "non-zero bits");
  expectDecodeError({1 | (3u << 8), 0}, "unknown buffer 3");
  expectDecodeError({2 | (0u << 8), 0}, "store cannot read buffer 0");
  expectDecodeError({4 | (15u << 8), 0}, "unknown VEC op 15");
  expectDecodeError({6 | (3u << 8), 0}, "unknown engine 3");
  expectDecodeError({5 | (2u << 8) | (7u << 10), 0}, "unknown store register 7");
  expectDecodeError({1 | (1u << 4), 0}, "load-engine");
  expectDecodeError({7 | (1u << 7), 0}, "store-engine");
}

TEST(ISAEncoding, DecodeNeverAcceptsWhatEncodeRejects) {
  // Every random word either fails to decode or re-encodes to itself.
  std::mt19937_64 rng(7);
  unsigned accepted = 0;
  for (int i = 0; i < 200000; ++i) {
    Word128 w{rng(), rng()};
    // Bias towards plausible words: mask to fewer bits sometimes.
    if (i % 2)
      w = {w[0] & 0xffff, w[1] & (rng() % 2 ? ~uint64_t(0) : 0)};
    Expected<Instruction> inst = decode(w);
    if (!inst) {
      consumeError(inst.takeError());
      continue;
    }
    ++accepted;
    Expected<Word128> again = encode(*inst);
    ASSERT_TRUE(bool(again)) << errorOf(again.takeError());
    EXPECT_EQ(*again, w);
  }
  EXPECT_GT(accepted, 100u);
}

//===----------------------------------------------------------------------===//
// .mbin
//===----------------------------------------------------------------------===//

Word128 enc(const Instruction &inst) {
  Expected<Word128> w = encode(inst);
  if (!w) {
    ADD_FAILURE() << errorOf(w.takeError());
    return {0, 0};
  }
  return *w;
}

Program sampleProgram() {
  Program p;
  p.targetName = "mote-default";
  p.targetHash = 0x0123456789abcdefULL;
  p.constants = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0xff};
  p.dramBytes = 4096;
  p.instructions.push_back(enc(make(Opcode::Config)
                                   .set(Field::Config_engine, 1)
                                   .set(Field::Config_reg, reg::VEC_CLAMP_LO)
                                   .set(Field::Config_value, -128)));
  p.instructions.push_back(enc(make(Opcode::Load)
                                   .set(Field::Load_buffer, 1)
                                   .set(Field::Load_dram_addr, 1024)
                                   .set(Field::Load_rows, 2)
                                   .set(Field::Load_cols, 3)
                                   .set(Field::Load_elem_bytes, 4)
                                   .set(Field::Header_push_next, 1)));
  p.instructions.push_back(enc(make(Opcode::Vec)
                                   .set(Field::Vec_op, 7)
                                   .set(Field::Vec_out_h, 2)
                                   .set(Field::Vec_out_w, 3)
                                   .set(Field::Vec_channels, 4)
                                   .set(Field::Header_pop_prev, 1)
                                   .set(Field::Header_push_next, 1)));
  p.instructions.push_back(enc(make(Opcode::Store)
                                   .set(Field::Store_buffer, 1)
                                   .set(Field::Store_dram_addr, 2048)
                                   .set(Field::Store_rows, 2)
                                   .set(Field::Header_pop_prev, 1)));
  p.instructions.push_back(
      enc(make(Opcode::Host).set(Field::Host_segment, 0)));
  p.instructions.push_back(enc(make(Opcode::Finish)));
  IODesc in;
  in.name = "input.1";
  in.shape = {1, 4, 2, 3};
  in.dramPerm = {0, 2, 3, 1};
  in.layout = "NCHW";
  in.dtype = "i8";
  in.dramAddr = 1024;
  in.bytes = 24;
  in.scale = 0.1;
  in.zeroPoint = -3;
  p.io.push_back(in);
  IODesc out = in;
  out.name = "out \"quoted\"";
  out.isInput = false;
  out.dtype = "u8";
  out.dramAddr = 2048;
  out.scale = 1.0 / 3.0;
  out.zeroPoint = 200;
  p.io.push_back(out);
  LayerInfo layer;
  layer.name = "clamp_0";
  layer.kind = "clamp";
  layer.firstInstruction = 1;
  layer.numInstructions = 3;
  layer.macs = 0;
  layer.digitMacs = 0;
  layer.dramBytes = 48;
  layer.rooflineCycles = 12;
  p.layers.push_back(layer);
  HostSegment seg;
  seg.module = "module {\n  func.func @host_segment_0() {\n    return\n  }\n}\n";
  seg.inputs.push_back({"u8", {1, 4, 2, 3}, 2048, 24});
  seg.outputs.push_back({"f32", {1, 24}, 3072, 96});
  seg.ops.push_back({"softmax_0", "softmax", 0});
  p.hostSegments.push_back(seg);
  p.dramBytes = std::max<uint64_t>(p.dramBytes, 4096);
  return p;
}

TEST(Mbin, RoundTripIsExactAndDeterministic) {
  Program p = sampleProgram();
  ASSERT_FALSE(verifyProgram(p, "p"));
  std::vector<uint8_t> bytes = writeMbin(p);
  EXPECT_EQ(bytes, writeMbin(p));
  EXPECT_EQ(std::string(bytes.begin(), bytes.begin() + 8),
            std::string("MOTEBIN\0", 8));
  Expected<Program> back = readMbin(bytes, "a.mbin");
  ASSERT_TRUE(bool(back)) << errorOf(back.takeError());
  EXPECT_EQ(back->targetName, p.targetName);
  EXPECT_EQ(back->targetHash, p.targetHash);
  EXPECT_EQ(back->instructions, p.instructions);
  EXPECT_EQ(back->constants, p.constants);
  EXPECT_EQ(back->dramBytes, p.dramBytes);
  ASSERT_EQ(back->io.size(), 2u);
  EXPECT_EQ(back->io[1].name, p.io[1].name);
  EXPECT_EQ(back->io[1].scale, p.io[1].scale);
  EXPECT_EQ(back->io[1].isInput, false);
  EXPECT_EQ(back->io[0].dramPerm, p.io[0].dramPerm);
  EXPECT_EQ(back->layers[0].rooflineCycles, 12u);
  ASSERT_EQ(back->hostSegments.size(), 1u);
  EXPECT_EQ(back->hostSegments[0].module, p.hostSegments[0].module);
  EXPECT_EQ(back->hostSegments[0].ops[0].kind, "softmax");
  EXPECT_EQ(back->hostSegments[0].outputs[0].dtype, "f32");
  EXPECT_EQ(back->hostSegments[0].outputs[0].dramAddr, 3072u);
  EXPECT_EQ(writeMbin(*back), bytes);
}

/// Recomputes the section checksums so corruption reaches the decoders.
void fixChecksums(std::vector<uint8_t> &bytes) {
  using namespace llvm::support::endian;
  for (unsigned i = 0; i < 3; ++i) {
    size_t at = 24 + 32 * i;
    uint64_t offset = read64le(&bytes[at + 8]);
    uint64_t size = read64le(&bytes[at + 16]);
    if (offset > bytes.size() || size > bytes.size() - offset)
      continue;
    write64le(&bytes[at + 24],
              xxh3_64bits(ArrayRef<uint8_t>(bytes).slice(offset, size)));
  }
}

TEST(Mbin, SpecificErrors) {
  std::vector<uint8_t> good = writeMbin(sampleProgram());
  auto expectError = [&](std::vector<uint8_t> bytes, StringRef needle) {
    std::string msg = errorOf(readMbin(bytes, "x.mbin"));
    EXPECT_NE(msg.find(needle.str()), std::string::npos)
        << "message: '" << msg << "', expected '" << needle.str() << "'";
    EXPECT_EQ(msg.rfind("x.mbin: ", 0), 0u) << msg;
  };
  expectError({}, "truncated header");
  std::vector<uint8_t> b = good;
  b[0] = 'X';
  expectError(b, "bad magic");
  b = good;
  b[8] = 4;
  expectError(b, "unsupported .mbin version 4");
  b = good;
  b[12] = 4;
  expectError(b, "section count 4");
  b = good;
  b[24 + 32] = 9;
  expectError(b, "unknown section id 9");
  b = good;
  b[24 + 32] = 1;
  expectError(b, "duplicate section INST");
  b = good;
  b[24 + 4] = 1;
  expectError(b, "reserved");
  b = good;
  b.push_back(0);
  expectError(b, "1 trailing bytes");
  b = good;
  b.back() ^= 1;
  expectError(b, "section META checksum mismatch");
  b = good;
  b[120 + 16] ^= 1; // first byte of instruction 1
  expectError(b, "section INST checksum mismatch");
  // Instruction 2 is a VEC: make its op 15 and fix the checksums.
  b = good;
  b[120 + 32 + 1] |= 0x0f;
  fixChecksums(b);
  expectError(b, "instruction 2: vec: unknown VEC op 15");
  // Section sizes that overflow.
  b = good;
  for (int i = 0; i < 8; ++i)
    b[24 + 16 + i] = 0xff;
  expectError(b, "extends past the end of the file");
}

TEST(Mbin, ProgramInvariants) {
  auto expectError = [](const Program &p, StringRef needle) {
    std::string msg = errorOf(verifyProgram(p, "p"));
    EXPECT_NE(msg.find(needle.str()), std::string::npos)
        << "message: '" << msg << "', expected '" << needle.str() << "'";
    // readMbin enforces the same.
    std::string msg2 = errorOf(readMbin(writeMbin(p), "p"));
    EXPECT_EQ(msg, msg2);
  };
  Program p = sampleProgram();
  p.instructions.pop_back();
  expectError(p, "instruction 4: the last instruction must be finish");
  p = sampleProgram();
  p.instructions.insert(p.instructions.begin(), p.instructions.back());
  expectError(p, "instruction 0: finish before the end");
  p = sampleProgram();
  p.instructions.clear();
  expectError(p, "no instructions");
  p = sampleProgram();
  p.dramBytes = 10;
  expectError(p, "constant image (11 bytes) exceeds the DRAM size 10");
  p = sampleProgram();
  p.dramBytes = 2071;
  expectError(p, "output 1 'out \"quoted\"': DRAM range");
  p = sampleProgram();
  p.io[0].dramAddr = UINT64_MAX;
  expectError(p, "DRAM range");
  p = sampleProgram();
  p.io[0].bytes = 25;
  expectError(p, "do not match the shape");
  p = sampleProgram();
  p.io[0].dtype = "f64";
  expectError(p, "unknown dtype 'f64'");
  p = sampleProgram();
  p.io[0].dtype = "f32"; // 24 elements need 96 bytes
  expectError(p, "bytes 24 do not match the shape (24 elements of 4 bytes)");
  // Host segments: each run by exactly one HOST, tensors inside DRAM.
  p = sampleProgram();
  p.instructions.erase(p.instructions.end() - 2);
  p.layers[0].numInstructions = 3;
  expectError(p, "host segment 0 is run by no host instruction");
  p = sampleProgram();
  p.instructions.insert(p.instructions.end() - 1, p.instructions[4]);
  expectError(p, "instruction 5: host segment 0 already runs at instruction 4");
  p = sampleProgram();
  p.hostSegments.clear();
  expectError(p, "instruction 4: host segment 0 does not exist");
  p = sampleProgram();
  p.hostSegments[0].outputs[0].dramAddr = 4090;
  expectError(p, "host segment 0 output 0: DRAM range");
  p = sampleProgram();
  p.hostSegments[0].inputs[0].bytes = 23;
  expectError(p, "host segment 0 input 0: bytes 23 do not match the shape");
  p = sampleProgram();
  p.hostSegments[0].inputs[0].dtype = "q8";
  expectError(p, "host segment 0 input 0: unknown dtype 'q8'");
  p = sampleProgram();
  p.io[0].dramPerm = {0, 1, 1, 2};
  expectError(p, "not a permutation");
  p = sampleProgram();
  p.io[0].scale = 0;
  expectError(p, "scale must be finite and positive");
  p = sampleProgram();
  p.io[1].zeroPoint = 256;
  expectError(p, "zero point 256 outside the range of u8");
  p = sampleProgram();
  p.layers[0].numInstructions = 6;
  expectError(p, "layer 0 'clamp_0': instructions [1, +6) exceed");
  p = sampleProgram();
  p.layers[0].firstInstruction = UINT64_MAX;
  expectError(p, "exceed");
  p = sampleProgram();
  p.instructions[1] = {0, 0};
  expectError(p, "instruction 1: illegal opcode 0");
}

TEST(Mbin, EveryTruncationIsRejected) {
  std::vector<uint8_t> good = writeMbin(sampleProgram());
  for (size_t n = 0; n < good.size(); ++n) {
    Expected<Program> p =
        readMbin(ArrayRef<uint8_t>(good).take_front(n), "t.mbin");
    ASSERT_FALSE(bool(p)) << "accepted a file truncated to " << n;
    consumeError(p.takeError());
  }
}

TEST(Mbin, RandomCorruptionNeverCrashes) {
  std::vector<uint8_t> good = writeMbin(sampleProgram());
  std::mt19937_64 rng(1234);
  unsigned accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::vector<uint8_t> b = good;
    unsigned flips = 1 + rng() % 4;
    for (unsigned k = 0; k < flips; ++k) {
      size_t bit = rng() % (b.size() * 8);
      b[bit / 8] ^= uint8_t(1) << (bit % 8);
    }
    // Half the time make the checksums right so the flips reach the
    // instruction decoder and the META parser.
    if (i % 2)
      fixChecksums(b);
    Expected<Program> p = readMbin(b, "f.mbin");
    if (p) {
      ++accepted;
      // Anything accepted is a valid program that writes back identically
      // (up to the corrupted but valid content).
      EXPECT_FALSE(verifyProgram(*p, "f"));
      Expected<Program> again = readMbin(writeMbin(*p), "g.mbin");
      EXPECT_TRUE(bool(again));
      if (!again)
        consumeError(again.takeError());
    } else {
      std::string msg = toString(p.takeError());
      EXPECT_EQ(msg.rfind("f.mbin: ", 0), 0u) << msg;
    }
  }
  (void)accepted;
}

TEST(Mbin, CorruptSizesAreRejected) {
  std::vector<uint8_t> good = writeMbin(sampleProgram());
  std::mt19937_64 rng(99);
  for (int i = 0; i < 5000; ++i) {
    std::vector<uint8_t> b = good;
    // Overwrite an offset or size field with random / huge values.
    size_t entry = rng() % 3;
    size_t at = 24 + 32 * entry + 8 + 8 * (rng() % 2);
    uint64_t v = rng();
    if (i % 3 == 0)
      v = ~uint64_t(0) - (rng() % 64);
    else if (i % 3 == 1)
      v = rng() % (good.size() + 64);
    support::endian::write64le(&b[at], v);
    fixChecksums(b);
    Expected<Program> p = readMbin(b, "s.mbin");
    if (!p)
      consumeError(p.takeError());
  }
}

//===----------------------------------------------------------------------===//
// .masm
//===----------------------------------------------------------------------===//

std::string masmOf(const Program &p) {
  std::string text;
  raw_string_ostream os(text);
  printMasm(p, os);
  return text;
}

TEST(Masm, RoundTripIsExact) {
  Program p = sampleProgram();
  p.io[0].name = "tab\there \\ \x7f ünï";
  std::string text = masmOf(p);
  Expected<Program> back = parseMasm(text, "a.masm");
  ASSERT_TRUE(bool(back)) << errorOf(back.takeError()) << "\n" << text;
  EXPECT_EQ(masmOf(*back), text);
  EXPECT_EQ(writeMbin(*back), writeMbin(p));
  EXPECT_NE(text.find("config engine=execute reg=VEC_CLAMP_LO value=-128"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("load buffer=activation dram_addr=1024 rows=2 cols=3 "
                      "elem_bytes=4 push_next"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("vec op=clamp out_h=2"), std::string::npos) << text;
}

TEST(Masm, RandomProgramsRoundTrip) {
  std::mt19937_64 rng(5);
  for (int round = 0; round < 50; ++round) {
    Program p;
    p.targetName = "t" + std::to_string(round);
    p.targetHash = rng();
    p.dramBytes = 1 << 20;
    p.constants.resize(rng() % 300);
    for (uint8_t &b : p.constants)
      b = rng();
    for (int i = 0; i < 200; ++i) {
      // Neither FINISH (last only) nor HOST (needs a host segment).
      const OpcodeInfo &op = opcodes()[rng() % (opcodes().size() - 2)];
      p.instructions.push_back(enc(randomInstruction(op.opcode, rng)));
    }
    p.instructions.push_back(enc(make(Opcode::Finish)));
    IODesc d;
    d.name = "x";
    d.shape = {int64_t(rng() % 5), 3};
    d.bytes = d.shape[0] * 3;
    d.scale = std::ldexp(double(rng() % 100000 + 1), -int(rng() % 40));
    d.zeroPoint = int64_t(rng() % 256) - 128;
    p.io.push_back(d);
    std::string text = masmOf(p);
    Expected<Program> back = parseMasm(text, "r.masm");
    ASSERT_TRUE(bool(back)) << errorOf(back.takeError());
    EXPECT_EQ(back->instructions, p.instructions);
    EXPECT_EQ(back->io[0].scale, p.io[0].scale);
    EXPECT_EQ(writeMbin(*back), writeMbin(p));
    EXPECT_EQ(masmOf(*back), text);
  }
}

TEST(Masm, AcceptsCommentsNumbersAndOrder) {
  Expected<Program> p = parseMasm(R"(; a comment
.dram 0x100      ; trailing comment
.target "x" 7
  config engine=execute reg=mm_kh value=0x10
config engine=1 reg=5 value=-3
vec op=MaxPool channels=0x8 a_acc=1 pop_prev=1
matmul accumulate=0
sync engine=store pop_prev
finish
)",
                                  "c.masm");
  ASSERT_TRUE(bool(p)) << errorOf(p.takeError());
  EXPECT_EQ(p->dramBytes, 256u);
  EXPECT_EQ(p->targetHash, 7u);
  ASSERT_EQ(p->instructions.size(), 6u);
  Expected<Instruction> c = decode(p->instructions[0]);
  ASSERT_TRUE(bool(c));
  EXPECT_EQ(c->get(Field::Config_reg), reg::MM_KH);
  EXPECT_EQ(c->get(Field::Config_value), 16);
  Expected<Instruction> v = decode(p->instructions[2]);
  ASSERT_TRUE(bool(v));
  EXPECT_EQ(v->get(Field::Vec_op), int64_t(VecOp::MaxPool));
  EXPECT_TRUE(v->popPrev());
}

TEST(Masm, ErrorsNameLineAndColumn) {
  auto expectError = [](StringRef text, StringRef needle) {
    std::string msg = errorOf(parseMasm(text, "e.masm"));
    EXPECT_NE(msg.find(needle.str()), std::string::npos)
        << "message: '" << msg << "', expected '" << needle.str() << "'";
  };
  expectError("nop\nfinish\n", "e.masm:1:1: unknown instruction 'nop'");
  expectError("finish\n  load rows=4096\nfinish\n",
              "e.masm:2:3: load: field 'rows' value 4096 out of range");
  expectError("load bogus=1\nfinish\n", "e.masm:1:6: 'load' has no field 'bogus'");
  expectError("load rows=1 rows=2\nfinish\n", "1:13: duplicate field 'rows'");
  expectError("load rows\nfinish\n", "1:6: field 'rows' needs a value");
  expectError("load rows=x1\nfinish\n", "1:11: expected a 64-bit integer");
  expectError("load rows=012\nfinish\n", "expected a 64-bit integer");
  expectError("vec op=foo\nfinish\n", "1:8: unknown VEC op 'foo'");
  expectError("load buffer=dram\nfinish\n", "1:13: unknown buffer 'dram'");
  expectError("config engine=load reg=MM_KH\nfinish\n",
              "1:24: unknown load register 'MM_KH'");
  expectError("sync engine=gpu\nfinish\n", "unknown engine 'gpu'");
  expectError("load pop_prev\nfinish\n", "1:1: load: load-engine");
  expectError("load opcode=2\nfinish\n", "has no field 'opcode'");
  expectError(".target \"x\nfinish\n", "1:9: unterminated string");
  expectError(".target \"x\\q\"\nfinish\n", "1:11: bad escape");
  expectError(".target \"x\" 1\n.target \"y\" 2\nfinish\n",
              "2:1: duplicate .target");
  expectError(".frobnicate\nfinish\n", "1:1: unknown directive '.frobnicate'");
  expectError(".const 0g\nfinish\n", "1:9: expected a hex digit");
  expectError(".const 012\nfinish\n", "even number of hex digits");
  expectError(".input shape=[1,2\nfinish\n", "expected ',' or ']' in list");
  expectError(".input shape=[1,2]\nfinish\n", "1:1: .input needs name=");
  expectError(".input name=\"a\" color=1\nfinish\n", "1:17: unknown key 'color'");
  expectError(".input name=\"a\" scale=x\nfinish\n", "expected a number");
  expectError("load\n", "e.masm:1:1: the last instruction must be finish");
  expectError("finish\nfinish\n", "e.masm:1:1: finish before the end");
  expectError("", "no instructions");
  expectError(".dram 4\n.const 0102030405\nfinish\n",
              "e.masm: constant image (5 bytes) exceeds the DRAM size 4");
  expectError(".word 0x0 0x0\nfinish\n", "1:1: illegal opcode 0");
  expectError("load rows=1@\nfinish\n", "1:12: expected whitespace");
}

TEST(Masm, RandomEditsNeverCrash) {
  std::string good = masmOf(sampleProgram());
  std::mt19937_64 rng(77);
  const char alphabet[] = "=[],;\"\\ \t\n0x9-.afz_";
  unsigned accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text = good;
    unsigned edits = 1 + rng() % 3;
    for (unsigned k = 0; k < edits && !text.empty(); ++k) {
      size_t at = rng() % text.size();
      char c = rng() % 2 ? alphabet[rng() % (sizeof(alphabet) - 1)]
                         : static_cast<char>(rng());
      switch (rng() % 3) {
      case 0:
        text[at] = c;
        break;
      case 1:
        text.insert(text.begin() + at, c);
        break;
      default:
        text.erase(at, 1);
      }
    }
    Expected<Program> p = parseMasm(text, "m.masm");
    if (!p) {
      std::string msg = toString(p.takeError());
      EXPECT_EQ(msg.rfind("m.masm", 0), 0u) << msg;
      continue;
    }
    ++accepted;
    std::string printed = masmOf(*p);
    Expected<Program> again = parseMasm(printed, "n.masm");
    ASSERT_TRUE(bool(again)) << errorOf(again.takeError()) << "\n" << printed;
    EXPECT_EQ(masmOf(*again), printed);
    EXPECT_EQ(writeMbin(*again), writeMbin(*p));
  }
  EXPECT_GT(accepted, 100u);
}

} // namespace
