//===- OnnxConvTranspose.cpp - ConvTranspose as zero insertion + conv ------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// ONNX ConvTranspose is imported as ops Mote already has, exactly:
//
//   1. zero insertion: the NHWC input [N, H, W, C] is reshaped to
//      [N, H, 1, W, 1, C], padded with s − 1 zeros after every element
//      along the two unit dimensions (mote.pad) and reshaped to
//      [N, H·sh, W·sw, C] (each element followed by s − 1 zeros);
//   2. a stride-1 mote.conv2d with the flipped, channel-swapped kernel and
//      padding d·(k − 1) − pad_begin before and d·(k − 1) − pad_end +
//      output_padding − (s − 1) after (the s − 1 trailing zeros of step 1
//      already count as padding).
//
// A padding that comes out negative is a crop, which conv2d cannot express
// with its padding; it is expressed with the kernel instead: the dilated
// kernel is materialised with explicit zero taps, and c extra zero taps in
// front (behind) shift the window by c (shrink the output by c), which
// drops the first (last) c outputs. Every extra tap multiplies by an exact
// zero, so the result is the transposed convolution's, and a quantized
// model gets a per-channel quantized conv2d and a pad that pads with the
// zero point — it runs on the NPU like any convolution, at the price of
// multiplying the inserted zeros (s_h·s_w times the MACs of a direct
// transposed convolution). docs/ONNX.md records the decision.
//
//===----------------------------------------------------------------------===//

#include "OnnxImporterImpl.h"

#include "Mote/MoteTypeUtils.h"

using namespace mlir;
using namespace mote;
using namespace mote::onnx_import;

namespace {

/// Floor division (ONNX's pad split of a negative total padding follows
/// Python's //).
int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/// One spatial dimension of the lowering.
struct Dim {
  int64_t in = 0, kernel = 0, stride = 1, dilation = 1;
  int64_t padBegin = 0, padEnd = 0, outputPadding = 0;
  // Derived: taps of the materialised kernel and the conv's padding.
  int64_t lead = 0, taps = 0, convLo = 0, convHi = 0, out = 0;

  void derive() {
    int64_t eff = dilation * (kernel - 1) + 1;
    int64_t lo = eff - 1 - padBegin;
    int64_t hi = eff - 1 - padEnd + outputPadding - (stride - 1);
    lead = lo < 0 ? -lo : 0;
    taps = lead + eff + (hi < 0 ? -hi : 0);
    convLo = std::max<int64_t>(lo, 0);
    convHi = std::max<int64_t>(hi, 0);
    out = in * stride + convLo + convHi - taps + 1;
  }
};

} // namespace

