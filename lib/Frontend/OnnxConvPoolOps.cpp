//===- OnnxConvPoolOps.cpp - ONNX conv and pooling converters -------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Conv, QLinearConv, ConvInteger and the pools (max, average, global):
// ONNX windows (strides, dilations, pads, auto_pad, ceil_mode; 1-D
// windows lifted to 2-D) read once, activations in NHWC.
//
//===----------------------------------------------------------------------===//

#include "OnnxImporterImpl.h"

#include "Mote/MoteTypeUtils.h"

#include "llvm/ADT/StringSwitch.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace mlir;
using namespace mote;
using namespace mote::onnx_import;

namespace {

//===----------------------------------------------------------------------===//
// Windows: conv and pooling
//===----------------------------------------------------------------------===//

struct Window {
  SmallVector<int64_t, 2> kernel, strides, dilations;
  SmallVector<int64_t, 4> pad; ///< [top, bottom, left, right]
};

/// Reads strides/dilations/pads/auto_pad for `spatial` input sizes (1 or 2
/// dims) and the given kernel, and lifts 1-D windows to 2-D with H = 1.
FailureOr<Window> readWindow(Importer &im, ArrayRef<int64_t> spatial,
                             ArrayRef<int64_t> kernel, bool ceilMode,
                             bool hasDilations) {
  size_t n = spatial.size();
  auto list = [&](StringRef name, size_t size,
                  int64_t dflt) -> std::optional<std::vector<int64_t>> {
    auto v = im.attrInts(name);
    if (!v)
      return std::vector<int64_t>(size, dflt);
    if (v->size() != size)
      return std::nullopt;
    return v;
  };
  auto strides = list("strides", n, 1);
  auto dilations = hasDilations ? list("dilations", n, 1)
                                : std::optional<std::vector<int64_t>>(
                                      std::vector<int64_t>(n, 1));
  auto pads = list("pads", 2 * n, 0);
  if (!strides || !dilations || !pads) {
    im.fail() << "strides/dilations/pads have the wrong length for " << n
              << " spatial dimensions";
    return failure();
  }
  for (size_t i = 0; i < n; ++i)
    if ((*strides)[i] <= 0 || (*dilations)[i] <= 0 || kernel[i] <= 0) {
      im.fail() << "kernel, strides and dilations must be positive";
      return failure();
    }
  for (int64_t p : *pads)
    if (p < 0) {
      im.fail() << "negative pads are not supported";
      return failure();
    }
  std::string autoPad = im.attrString("auto_pad", "NOTSET");
  std::vector<int64_t> lo(n), hi(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t eff = (*dilations)[i] * (kernel[i] - 1) + 1;
    if (autoPad == "NOTSET") {
      lo[i] = (*pads)[i];
      hi[i] = (*pads)[i + n];
    } else if (autoPad == "VALID") {
      lo[i] = hi[i] = 0;
    } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      int64_t s = (*strides)[i];
      int64_t out = (spatial[i] + s - 1) / s;
      int64_t total = std::max<int64_t>(0, (out - 1) * s + eff - spatial[i]);
      int64_t small = total / 2;
      lo[i] = autoPad == "SAME_UPPER" ? small : total - small;
      hi[i] = total - lo[i];
    } else {
      im.fail() << "auto_pad '" << autoPad
                << "' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID";
      return failure();
    }
    int64_t outSize = windowOutputSize(spatial[i], kernel[i], (*strides)[i],
                                       (*dilations)[i], lo[i], hi[i],
                                       ceilMode);
    if (outSize <= 0) {
      im.fail() << "the " << kernel[i] << "-wide window (dilation "
                << (*dilations)[i] << ") does not fit the padded input of size "
                << spatial[i];
      return failure();
    }
  }
  Window w;
  if (n == 1) {
    w.kernel = {1, kernel[0]};
    w.strides = {1, (*strides)[0]};
    w.dilations = {1, (*dilations)[0]};
    w.pad = {0, 0, lo[0], hi[0]};
  } else {
    w.kernel = {kernel[0], kernel[1]};
    w.strides = {(*strides)[0], (*strides)[1]};
    w.dilations = {(*dilations)[0], (*dilations)[1]};
    w.pad = {lo[0], hi[0], lo[1], hi[1]};
  }
  return w;
}

/// The NHWC form of a rank-3 (NCL, lifted to N,1,L,C) or rank-4 input.
FailureOr<Value> windowInput(Importer &im, OnnxValue &x) {
  if (x.rank() == 4)
    return im.toNhwc(x);
  FailureOr<Value> v = im.toOnnx(x);
  if (failed(v))
    return failure();
  Value lifted = im.reshape(*v, {x.shape[0], x.shape[1], 1, x.shape[2]});
  return im.transpose(lifted, kToNhwc);
}

