//===- OnnxShapeOps.cpp - Slice, Split, Resize and Upsample -----------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Data-movement operators that select or resample elements. Constant data
// is sliced on the host (shape arithmetic); run-time tensors become
// mote.slice / mote.resize in the layout their input already has: an NHWC
// activation stays NHWC and the ONNX axes, starts, steps and scales are
// permuted to it, so a conv → Slice/Resize → conv chain needs no transposes.
// Each operator reads its parameters the way its schema version defines
// them (docs/ONNX.md, "Opsets").
//
//===----------------------------------------------------------------------===//

#include "OnnxImporterImpl.h"

#include "Mote/MoteTypeUtils.h"

#include "llvm/ADT/StringSwitch.h"

#include <cmath>

using namespace mlir;
using namespace mote;
using namespace mote::onnx_import;

//===----------------------------------------------------------------------===//
// Slice boxes
//===----------------------------------------------------------------------===//

FailureOr<SliceBox> onnx_import::readSlice(Importer &im,
                                           ArrayRef<int64_t> shape) {
  int64_t rank = shape.size();
  std::vector<int64_t> starts, ends, axes, steps;
  if (im.opset < 10) {
    // Slice-1: starts, ends and axes are attributes; no steps.
    if (im.hasInput(1)) {
      im.fail() << "has a starts input, but before opset 10 Slice takes "
                   "`starts`/`ends` as attributes — the model is malformed";
      return failure();
    }
    auto s = im.attrInts("starts"), e = im.attrInts("ends");
    if (!s || !e) {
      im.fail() << "needs the `starts` and `ends` attributes (Slice-1)";
      return failure();
    }
    starts = *s;
    ends = *e;
    axes = im.attrInts("axes").value_or(std::vector<int64_t>());
  } else {
    // Slice-10 and newer: starts, ends, axes, steps are inputs 1-4.
    static const char *names[] = {"", "starts", "ends", "axes", "steps"};
    std::vector<int64_t> *lists[] = {nullptr, &starts, &ends, &axes, &steps};
    for (int i = 1; i <= 4; ++i) {
      if (!im.hasInput(i)) {
        if (i <= 2) {
          im.fail() << names[i] << " (input #" << i << ") is missing";
          return failure();
        }
        continue;
      }
      const HostTensor *t = im.constInput(i);
      if (!t || isFloatDType(t->dtype) || t->shape.size() > 1) {
        im.fail() << names[i] << " (input #" << i
                  << ") must be a constant 1-D integer tensor — Mote needs "
                     "static shapes";
        return failure();
      }
      *lists[i] = tensorInts(*t);
    }
  }
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(i);
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size()) {
    im.fail() << "starts, ends, axes and steps differ in length";
    return failure();
  }
  SliceBox box;
  box.begin.assign(rank, 0);
  box.step.assign(rank, 1);
  box.size.assign(shape.begin(), shape.end());
  std::vector<bool> seen(rank, false);
  for (size_t i = 0; i < starts.size(); ++i) {
    int64_t a = axes[i] < 0 ? axes[i] + rank : axes[i];
    if (a < 0 || a >= rank || seen[a]) {
      im.fail() << "axis " << axes[i] << " is out of range for rank " << rank
                << " or repeated";
      return failure();
    }
    seen[a] = true;
    if (steps[i] == 0) {
      im.fail() << "step of axis " << axes[i] << " is zero";
      return failure();
    }
    // ONNX clamps starts and ends into the dimension (INT64_MAX means "to
    // the end"); negative values count from the end.
    int64_t d = shape[a], s = starts[i], e = ends[i], st = steps[i];
    if (s < 0)
      s += d;
    if (e < 0)
      e += d;
    if (st > 0) {
      s = std::clamp<int64_t>(s, 0, d);
      e = std::clamp<int64_t>(e, 0, d);
      box.size[a] = e > s ? (e - s - 1) / st + 1 : 0;
    } else {
      s = std::clamp<int64_t>(s, 0, d - 1);
      e = std::clamp<int64_t>(e, -1, d - 1);
      box.size[a] = s > e ? (s - e - 1) / -st + 1 : 0;
    }
    box.begin[a] = s;
    box.step[a] = st;
  }
  return box;
}

