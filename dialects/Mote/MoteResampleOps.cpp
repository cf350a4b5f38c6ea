//===- MoteResampleOps.cpp - mote.slice and mote.resize -------------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Verifiers and folders of the two data-movement ops that select or resample
// elements rather than permute them. Both keep the input's element type, so
// the quantizer treats them like reshape and transpose.
//
//===----------------------------------------------------------------------===//

#include "Mote/MoteOps.h"
#include "Mote/MoteTypeUtils.h"

#include "mlir/IR/Builders.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace mote;

/// Both ops move elements without arithmetic on storage (resize's linear
/// mode rounds back to the same type), so element types must agree, and a
/// per-axis type cannot survive a change of the axis' extent.
static LogicalResult verifySameElement(Operation *op, RankedTensorType in,
                                       RankedTensorType out) {
  if (in.getElementType() != out.getElementType())
    return op->emitOpError("input and result element types must match");
  if (isa<quant::UniformQuantizedPerAxisType>(in.getElementType()))
    return op->emitOpError("input must be float or quantized per tensor");
  if (in.getRank() != out.getRank())
    return op->emitOpError("result rank must equal input rank");
  return success();
}

LogicalResult SliceOp::verify() {
  auto in = cast<RankedTensorType>(getInput().getType());
  auto out = cast<RankedTensorType>(getOutput().getType());
  if (failed(verifySameElement(*this, in, out)))
    return failure();
  ArrayRef<int64_t> starts = getStarts(), steps = getSteps();
  int64_t rank = in.getRank();
  if (static_cast<int64_t>(starts.size()) != rank ||
      static_cast<int64_t>(steps.size()) != rank)
    return emitOpError() << "starts and steps must hold one value per "
                            "dimension (" << rank << ")";
  for (int64_t d = 0; d < rank; ++d) {
    int64_t size = in.getDimSize(d), n = out.getDimSize(d);
    if (steps[d] == 0)
      return emitOpError() << "step of dimension " << d << " is zero";
    if (n <= 0)
      continue;
    // Both the first and the last index read must be inside the input;
    // the arithmetic is done in double to stay clear of int64 overflow.
    double last = double(starts[d]) + double(n - 1) * double(steps[d]);
    if (starts[d] < 0 || starts[d] >= size || last < 0 || last >= size)
      return emitOpError() << "dimension " << d << ": " << n
                           << " elements from " << starts[d] << " in steps of "
                           << steps[d] << " leave the input extent " << size;
  }
  return success();
}

OpFoldResult SliceOp::fold(FoldAdaptor) {
  if (getInput().getType() != getType())
    return {};
  auto in = cast<RankedTensorType>(getInput().getType());
  for (int64_t d = 0; d < in.getRank(); ++d)
    if (getStarts()[d] != 0 || (in.getDimSize(d) > 1 && getSteps()[d] != 1))
      return {};
  return getInput();
}

LogicalResult ResizeOp::verify() {
  auto in = cast<RankedTensorType>(getInput().getType());
  auto out = cast<RankedTensorType>(getOutput().getType());
  if (failed(verifySameElement(*this, in, out)))
    return failure();
  StringRef mode = getMode();
  if (mode != "nearest" && mode != "linear")
    return emitOpError() << "mode '" << mode
                         << "' is not one of nearest, linear";
  StringRef coord = getCoordinateMode();
  if (coord != "half_pixel" && coord != "asymmetric" &&
      coord != "align_corners" && coord != "pytorch_half_pixel" &&
      coord != "tf_half_pixel_for_nn")
    return emitOpError() << "coordinate_mode '" << coord
                         << "' is not one of half_pixel, asymmetric, "
                            "align_corners, pytorch_half_pixel, "
                            "tf_half_pixel_for_nn";
  StringRef nearest = getNearestMode();
  if (nearest != "round_prefer_floor" && nearest != "round_prefer_ceil" &&
      nearest != "floor" && nearest != "ceil")
    return emitOpError() << "nearest_mode '" << nearest
                         << "' is not one of round_prefer_floor, "
                            "round_prefer_ceil, floor, ceil";
  ArrayRef<double> scales = getScales();
  if (static_cast<int64_t>(scales.size()) != in.getRank())
    return emitOpError() << "scales must hold one value per dimension ("
                         << in.getRank() << ")";
  for (double s : scales)
    if (!std::isfinite(s) || s <= 0)
      return emitOpError() << "scale " << s << " is not a positive number";
  return success();
}

OpFoldResult ResizeOp::fold(FoldAdaptor) {
  if (getInput().getType() != getType())
    return {};
  for (double s : getScales())
    if (s != 1.0)
      return {};
  return getInput();
}

/// ONNX Resize's coordinate transform and neighbour choice for one
/// dimension (onnx/backend/test/case/node/resize.py, interpolate_1d_with_x).
/// Like the reference, the "output length" in align_corners and
/// pytorch_half_pixel is scale · input length, which differs from the
/// integer output size when the model gives scales that do not divide.
SmallVector<ResizeTap> ResizeOp::getTaps(unsigned dim) {
  int64_t inLen = cast<RankedTensorType>(getInput().getType()).getDimSize(dim);
  int64_t outLen =
      cast<RankedTensorType>(getOutput().getType()).getDimSize(dim);
  double scale = getScales()[dim];
  StringRef mode = getMode(), coord = getCoordinateMode(),
            nearest = getNearestMode();
  SmallVector<ResizeTap> taps(outLen);
  double outWidth = scale * static_cast<double>(inLen);
  for (int64_t o = 0; o < outLen; ++o) {
    double x = static_cast<double>(o), orig;
    if (coord == "align_corners")
      orig = outWidth == 1 ? 0.0 : x * (inLen - 1) / (outWidth - 1);
    else if (coord == "asymmetric")
      orig = x / scale;
    else if (coord == "pytorch_half_pixel")
      orig = outWidth == 1 ? -0.5 : (x + 0.5) / scale - 0.5;
    else if (coord == "tf_half_pixel_for_nn")
      orig = (x + 0.5) / scale;
    else // half_pixel
      orig = (x + 0.5) / scale - 0.5;
    double base = std::floor(orig);
    // The reference prefers the left neighbour: an integral coordinate has
    // ratio 1 towards the pixel itself.
    bool integral = orig == base;
    double ratio = integral ? 1.0 : orig - base;
    int64_t left = static_cast<int64_t>(integral ? base - 1 : base);
    auto clampIndex = [&](int64_t i) {
      return std::clamp<int64_t>(i, 0, inLen - 1);
    };
    ResizeTap t;
    if (mode == "linear") {
      t.i0 = clampIndex(left);
      t.i1 = clampIndex(left + 1);
      t.w1 = ratio;
    } else {
      bool right;
      if (integral)
        right = true;
      else if (nearest == "round_prefer_ceil")
        right = ratio >= 0.5;
      else if (nearest == "floor")
        right = false;
      else if (nearest == "ceil")
        right = true;
      else // round_prefer_floor
        right = ratio > 0.5;
      t.i0 = t.i1 = clampIndex(right ? left + 1 : left);
      t.w1 = 0.0;
    }
    taps[o] = t;
  }
  return taps;
}

bool ResizeOp::isWeighted(ArrayRef<ResizeTap> taps) {
  return llvm::any_of(taps, [](const ResizeTap &t) {
    return t.i0 != t.i1 && t.w1 > 0.0 && t.w1 < 1.0;
  });
}