/// Defines output 0 from an NHWC window result; for 1-D ops drops the H = 1.
void defineWindowOutput(Importer &im, Value out, int64_t inputRank,
                        int32_t onnxType) {
  auto shape = tensorType(out).getShape();
  std::vector<int64_t> onnxShape = permuteShape(shape, kToNchw);
  if (inputRank == 4) {
    im.defineValue(0, out, onnxShape, /*nhwc=*/true, onnxType);
    return;
  }
  std::vector<int64_t> shape3 = {onnxShape[0], onnxShape[1], onnxShape[3]};
  Value back = im.reshape(im.transpose(out, kToNchw), shape3);
  im.defineValue(0, back, shape3, /*nhwc=*/false, onnxType);
}

LogicalResult checkWindowRank(Importer &im, OnnxValue &x) {
  if (x.rank() != 3 && x.rank() != 4)
    return im.fail() << "input has rank " << x.rank()
                     << "; only 1-D and 2-D windows (rank-3 or rank-4 "
                        "inputs) are supported";
  return success();
}

/// Conv, ConvInteger and QLinearConv. Quantization parameters are null for
/// a float conv.
LogicalResult emitConv(Importer &im, int xIdx, int wIdx, int bIdx,
                       const OnnxQuant *xq, const OnnxQuant *wq,
                       Type outElement, int32_t outOnnxType) {
  OnnxValue *x = im.input(xIdx);
  OnnxValue *w = x ? im.input(wIdx) : nullptr;
  if (!w || failed(checkWindowRank(im, *x)))
    return failure();
  if (w->rank() != x->rank())
    return im.fail() << "weight rank " << w->rank()
                     << " does not match input rank " << x->rank();
  int64_t group = im.attrInt("group", 1);
  int64_t channels = x->shape[1], outChannels = w->shape[0];
  if (group <= 0 || channels % group != 0 || outChannels % group != 0 ||
      w->shape[1] != channels / group)
    return im.fail() << "weight shape " << formatShape(w->shape)
                     << " does not fit " << channels << " input channels in "
                     << group << " groups";
  std::vector<int64_t> kernel(w->shape.begin() + 2, w->shape.end());
  if (auto ks = im.attrInts("kernel_shape"))
    if (*ks != kernel)
      return im.fail() << "kernel_shape does not match the weight shape "
                       << formatShape(w->shape);
  std::vector<int64_t> spatial(x->shape.begin() + 2, x->shape.end());
  FailureOr<Window> win = readWindow(im, spatial, kernel, false, true);
  if (failed(win))
    return failure();

  if (xq) {
    if (xq->axis >= 0)
      return im.fail() << "the input must be quantized per tensor";
    if (x->value &&
        failed(im.bindQuantized(*x, im.quantType(*xq, -1), "input x")))
      return failure();
  } else if (failed(requireFloat(im, *x, "input X"))) {
    return failure();
  }
  FailureOr<Value> in = windowInput(im, *x);
  if (failed(in))
    return failure();

  // Weights: OIHW -> OHWI (1-D: OIL -> O,1,L,I).
  std::vector<int64_t> w4 = w->shape;
  if (w->rank() == 3)
    w4 = {w->shape[0], w->shape[1], 1, w->shape[2]};
  Type wElement = wq ? im.quantType(*wq, 0) : im.builder.getF32Type();
  if (wq && wq->axis > 0)
    return im.fail() << "weights may be quantized per tensor or per output "
                        "channel (axis 0) only";
  Value filter;
  if (w->constant) {
    HostTensor t = permuteTensorAs(*w->constant, w4, kToNhwc);
    if (wq) {
      if (isFloatDType(t.dtype))
        return im.fail() << "quantized weight must hold integers";
      filter = im.materializeQuantized(t, wElement, t.name);
    } else {
      if (!isFloatDType(t.dtype))
        return im.fail() << "weight must be float";
      filter = im.materializeFloat(t, t.name);
    }
  } else {
    if (wq && failed(im.bindQuantized(*w, wElement, "weight")))
      return failure();
    if (!wq && failed(requireFloat(im, *w, "weight")))
      return failure();
    FailureOr<Value> wv = im.toOnnx(*w);
    if (failed(wv))
      return failure();
    filter = im.transpose(im.reshape(*wv, w4), kToNhwc);
  }

  Value bias;
  if (im.hasInput(bIdx)) {
    OnnxValue *b = im.input(bIdx);
    if (!b)
      return failure();
    if (b->rank() != 1 || b->shape[0] != outChannels)
      return im.fail() << "bias must have shape [" << outChannels << "], got "
                       << formatShape(b->shape);
    if (xq) {
      const HostTensor *bt = im.constInput(bIdx);
      if (!bt || bt->dtype != DType::I32)
        return im.fail() << "bias must be a constant int32 tensor";
      OnnxQuant bq;
      bq.storage = DType::I32;
      for (int64_t o = 0; o < outChannels; ++o) {
        bq.scales.push_back(xq->scales[0] *
                            wq->scales[wq->axis >= 0 ? o : 0]);
        bq.zeroPoints.push_back(0);
      }
      if (wq->axis >= 0) {
        bq.axis = 0;
      } else {
        bq.scales.resize(1);
        bq.zeroPoints.resize(1);
      }
      bias = im.materializeQuantized(*bt, im.quantType(bq, 0), bt->name);
    } else {
      if (failed(requireFloat(im, *b, "bias")))
        return failure();
      FailureOr<Value> bv = im.toOnnx(*b);
      if (failed(bv))
        return failure();
      bias = *bv;
    }
  }

  auto inType = tensorType(*in);
  int64_t oh = windowOutputSize(inType.getDimSize(1), win->kernel[0],
                                win->strides[0], win->dilations[0],
                                win->pad[0], win->pad[1]);
  int64_t ow = windowOutputSize(inType.getDimSize(2), win->kernel[1],
                                win->strides[1], win->dilations[1],
                                win->pad[2], win->pad[3]);
  auto type = RankedTensorType::get({inType.getDimSize(0), oh, ow, outChannels},
                                    outElement);
  Value out = Conv2DOp::create(
      im.builder, im.loc, type, *in, filter, bias,
      im.builder.getDenseI64ArrayAttr(win->strides),
      im.builder.getDenseI64ArrayAttr(win->dilations),
      im.builder.getDenseI64ArrayAttr(win->pad),
      im.builder.getI64IntegerAttr(group));
  defineWindowOutput(im, out, x->rank(), outOnnxType);
  return success();
}

