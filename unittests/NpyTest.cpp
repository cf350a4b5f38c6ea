//===- NpyTest.cpp - .npy/.npz reading and writing ------------------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//

#include "mote/Support/Npy.h"

#include "llvm/Support/Error.h"
#include "gtest/gtest.h"

#include <zlib.h>

using namespace mote;

namespace {

std::string header(llvm::StringRef dict, int major = 1) {
  std::string h(dict);
  h += '\n';
  std::string out("\x93NUMPY", 6);
  out += static_cast<char>(major);
  out += '\0';
  if (major == 1) {
    out += static_cast<char>(h.size() & 0xff);
    out += static_cast<char>(h.size() >> 8);
  } else {
    for (int i = 0; i < 4; ++i)
      out += static_cast<char>((h.size() >> (8 * i)) & 0xff);
  }
  return out + h;
}

std::string errorOf(llvm::Expected<HostTensor> t) {
  if (t)
    return "";
  return llvm::toString(t.takeError());
}

TEST(Npy, RoundTripsEveryDType) {
  for (DType d : {DType::F32, DType::F64, DType::I8, DType::U8, DType::I16,
                  DType::U16, DType::I32, DType::I64, DType::Bool}) {
    HostTensor t = HostTensor::zeros(d, {2, 3});
    for (size_t i = 0; i < t.data.size(); ++i)
      t.data[i] = static_cast<char>(i * 7 + 1);
    if (d == DType::Bool)
      for (char &c : t.data)
        c &= 1;
    std::string bytes = serializeNpy(t);
    EXPECT_EQ(bytes.size() % 64, t.data.size() % 64) << dtypeName(d);
    auto back = parseNpy(bytes, "mem");
    ASSERT_TRUE(static_cast<bool>(back)) << llvm::toString(back.takeError());
    EXPECT_EQ(back->dtype, d);
    EXPECT_EQ(back->shape, t.shape);
    EXPECT_EQ(back->data, t.data);
  }
}

TEST(Npy, ScalarAndOneDimensionalShapes) {
  for (std::vector<int64_t> shape :
       {std::vector<int64_t>{}, std::vector<int64_t>{5},
        std::vector<int64_t>{0, 3}}) {
    HostTensor t = HostTensor::zeros(DType::F32, shape);
    auto back = parseNpy(serializeNpy(t), "mem");
    ASSERT_TRUE(static_cast<bool>(back));
    EXPECT_EQ(back->shape, shape);
  }
}

TEST(Npy, ReadsVersion2And3Headers) {
  for (int major : {2, 3}) {
    std::string bytes =
        header("{'descr': '<i2', 'fortran_order': False, 'shape': (2,), }",
               major) +
        std::string("\x01\x00\xff\xff", 4);
    auto t = parseNpy(bytes, "mem");
    ASSERT_TRUE(static_cast<bool>(t)) << llvm::toString(t.takeError());
    EXPECT_EQ(t->getInt(0), 1);
    EXPECT_EQ(t->getInt(1), -1);
  }
}

TEST(Npy, RejectsCorruptInput) {
  auto f32 = [](llvm::StringRef dict, size_t payload) {
    return header(dict) + std::string(payload, '\0');
  };
  const char *ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  EXPECT_EQ(errorOf(parseNpy(f32(ok, 24), "f.npy")), "");
  EXPECT_NE(errorOf(parseNpy("hello", "f.npy")).find("f.npy: not a .npy"),
            std::string::npos);
  EXPECT_NE(errorOf(parseNpy(f32(ok, 23), "f.npy")).find("truncated data"),
            std::string::npos);
  EXPECT_NE(errorOf(parseNpy(f32(ok, 25), "f.npy")).find("unexpected bytes"),
            std::string::npos);
  EXPECT_NE(errorOf(parseNpy(header(ok).substr(0, 30), "f.npy"))
                .find("truncated .npy header"),
            std::string::npos);
  EXPECT_NE(
      errorOf(parseNpy(f32("{'descr': '<f4', 'fortran_order': True, "
                           "'shape': (2, 3), }",
                           24),
                       "f.npy"))
          .find("fortran_order=True"),
      std::string::npos);
  EXPECT_NE(errorOf(parseNpy(f32("{'descr': '>f4', 'fortran_order': False, "
                                 "'shape': (2, 3), }",
                                 24),
                             "f.npy"))
                .find("big-endian"),
            std::string::npos);
  EXPECT_NE(errorOf(parseNpy(f32("{'descr': '<c8', 'fortran_order': False, "
                                 "'shape': (2, 3), }",
                                 48),
                             "f.npy"))
                .find("unsupported dtype '<c8'"),
            std::string::npos);
  EXPECT_NE(
      errorOf(parseNpy(f32("{'descr': '<f4', 'fortran_order': False, "
                           "'shape': (100000000, 100000000), }",
                           0),
                       "f.npy"))
          .find("absurd shape"),
      std::string::npos);
  EXPECT_NE(errorOf(parseNpy(f32("{'descr': '<f4', 'fortran_order': False, "
                                 "'shape': (2, -3), }",
                                 0),
                             "f.npy"))
                .find("malformed"),
            std::string::npos);
  EXPECT_NE(errorOf(parseNpy(f32("{'descr': [('a', '<f4')], "
                                 "'fortran_order': False, 'shape': (2,), }",
                                 8),
                             "f.npy"))
                .find("malformed"),
            std::string::npos);
  EXPECT_NE(errorOf(parseNpy(f32("{'descr': '<f4', 'shape': (2,), }", 8),
                             "f.npy"))
                .find("needs 'descr', 'fortran_order' and 'shape'"),
            std::string::npos);
  EXPECT_NE(errorOf(readNpy("/nonexistent/x.npy")).find("/nonexistent/x.npy"),
            std::string::npos);
}

/// A minimal stored (method 0) ZIP of one member.
std::string storedZip(llvm::StringRef name, llvm::StringRef data,
                      bool corruptCrc = false) {
  auto u16 = [](uint16_t v) {
    return std::string{static_cast<char>(v & 0xff), static_cast<char>(v >> 8)};
  };
  auto u32 = [&](uint32_t v) { return u16(v & 0xffff) + u16(v >> 16); };
  uint32_t crc = crc32(0, reinterpret_cast<const Bytef *>(data.data()),
                       data.size()) ^
                 (corruptCrc ? 1 : 0);
  std::string local = u32(0x04034b50) + u16(20) + u16(0) + u16(0) + u16(0) +
                      u16(0) + u32(crc) + u32(data.size()) +
                      u32(data.size()) + u16(name.size()) + u16(0) +
                      name.str() + data.str();
  std::string central = u32(0x02014b50) + u16(20) + u16(20) + u16(0) + u16(0) +
                        u16(0) + u16(0) + u32(crc) + u32(data.size()) +
                        u32(data.size()) + u16(name.size()) + u16(0) + u16(0) +
                        u16(0) + u16(0) + u32(0) + u32(0) + name.str();
  std::string end = u32(0x06054b50) + u16(0) + u16(0) + u16(1) + u16(1) +
                    u32(central.size()) + u32(local.size()) + u16(0);
  return local + central + end;
}

TEST(Npz, ReadsStoredMembersAndRejectsCorruption) {
  HostTensor t = HostTensor::zeros(DType::I8, {3});
  t.data = {1, 2, 3};
  std::string npy = serializeNpy(t);
  auto good = parseNpz(storedZip("x.npy", npy), "a.npz");
  ASSERT_TRUE(static_cast<bool>(good)) << llvm::toString(good.takeError());
  ASSERT_EQ(good->size(), 1u);
  EXPECT_EQ((*good)[0].name, "x");
  EXPECT_EQ((*good)[0].getInt(2), 3);

  auto bad = parseNpz(storedZip("x.npy", npy, /*corruptCrc=*/true), "a.npz");
  ASSERT_FALSE(static_cast<bool>(bad));
  EXPECT_NE(llvm::toString(bad.takeError()).find("a.npz:x.npy: CRC mismatch"),
            std::string::npos);

  std::string zip = storedZip("x.npy", npy);
  auto truncated = parseNpz(zip.substr(0, zip.size() - 30), "a.npz");
  EXPECT_FALSE(static_cast<bool>(truncated));
  llvm::consumeError(truncated.takeError());

  auto notZip = parseNpz(std::string(100, 'z'), "a.npz");
  ASSERT_FALSE(static_cast<bool>(notZip));
  EXPECT_NE(llvm::toString(notZip.takeError()).find("not a .npz"),
            std::string::npos);
}

} // namespace
