//===- TypeUtilsTest.cpp - Shape inference and quantized type helpers ------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//

#include "Mote/MoteAttrUtils.h"
#include "Mote/MoteDialect.h"
#include "Mote/MoteTypeUtils.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace mote;

TEST(TypeUtils, WindowOutputSize) {
  // 3x3 conv, pad 1, stride 1 keeps the size; stride 2 halves it.
  EXPECT_EQ(windowOutputSize(8, 3, 1, 1, 1, 1), 8);
  EXPECT_EQ(windowOutputSize(8, 3, 2, 1, 1, 1), 4);
  // Dilation 2 makes a 3-tap kernel span 5.
  EXPECT_EQ(windowOutputSize(7, 3, 1, 2, 0, 0), 3);
  // ceil_mode: 5 wide, kernel 2, stride 2 -> floor 2, ceil 3.
  EXPECT_EQ(windowOutputSize(5, 2, 2, 1, 0, 0, false), 2);
  EXPECT_EQ(windowOutputSize(5, 2, 2, 1, 0, 0, true), 3);
  // A ceil window that would start in the high padding is dropped.
  EXPECT_EQ(windowOutputSize(4, 2, 2, 1, 1, 1, true), 3);
  EXPECT_LT(windowOutputSize(2, 3, 1, 1, 0, 0), 0);
  EXPECT_LT(windowOutputSize(8, 3, 0, 1, 0, 0), 0);
}

TEST(TypeUtils, Broadcast) {
  auto s = broadcastShapes({2, 1, 4}, {3, 1});
  ASSERT_TRUE(s);
  EXPECT_EQ(*s, (SmallVector<int64_t>{2, 3, 4}));
  EXPECT_FALSE(broadcastShapes({2, 3}, {4}));
  EXPECT_EQ(formatShape({1, 8, 8, 3}), "1x8x8x3");
}

TEST(TypeUtils, QuantParamsPerAxis) {
  MLIRContext context;
  context.loadDialect<MoteDialect>();
  Builder b(&context);
  auto perAxis = quant::UniformQuantizedPerAxisType::get(
      quant::QuantizationFlags::Signed, b.getI8Type(), b.getF32Type(),
      {0.5, 0.25}, {0, 0}, 0, -127, 127);
  auto params = getQuantParams(RankedTensorType::get({2, 3}, perAxis));
  ASSERT_TRUE(params);
  EXPECT_TRUE(params->isPerAxis());
  EXPECT_EQ(params->scale(1), 0.25);
  EXPECT_EQ(params->storageMin, -127);
  EXPECT_FALSE(getQuantParams(b.getF32Type()));
}

TEST(AttrUtils, RoundTripThroughResourceBlobs) {
  MLIRContext context;
  context.loadDialect<MoteDialect>();
  Builder b(&context);
  std::vector<float> values(100);
  for (size_t i = 0; i < values.size(); ++i)
    values[i] = 0.5f * i - 7;
  auto type = RankedTensorType::get({10, 10}, b.getF32Type());
  ElementsAttr attr = makeFloatElements(type, values, "w");
  EXPECT_TRUE(isa<DenseResourceElementsAttr>(attr));
  EXPECT_EQ(*readFloatElements(attr), values);

  std::vector<int64_t> ints = {-128, -1, 0, 1, 127};
  auto i8 = RankedTensorType::get({5}, b.getIntegerType(8));
  ElementsAttr small = makeIntElements(i8, ints, "q");
  EXPECT_TRUE(isa<DenseElementsAttr>(small));
  EXPECT_EQ(*readIntElements(small, /*isSigned=*/true), ints);

  std::vector<int64_t> big(200);
  for (size_t i = 0; i < big.size(); ++i)
    big[i] = static_cast<int64_t>(i) - 100;
  auto i16 = RankedTensorType::get({200}, b.getIntegerType(16));
  ElementsAttr blob = makeIntElements(i16, big, "q16");
  EXPECT_TRUE(isa<DenseResourceElementsAttr>(blob));
  EXPECT_EQ(*readIntElements(blob, /*isSigned=*/true), big);
}

// makeIntElements and readIntElements build and read the raw bytes of a
// dense<...> literal directly; the attribute (uniqued, so compared by
// identity) and the values must be those of the APInt-per-element path.
TEST(AttrUtils, RawDenseIntsMatchApInts) {
  MLIRContext context;
  Builder b(&context);
  uint64_t state = 12345;
  auto next = [&] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return state >> 11;
  };
  for (unsigned width : {2u, 3u, 4u, 7u, 8u, 12u, 16u, 32u, 33u, 64u}) {
    auto type = IntegerType::get(&context, width);
    for (int64_t n : {1, 5, 40, 64}) {
      for (bool splat : {false, true}) {
        std::vector<int64_t> values(n);
        int64_t first = int64_t(next());
        for (int64_t &v : values)
          v = splat ? first : int64_t(next()) - int64_t(next());
        auto tensor = RankedTensorType::get({n}, type);
        SmallVector<APInt> ints;
        for (int64_t v : values)
          ints.emplace_back(width, uint64_t(v), /*isSigned=*/false,
                            /*implicitTrunc=*/true);
        Attribute expected = DenseElementsAttr::get(tensor, ints);
        ElementsAttr made = makeIntElements(tensor, values, "q");
        EXPECT_EQ(Attribute(made), expected)
            << "width " << width << " n " << n << " splat " << splat;
        for (bool isSigned : {false, true}) {
          std::vector<int64_t> want;
          for (const APInt &v :
               cast<DenseElementsAttr>(expected).getValues<APInt>())
            want.push_back(isSigned ? v.getSExtValue()
                                    : int64_t(v.getZExtValue()));
          EXPECT_EQ(*readIntElements(expected, isSigned), want)
              << "width " << width << " n " << n << " signed " << isSigned;
        }
      }
    }
  }
}