HostTensor onnx_import::sliceHost(const HostTensor &data,
                                  const SliceBox &box) {
  int64_t rank = data.shape.size();
  HostTensor out = HostTensor::zeros(data.dtype, box.size);
  size_t es = dtypeSize(data.dtype);
  std::vector<int64_t> strides(rank, 1);
  for (int64_t i = rank - 1; i > 0; --i)
    strides[i - 1] = strides[i] * data.shape[i];
  std::vector<int64_t> idx(rank, 0);
  for (int64_t o = 0, n = out.numElements(); o < n; ++o) {
    int64_t src = 0;
    for (int64_t i = 0; i < rank; ++i)
      src += (box.begin[i] + idx[i] * box.step[i]) * strides[i];
    std::memcpy(out.data.data() + o * es, data.data.data() + src * es, es);
    for (int64_t i = rank - 1; i >= 0; --i) {
      if (++idx[i] < box.size[i])
        break;
      idx[i] = 0;
    }
  }
  out.name = data.name;
  return out;
}

namespace {

RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// The run-time tensor `x` must be float or quantized (not a bare integer).
LogicalResult requireData(Importer &im, OnnxValue &x) {
  if (x.value && isa<IntegerType>(tensorType(x.value).getElementType()))
    return im.fail() << "input is an integer tensor ("
                     << onnxTypeName(x.onnxType)
                     << ") without quantization parameters; Mote computes "
                        "on float or quantized tensors";
  if (!x.value && x.constant && !isFloatDType(x.constant->dtype))
    return im.fail() << "input is an integer constant used as data";
  return success();
}

/// The value of `x` to resample in place: its NHWC form if it is an NHWC
/// activation (`nhwc` set), else its ONNX form.
FailureOr<Value> operandInItsLayout(Importer &im, OnnxValue &x, bool &nhwc) {
  nhwc = x.value && x.nhwc && x.rank() == 4;
  if (nhwc)
    return x.value;
  return im.toOnnx(x);
}

/// mote.slice of a run-time tensor; output `output` of the node.
LogicalResult emitSlice(Importer &im, OnnxValue &x, const SliceBox &box,
                        int output) {
  for (size_t d = 0; d < box.size.size(); ++d)
    if (box.size[d] == 0)
      return im.fail() << "output #" << output << " would be empty (shape "
                       << formatShape(box.size)
                       << "); Mote has no zero-sized tensors";
  bool nhwc;
  FailureOr<Value> in = operandInItsLayout(im, x, nhwc);
  if (failed(in))
    return failure();
  SmallVector<int64_t> begin(box.begin.begin(), box.begin.end());
  SmallVector<int64_t> step(box.step.begin(), box.step.end());
  std::vector<int64_t> size = box.size;
  if (nhwc) {
    std::vector<int64_t> b = permuteShape(box.begin, kToNhwc);
    std::vector<int64_t> s = permuteShape(box.step, kToNhwc);
    begin.assign(b.begin(), b.end());
    step.assign(s.begin(), s.end());
    size = permuteShape(box.size, kToNhwc);
  }
  auto type = tensorType(*in).clone(size);
  Value out = SliceOp::create(im.builder, im.loc, type, *in,
                              im.builder.getDenseI64ArrayAttr(begin),
                              im.builder.getDenseI64ArrayAttr(step));
  im.defineValue(output, out, box.size, nhwc, x.onnxType);
  return success();
}

LogicalResult convertSlice(Importer &im) {
  OnnxValue *x = im.input(0);
  if (!x || (x->value && failed(requireData(im, *x))))
    return failure();
  FailureOr<SliceBox> box = readSlice(im, x->shape);
  if (failed(box))
    return failure();
  if (x->constant && !x->value) {
    HostTensor t = sliceHost(*x->constant, *box);
    im.defineConstant(0, std::move(t));
    im.values[im.node->output(0)].onnxType = x->onnxType;
    return success();
  }
  return emitSlice(im, *x, *box, 0);
}

LogicalResult convertSplit(Importer &im) {
  OnnxValue *x = im.input(0);
  if (!x)
    return failure();
  int64_t rank = x->rank();
  int64_t axis = im.attrInt("axis", 0);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank)
    return im.fail() << "axis " << im.attrInt("axis", 0)
                     << " is out of range for rank " << rank;
  // `split` is an attribute before opset 13 and input #1 from 13.
  std::vector<int64_t> sizes;
  if (im.opset < 13) {
    if (im.hasInput(1))
      return im.fail() << "has a split input, but before opset 13 Split "
                          "takes `split` as an attribute — the model is "
                          "malformed";
    sizes = im.attrInts("split").value_or(std::vector<int64_t>());
  } else if (im.hasInput(1)) {
    if (im.attr("split"))
      return im.fail() << "has a `split` attribute, but from opset 13 Split "
                          "takes it as input #1 — the model is malformed";
    const HostTensor *t = im.constInput(1);
    if (!t || isFloatDType(t->dtype) || t->shape.size() > 1)
      return im.fail() << "split (input #1) must be a constant 1-D integer "
                          "tensor";
    sizes = tensorInts(*t);
  }
  int outputs = im.node->output_size();
  if (outputs < 1)
    return im.fail() << "has no outputs";
  int64_t extent = x->shape[axis];
  if (sizes.empty()) {
    // No sizes: equal parts, one per output.
    if (extent % outputs != 0)
      return im.fail() << "dimension " << axis << " of size " << extent
                       << " does not split into " << outputs
                       << " equal parts — give the sizes with `split`";
    sizes.assign(outputs, extent / outputs);
  }
  if (static_cast<int>(sizes.size()) != outputs)
    return im.fail() << "split lists " << sizes.size() << " sizes for "
                     << outputs << " outputs";
  int64_t total = 0;
  for (int64_t s : sizes) {
    if (s < 0)
      return im.fail() << "split size " << s << " is negative";
    total += s;
  }
  if (total != extent)
    return im.fail() << "split sizes add up to " << total
                     << " but dimension " << axis << " has size " << extent;
  // Constants (shape tensors included) are split on the host; only a
  // run-time tensor must be float or quantized.
  if (x->value && failed(requireData(im, *x)))
    return failure();
  int64_t offset = 0;
  for (int i = 0; i < outputs; ++i) {
    SliceBox box;
    box.begin.assign(rank, 0);
    box.step.assign(rank, 1);
    box.size = x->shape;
    box.begin[axis] = offset;
    box.size[axis] = sizes[i];
    offset += sizes[i];
    if (im.node->output(i).empty())
      continue;
    if (x->constant && !x->value) {
      im.defineConstant(i, sliceHost(*x->constant, box));
      im.values[im.node->output(i)].onnxType = x->onnxType;
      continue;
    }
    if (failed(emitSlice(im, *x, box, i)))
      return failure();
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Resize and Upsample
//===----------------------------------------------------------------------===//

/// What a Resize/Upsample node asks for, in ONNX dimension order.
struct ResizeSpec {
  std::string mode = "nearest";
  std::string coordinateMode = "half_pixel";
  std::string nearestMode = "round_prefer_floor";
  std::vector<double> scales;
  std::vector<int64_t> outShape;
};

/// Scales as the model gives them (float32 values, kept exactly).
LogicalResult readScales(Importer &im, const HostTensor &t,
                         std::vector<double> &scales) {
  if (!isFloatDType(t.dtype))
    return im.fail() << "scales must be a float tensor";
  scales = tensorDoubles(t);
  return success();
}

/// The output shape and per-dimension scales from `scales` (output size
/// floor(in · scale), as ONNX's reference computes it) or `sizes`.
LogicalResult finishSpec(Importer &im, OnnxValue &x, ResizeSpec &spec,
                         const std::vector<int64_t> *sizes) {
  int64_t rank = x.rank();
  if (sizes) {
    if (static_cast<int64_t>(sizes->size()) != rank)
      return im.fail() << "sizes has " << sizes->size()
                       << " entries for an input of rank " << rank;
    spec.outShape = *sizes;
    spec.scales.clear();
    for (int64_t d = 0; d < rank; ++d)
      spec.scales.push_back(static_cast<double>((*sizes)[d]) /
                            static_cast<double>(x.shape[d]));
  } else {
    if (static_cast<int64_t>(spec.scales.size()) != rank)
      return im.fail() << "scales has " << spec.scales.size()
                       << " entries for an input of rank " << rank;
    spec.outShape.clear();
    for (int64_t d = 0; d < rank; ++d) {
      double s = spec.scales[d];
      if (!std::isfinite(s) || s <= 0 || s > 1e6)
        return im.fail() << "scale " << s << " of dimension " << d
                         << " is not a positive finite number";
      spec.outShape.push_back(
          static_cast<int64_t>(std::floor(s * static_cast<double>(x.shape[d]))));
    }
  }
  constexpr int64_t kMaxElements = int64_t(1) << 31;
  int64_t elements = 1;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t n = spec.outShape[d];
    if (n <= 0)
      return im.fail() << "output dimension " << d << " would be " << n
                       << " (input " << formatShape(x.shape)
                       << "); Mote has no zero-sized tensors";
    if (n > kMaxElements / elements)
      return im.fail() << "output shape " << formatShape(spec.outShape)
                       << " has more than 2^31 elements";
    elements *= n;
  }
  return success();
}

LogicalResult emitResize(Importer &im, OnnxValue &x, const ResizeSpec &spec) {
  if (failed(requireData(im, x)))
    return failure();
  if (x.onnxType != onnx::TensorProto::FLOAT &&
      x.onnxType != onnx::TensorProto::DOUBLE && spec.mode == "linear" &&
      !(x.value && isQuantizedTensor(x.value.getType())))
    return im.fail() << "linear resize needs a float or quantized input";
  bool nhwc;
  FailureOr<Value> in = operandInItsLayout(im, x, nhwc);
  if (failed(in))
    return failure();
  std::vector<int64_t> shape = spec.outShape;
  SmallVector<double> scales(spec.scales.begin(), spec.scales.end());
  if (nhwc) {
    shape = permuteShape(spec.outShape, kToNhwc);
    scales = {spec.scales[0], spec.scales[2], spec.scales[3], spec.scales[1]};
  }
  auto &b = im.builder;
  Value out = ResizeOp::create(
      b, im.loc, tensorType(*in).clone(shape), *in,
      b.getStringAttr(spec.mode), b.getStringAttr(spec.coordinateMode),
      b.getStringAttr(spec.nearestMode), b.getDenseF64ArrayAttr(scales));
  im.defineValue(0, out, spec.outShape, nhwc, x.onnxType);
  return success();
}

/// Modes are checked once, with the node's name in the message.
LogicalResult checkModes(Importer &im, const ResizeSpec &spec) {
  if (spec.mode != "nearest" && spec.mode != "linear")
    return im.fail() << "mode '" << spec.mode
                     << "' is not supported; Mote resizes with nearest and "
                        "linear — re-export the model with one of them";
  static const char *coords[] = {"half_pixel", "asymmetric", "align_corners",
                                 "pytorch_half_pixel", "tf_half_pixel_for_nn"};
  if (llvm::find(coords, spec.coordinateMode) == std::end(coords))
    return im.fail() << "coordinate_transformation_mode '"
                     << spec.coordinateMode
                     << "' is not supported (supported: half_pixel, "
                        "asymmetric, align_corners, pytorch_half_pixel, "
                        "tf_half_pixel_for_nn)";
  static const char *nearest[] = {"round_prefer_floor", "round_prefer_ceil",
                                  "floor", "ceil"};
  if (llvm::find(nearest, spec.nearestMode) == std::end(nearest))
    return im.fail() << "nearest_mode '" << spec.nearestMode
                     << "' is not one of round_prefer_floor, "
                        "round_prefer_ceil, floor, ceil";
  return success();
}

/// Upsample-7 (scales attribute) and Upsample-9 (scales input): asymmetric
/// coordinates, nearest rounds down (index = floor(x / scale)).
LogicalResult convertUpsample(Importer &im) {
  OnnxValue *x = im.input(0);
  if (!x)
    return failure();
  ResizeSpec spec;
  spec.mode = im.attrString("mode", "nearest");
  if (spec.mode == "bilinear")
    spec.mode = "linear";
  spec.coordinateMode = "asymmetric";
  spec.nearestMode = "floor";
  if (im.opset < 9) {
    const onnx::AttributeProto *a = im.attr("scales");
    if (!a)
      return im.fail() << "needs the `scales` attribute (Upsample-7)";
    spec.scales.assign(a->floats().begin(), a->floats().end());
  } else {
    const HostTensor *t = im.constInput(1);
    if (!t)
      return im.fail() << "scales (input #1) must be a constant — Mote "
                          "needs static shapes";
    if (failed(readScales(im, *t, spec.scales)))
      return failure();
  }
  if (failed(checkModes(im, spec)) || failed(finishSpec(im, *x, spec, nullptr)))
    return failure();
  return emitResize(im, *x, spec);
}

/// Resize-10 (X, scales; asymmetric), Resize-11 (X, roi, scales, sizes and
/// the coordinate/nearest modes) and Resize-13 (roi and scales optional).
LogicalResult convertResize(Importer &im) {
  OnnxValue *x = im.input(0);
  if (!x)
    return failure();
  ResizeSpec spec;
  spec.mode = im.attrString("mode", "nearest");
  const HostTensor *scales = nullptr, *sizes = nullptr;
  if (im.opset < 11) {
    // Resize-10: no coordinate modes; ONNX Runtime and the version
    // converter read it as asymmetric with nearest rounding down.
    spec.coordinateMode = "asymmetric";
    spec.nearestMode = "floor";
    scales = im.constInput(1);
    if (!scales)
      return im.fail() << "scales (input #1) must be a constant — Mote "
                          "needs static shapes";
  } else {
    spec.coordinateMode =
        im.attrString("coordinate_transformation_mode", "half_pixel");
    spec.nearestMode = im.attrString("nearest_mode", "round_prefer_floor");
    if (spec.coordinateMode == "tf_crop_and_resize")
      return im.fail() << "coordinate_transformation_mode "
                          "'tf_crop_and_resize' is not supported (it needs "
                          "roi and extrapolation); export the crop as a "
                          "Slice and a Resize";
    for (int i : {2, 3}) {
      if (!im.hasInput(i))
        continue;
      const HostTensor *t = im.constInput(i);
      if (!t)
        return im.fail() << (i == 2 ? "scales" : "sizes") << " (input #" << i
                         << ") must be a constant — Mote needs static shapes";
      if (t->numElements() > 0)
        (i == 2 ? scales : sizes) = t;
    }
    if (scales && sizes)
      return im.fail() << "has both scales and sizes; ONNX allows one";
    if (!scales && !sizes)
      return im.fail() << "needs scales or sizes";
  }
  if (failed(checkModes(im, spec)))
    return failure();
  std::vector<int64_t> sizeList;
  if (sizes) {
    if (isFloatDType(sizes->dtype))
      return im.fail() << "sizes must be an integer tensor";
    sizeList = tensorInts(*sizes);
  } else if (failed(readScales(im, *scales, spec.scales))) {
    return failure();
  }
  if (failed(finishSpec(im, *x, spec, sizes ? &sizeList : nullptr)))
    return failure();
  return emitResize(im, *x, spec);
}

} // namespace

Converter onnx_import::findShapeOpConverter(StringRef opType) {
  return llvm::StringSwitch<Converter>(opType)
      .Case("Slice", convertSlice)
      .Case("Split", convertSplit)
      .Case("Resize", convertResize)
      .Case("Upsample", convertUpsample)
      .Default(nullptr);
}