LogicalResult convertConv(Importer &im) {
  return emitConv(im, 0, 1, 2, nullptr, nullptr, im.builder.getF32Type(),
                  onnx::TensorProto::FLOAT);
}

LogicalResult convertQLinearConv(Importer &im) {
  OnnxValue *x = im.input(0);
  OnnxValue *w = x ? im.input(3) : nullptr;
  if (!w)
    return failure();
  auto xs = onnxStorage(im, 0), ws = onnxStorage(im, 3);
  if (failed(checkStorage(im, xs, "x")) || failed(checkStorage(im, ws, "w")))
    return failure();
  auto xq = im.readQuant(1, 2, -1, x->rank(), "x", *xs);
  if (failed(xq))
    return failure();
  auto wq = im.readQuant(4, 5, 0, w->rank(), "w", *ws);
  if (failed(wq))
    return failure();
  std::optional<DType> ys = im.hasInput(7) ? onnxStorage(im, 7) : xs;
  if (failed(checkStorage(im, ys, "y_zero_point")))
    return failure();
  auto yq = im.readQuant(6, 7, -1, x->rank(), "y", *ys);
  if (failed(yq))
    return failure();
  if (yq->axis >= 0)
    return im.fail() << "y must be quantized per tensor";
  return emitConv(im, 0, 3, 8, &*xq, &*wq, im.quantType(*yq, -1),
                  onnxTypeOf(*ys));
}

LogicalResult convertConvInteger(Importer &im) {
  OnnxValue *x = im.input(0);
  OnnxValue *w = x ? im.input(1) : nullptr;
  if (!w)
    return failure();
  auto xs = onnxStorage(im, 0), ws = onnxStorage(im, 1);
  if (failed(checkStorage(im, xs, "x")) || failed(checkStorage(im, ws, "w")))
    return failure();
  auto xq = im.readQuant(-1, 2, -1, x->rank(), "x", *xs);
  if (failed(xq))
    return failure();
  auto wq = im.readQuant(-1, 3, 0, w->rank(), "w", *ws);
  if (failed(wq))
    return failure();
  return emitConv(im, 0, 1, -1, &*xq, &*wq, accumulatorType(im),
                  onnx::TensorProto::INT32);
}