LogicalResult onnx_import::convertConvTranspose(Importer &im) {
  OnnxValue *x = im.input(0);
  OnnxValue *w = x ? im.input(1) : nullptr;
  if (!w)
    return failure();
  if (x->onnxType != onnx::TensorProto::FLOAT)
    return im.fail() << "input has type " << onnxTypeName(x->onnxType)
                     << "; ConvTranspose is supported on float tensors only";
  if (x->rank() != 3 && x->rank() != 4)
    return im.fail() << "input has rank " << x->rank()
                     << "; only 1-D and 2-D transposed convolutions (rank-3 "
                        "or rank-4 inputs) are supported";
  const HostTensor *wt = im.constInput(1);
  if (!wt || !isFloatDType(wt->dtype))
    return im.fail() << "the weight must be a float constant — Mote flips "
                        "and re-lays out the kernel at import";
  if (w->rank() != x->rank())
    return im.fail() << "weight rank " << w->rank()
                     << " does not match input rank " << x->rank();
  int64_t group = im.attrInt("group", 1);
  int64_t cin = x->shape[1];
  if (group <= 0 || cin % group != 0 || w->shape[0] != cin)
    return im.fail() << "weight shape " << formatShape(w->shape)
                     << " does not fit " << cin << " input channels in "
                     << group << " groups (expected [C_in, C_out / group, "
                        "k...])";
  int64_t coutGroup = w->shape[1], cout = coutGroup * group;
  int64_t cinGroup = cin / group;
  size_t n = x->rank() - 2;

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
  auto dilations = list("dilations", n, 1);
  auto pads = list("pads", 2 * n, 0);
  auto outPad = list("output_padding", n, 0);
  auto kernelAttr = im.attrInts("kernel_shape");
  if (!strides || !dilations || !pads || !outPad)
    return im.fail() << "strides/dilations/pads/output_padding have the "
                        "wrong length for "
                     << n << " spatial dimensions";
  if (kernelAttr && !std::equal(kernelAttr->begin(), kernelAttr->end(),
                                w->shape.begin() + 2, w->shape.end()))
    return im.fail() << "kernel_shape does not match the weight's shape "
                     << formatShape(w->shape);
  std::string autoPad = im.attrString("auto_pad", "NOTSET");
  if (autoPad != "NOTSET" && autoPad != "VALID" && autoPad != "SAME_UPPER" &&
      autoPad != "SAME_LOWER")
    return im.fail() << "auto_pad '" << autoPad
                     << "' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID";
  auto outputShape = im.attrInts("output_shape");
  if (outputShape && outputShape->size() != n)
    return im.fail() << "output_shape must list " << n
                     << " spatial sizes (the form with batch and channel is "
                        "not supported)";

  std::vector<Dim> dims(n);
  for (size_t i = 0; i < n; ++i) {
    Dim &d = dims[i];
    d.in = x->shape[2 + i];
    d.kernel = w->shape[2 + i];
    d.stride = (*strides)[i];
    d.dilation = (*dilations)[i];
    d.outputPadding = (*outPad)[i];
    if (d.stride <= 0 || d.dilation <= 0 || d.kernel <= 0)
      return im.fail() << "kernel, strides and dilations must be positive";
    if (d.outputPadding < 0 || d.outputPadding >= std::max(d.stride, d.dilation))
      return im.fail() << "output_padding " << d.outputPadding
                       << " must be in [0, max(stride, dilation))";
    int64_t eff = d.dilation * (d.kernel - 1) + 1;
    if (outputShape || autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      int64_t target = outputShape ? (*outputShape)[i] : d.in * d.stride;
      int64_t total = d.stride * (d.in - 1) + d.outputPadding + eff - target;
      if (autoPad == "SAME_UPPER") {
        d.padBegin = floorDiv(total, 2);
        d.padEnd = total - d.padBegin;
      } else {
        d.padEnd = floorDiv(total, 2);
        d.padBegin = total - d.padEnd;
      }
    } else if (autoPad == "NOTSET") {
      d.padBegin = (*pads)[i];
      d.padEnd = (*pads)[i + n];
      if (d.padBegin < 0 || d.padEnd < 0)
        return im.fail() << "negative pads are not supported";
    }
    d.derive();
    if (d.out <= 0 || d.taps > (int64_t(1) << 14))
      return im.fail() << "the transposed window (kernel " << d.kernel
                       << ", stride " << d.stride << ", pads " << d.padBegin
                       << "/" << d.padEnd << ") gives no output for input size "
                       << d.in;
  }
  if (n == 1) // Lift to 2-D with H = 1.
    dims.insert(dims.begin(), Dim{1, 1, 1, 1, 0, 0, 0});
  dims[0].derive();

  // The conv filter, OHWI: F[g·Cog + o, i, j, c] = W[g·Cig + c, o, kh, kw]
  // at the flipped, dilated tap positions (i, j).
  const Dim &dh = dims[0], &dw = dims[1];
  if (cout * dh.taps * dw.taps * cinGroup > (int64_t(1) << 28))
    return im.fail() << "the materialised kernel would hold more than 2^28 "
                        "weights";
  int64_t kh = w->rank() == 4 ? w->shape[2] : 1;
  int64_t kw = w->shape.back();
  std::vector<double> weights = tensorDoubles(*wt);
  std::vector<double> filter(cout * dh.taps * dw.taps * cinGroup, 0.0);
  for (int64_t g = 0; g < group; ++g)
    for (int64_t o = 0; o < coutGroup; ++o)
      for (int64_t c = 0; c < cinGroup; ++c)
        for (int64_t a = 0; a < kh; ++a)
          for (int64_t b = 0; b < kw; ++b) {
            int64_t i = dh.lead + (kh - 1 - a) * dh.dilation;
            int64_t j = dw.lead + (kw - 1 - b) * dw.dilation;
            int64_t src = (((g * cinGroup + c) * coutGroup + o) * kh + a) * kw + b;
            int64_t dst =
                (((g * coutGroup + o) * dh.taps + i) * dw.taps + j) * cinGroup + c;
            filter[dst] = weights[src];
          }
  HostTensor filterT = tensorFromDoubles(
      DType::F32, {cout, dh.taps, dw.taps, cinGroup}, filter);
  filterT.name = wt->name;
  Value filterV = im.materializeFloat(filterT, wt->name);

  Value bias;
  if (im.hasInput(2)) {
    OnnxValue *b = im.input(2);
    if (!b)
      return failure();
    if (b->rank() != 1 || b->shape[0] != cout)
      return im.fail() << "bias must have shape [" << cout << "], got "
                       << formatShape(b->shape);
    FailureOr<Value> bv = im.toOnnx(*b);
    if (failed(bv))
      return failure();
    bias = *bv;
  }

  // NHWC input, 1-D lifted to [N, 1, L, C].
  Value in;
  if (x->rank() == 4) {
    FailureOr<Value> v = im.toNhwc(*x);
    if (failed(v))
      return failure();
    in = *v;
  } else {
    FailureOr<Value> v = im.toOnnx(*x);
    if (failed(v))
      return failure();
    in = im.transpose(im.reshape(*v, {x->shape[0], cin, 1, x->shape[2]}),
                      kToNhwc);
  }
  int64_t batch = x->shape[0];
  auto inType = cast<RankedTensorType>(in.getType());
  int64_t h = inType.getDimSize(1), wd = inType.getDimSize(2);
  auto &b = im.builder;
  if (dh.stride > 1 || dw.stride > 1) {
    Value six = im.reshape(in, {batch, h, 1, wd, 1, cin});
    SmallVector<int64_t> padList = {0, 0, 0, 0, 0, dh.stride - 1,
                                    0, 0, 0, dw.stride - 1, 0, 0};
    auto paddedType = RankedTensorType::get(
        {batch, h, dh.stride, wd, dw.stride, cin}, inType.getElementType());
    Value padded = PadOp::create(b, im.loc, paddedType, six,
                                 b.getDenseI64ArrayAttr(padList),
                                 b.getF32FloatAttr(0.0f));
    in = im.reshape(padded, {batch, h * dh.stride, wd * dw.stride, cin});
  }
  auto outType =
      RankedTensorType::get({batch, dh.out, dw.out, cout}, b.getF32Type());
  Value out = Conv2DOp::create(
      b, im.loc, outType, in, filterV, bias, b.getDenseI64ArrayAttr({1, 1}),
      b.getDenseI64ArrayAttr({1, 1}),
      b.getDenseI64ArrayAttr({dh.convLo, dh.convHi, dw.convLo, dw.convHi}),
      b.getI64IntegerAttr(group));
  if (x->rank() == 4) {
    im.defineValue(0, out, {batch, cout, dh.out, dw.out}, /*nhwc=*/true);
    return success();
  }
  std::vector<int64_t> shape3 = {batch, cout, dw.out};
  im.defineValue(0, im.reshape(im.transpose(out, kToNchw), shape3), shape3,
                 /*nhwc=*/false);
  return success();
}
