//===- OnnxTensorProtoTest.cpp - TensorProto (.pb) reading ----------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//

#include "mote/Frontend/OnnxImporter.h"

#include "onnx/onnx_pb.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "gtest/gtest.h"

#include <fstream>

using namespace mote;

namespace {

/// Writes `bytes` to a fresh temporary file and returns its path.
std::string writeTemp(const std::string &bytes) {
  llvm::SmallString<128> path;
  int fd;
  if (llvm::sys::fs::createTemporaryFile("mote-tensor", "pb", fd, path))
    return "";
  ::close(fd);
  std::ofstream(path.c_str(), std::ios::binary) << bytes;
  return path.str().str();
}

std::string readError(const std::string &path) {
  auto t = readTensorProtoFile(path);
  if (t)
    return "";
  return llvm::toString(t.takeError());
}

TEST(OnnxTensorProto, RawFloat) {
  onnx::TensorProto p;
  p.set_data_type(onnx::TensorProto::FLOAT);
  p.add_dims(2);
  p.add_dims(2);
  float v[4] = {1.5f, -2.0f, 0.25f, 3.0f};
  p.set_raw_data(std::string(reinterpret_cast<char *>(v), sizeof(v)));
  auto t = readTensorProtoFile(writeTemp(p.SerializeAsString()));
  ASSERT_TRUE(bool(t)) << llvm::toString(t.takeError());
  EXPECT_EQ(t->dtype, DType::F32);
  EXPECT_EQ(t->shape, (std::vector<int64_t>{2, 2}));
  EXPECT_FLOAT_EQ(t->getDouble(1), -2.0);
  EXPECT_FLOAT_EQ(t->getDouble(3), 3.0);
}

TEST(OnnxTensorProto, TypedFloatAndInt64) {
  onnx::TensorProto p;
  p.set_data_type(onnx::TensorProto::FLOAT);
  p.add_dims(3);
  for (float f : {1.0f, 2.0f, 3.5f})
    p.add_float_data(f);
  auto t = readTensorProtoFile(writeTemp(p.SerializeAsString()));
  ASSERT_TRUE(bool(t));
  EXPECT_FLOAT_EQ(t->getDouble(2), 3.5);

  onnx::TensorProto q;
  q.set_data_type(onnx::TensorProto::INT64);
  q.add_int64_data(-7);
  auto s = readTensorProtoFile(writeTemp(q.SerializeAsString()));
  ASSERT_TRUE(bool(s));
  EXPECT_TRUE(s->shape.empty());
  EXPECT_EQ(s->getInt(0), -7);
}

/// INT8/UINT8/bool travel in int32_data (as some ONNX test data does).
TEST(OnnxTensorProto, NarrowIntsInInt32Data) {
  onnx::TensorProto p;
  p.set_data_type(onnx::TensorProto::INT8);
  p.add_dims(3);
  for (int v : {-128, 0, 127})
    p.add_int32_data(v);
  auto t = readTensorProtoFile(writeTemp(p.SerializeAsString()));
  ASSERT_TRUE(bool(t));
  EXPECT_EQ(t->dtype, DType::I8);
  EXPECT_EQ(t->getInt(0), -128);
  EXPECT_EQ(t->getInt(2), 127);

  p.set_data_type(onnx::TensorProto::UINT8);
  p.clear_int32_data();
  for (int v : {0, 200, 255})
    p.add_int32_data(v);
  auto u = readTensorProtoFile(writeTemp(p.SerializeAsString()));
  ASSERT_TRUE(bool(u));
  EXPECT_EQ(u->getInt(1), 200);
}

TEST(OnnxTensorProto, Errors) {
  onnx::TensorProto p;
  p.set_data_type(onnx::TensorProto::FLOAT);
  p.add_dims(4);
  p.add_float_data(1.0f);
  EXPECT_NE(readError(writeTemp(p.SerializeAsString()))
                .find("holds 1 elements but its shape [4] needs 4"),
            std::string::npos);

  onnx::TensorProto h;
  h.set_data_type(onnx::TensorProto::FLOAT16);
  h.add_dims(1);
  h.set_raw_data(std::string(2, '\0'));
  EXPECT_NE(readError(writeTemp(h.SerializeAsString()))
                .find("element type FLOAT16 is not supported"),
            std::string::npos);

  onnx::TensorProto r;
  r.set_data_type(onnx::TensorProto::INT32);
  r.add_dims(2);
  r.set_raw_data(std::string(7, '\0'));
  EXPECT_NE(readError(writeTemp(r.SerializeAsString())).find("raw_data has 7 bytes"),
            std::string::npos);

  std::string bytes = p.SerializeAsString();
  std::string truncated = writeTemp(bytes.substr(0, bytes.size() - 2));
  std::string message = readError(truncated);
  EXPECT_NE(message.find(truncated), std::string::npos);
  EXPECT_NE(message.find("not a valid onnx TensorProto"), std::string::npos);

  EXPECT_NE(readError("/nonexistent/x.pb").find("cannot read the file"),
            std::string::npos);
}

} // namespace