LogicalResult convertPool(Importer &im, bool isMax) {
  OnnxValue *x = im.input(0);
  if (!x || failed(checkWindowRank(im, *x)) ||
      failed(requireMoteTyped(im, *x, "input")))
    return failure();
  auto kernel = im.attrInts("kernel_shape");
  if (!kernel || kernel->size() != static_cast<size_t>(x->rank() - 2))
    return im.fail() << "kernel_shape must list one size per spatial "
                        "dimension";
  bool ceil = im.attrInt("ceil_mode", 0) != 0;
  if (isMax) {
    if (im.attrInt("storage_order", 0) != 0)
      return im.fail() << "storage_order = 1 (column major) is not supported";
    if (im.node->output_size() > 1 && !im.node->output(1).empty())
      return im.fail() << "the Indices output is not supported";
  }
  std::vector<int64_t> spatial(x->shape.begin() + 2, x->shape.end());
  FailureOr<Window> win = readWindow(im, spatial, *kernel, ceil, isMax);
  if (failed(win))
    return failure();
  FailureOr<Value> in = windowInput(im, *x);
  if (failed(in))
    return failure();
  auto inType = tensorType(*in);
  int64_t oh = windowOutputSize(inType.getDimSize(1), win->kernel[0],
                                win->strides[0], win->dilations[0],
                                win->pad[0], win->pad[1], ceil);
  int64_t ow = windowOutputSize(inType.getDimSize(2), win->kernel[1],
                                win->strides[1], win->dilations[1],
                                win->pad[2], win->pad[3], ceil);
  auto type = RankedTensorType::get(
      {inType.getDimSize(0), oh, ow, inType.getDimSize(3)},
      inType.getElementType());
  auto &b = im.builder;
  Value out;
  if (isMax)
    out = MaxPool2DOp::create(b, im.loc, type, *in,
                              b.getDenseI64ArrayAttr(win->kernel),
                              b.getDenseI64ArrayAttr(win->strides),
                              b.getDenseI64ArrayAttr(win->dilations),
                              b.getDenseI64ArrayAttr(win->pad),
                              b.getBoolAttr(ceil));
  else
    out = AvgPool2DOp::create(
        b, im.loc, type, *in, b.getDenseI64ArrayAttr(win->kernel),
        b.getDenseI64ArrayAttr(win->strides), b.getDenseI64ArrayAttr(win->pad),
        b.getBoolAttr(im.attrInt("count_include_pad", 0) != 0),
        b.getBoolAttr(ceil));
  defineWindowOutput(im, out, x->rank(), x->onnxType);
  return success();
}

LogicalResult convertMaxPool(Importer &im) { return convertPool(im, true); }
LogicalResult convertAveragePool(Importer &im) {
  return convertPool(im, false);
}

LogicalResult convertGlobalPool(Importer &im, bool isMax) {
  OnnxValue *x = im.input(0);
  if (!x || failed(checkWindowRank(im, *x)) ||
      failed(requireMoteTyped(im, *x, "input")))
    return failure();
  FailureOr<Value> in = windowInput(im, *x);
  if (failed(in))
    return failure();
  auto inType = tensorType(*in);
  SmallVector<int64_t, 2> kernel = {inType.getDimSize(1),
                                    inType.getDimSize(2)};
  auto type = RankedTensorType::get({inType.getDimSize(0), 1, 1,
                                     inType.getDimSize(3)},
                                    inType.getElementType());
  auto &b = im.builder;
  SmallVector<int64_t, 2> ones = {1, 1};
  SmallVector<int64_t, 4> zeros = {0, 0, 0, 0};
  Value out;
  if (isMax)
    out = MaxPool2DOp::create(b, im.loc, type, *in,
                              b.getDenseI64ArrayAttr(kernel),
                              b.getDenseI64ArrayAttr(ones),
                              b.getDenseI64ArrayAttr(ones),
                              b.getDenseI64ArrayAttr(zeros),
                              b.getBoolAttr(false));
  else
    out = AvgPool2DOp::create(b, im.loc, type, *in,
                              b.getDenseI64ArrayAttr(kernel),
                              b.getDenseI64ArrayAttr(ones),
                              b.getDenseI64ArrayAttr(zeros),
                              b.getBoolAttr(false), b.getBoolAttr(false));
  defineWindowOutput(im, out, x->rank(), x->onnxType);
  return success();
}

LogicalResult convertGlobalAveragePool(Importer &im) {
  return convertGlobalPool(im, false);
}
LogicalResult convertGlobalMaxPool(Importer &im) {
  return convertGlobalPool(im, true);
}

} // namespace

Converter onnx_import::findConvPoolConverter(StringRef opType) {
  return llvm::StringSwitch<Converter>(opType)
      .Case("Conv", convertConv)
      .Case("QLinearConv", convertQLinearConv)
      .Case("ConvInteger", convertConvInteger)
      .Case("MaxPool", convertMaxPool)
      .Case("AveragePool", convertAveragePool)
      .Case("GlobalAveragePool", convertGlobalAveragePool)
      .Case("GlobalMaxPool", convertGlobalMaxPool)
      .Default(nullptr);
}
