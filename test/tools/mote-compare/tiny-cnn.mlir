// mote-compare on the example network: float (batch norm folded) vs its
// int8 version, 16 samples in one batched input, layers paired by order
// (the printed IR has no locations) and by location (printed with debug
// info), table rows, JSON keys, and the output SQNR recomputed with numpy
// from mote-run's outputs.

// RUN: rm -rf %t && mkdir -p %t && %PYTHON %S/Inputs/compare_data.py gen %t
// RUN: mote-opt %mote_src/examples/tiny_cnn.mlir --mote-fold-batchnorm -o %t/float.mlir
// RUN: mote-opt %t/float.mlir --mote-calibrate="data=%t/calib.npy method=minmax" --mote-quantize -o %t/int8.mlir 2>/dev/null
// RUN: mote-compare %t/float.mlir %t/int8.mlir --input %t/x.npy --labels %t/labels.npy --json %t/report.json --threads 2 | FileCheck %s
// RUN: FileCheck %s --check-prefix=JSON < %t/report.json
// RUN: mote-run %t/float.mlir --input %t/x.npy --output-dir %t/float
// RUN: mote-run %t/int8.mlir --input %t/x.npy --output-dir %t/int8
// RUN: %PYTHON %S/Inputs/compare_data.py sqnr %t/report.json %t/float/output_0.npy %t/int8/output_0.npy | FileCheck %s --check-prefix=NUMPY

// The same with locations kept: both files carry tiny_cnn.mlir's locations.
// RUN: mote-opt %mote_src/examples/tiny_cnn.mlir --mote-fold-batchnorm --mlir-print-debuginfo -o %t/float-loc.mlir
// RUN: mote-opt %t/float-loc.mlir --mote-calibrate="data=%t/calib.npy method=minmax" --mote-quantize --mlir-print-debuginfo -o %t/int8-loc.mlir 2>/dev/null
// RUN: mote-compare %t/float-loc.mlir %t/int8-loc.mlir --input input_0=%t/x.npy --samples 4 --json %t/loc.json | FileCheck %s --check-prefix=LOC
// RUN: FileCheck %s --check-prefix=LOCJSON < %t/loc.json

// CHECK: mote-compare: {{.*}}float.mlir vs {{.*}}int8.mlir, 16 samples
// CHECK: layer            kind  quantized type  cosine   SQNR dB  max abs err  mean abs err
// CHECK-NEXT: conv2d#0 conv2d+clamp 1x8x8x2 u8 {{0\.99[0-9]+}} {{[0-9.]+}}
// CHECK-NEXT: conv2d#1 conv2d 1x8x8x2 {{[iu]}}8 {{0\.99[0-9]+}}
// CHECK-NEXT: add#0 add 1x8x8x2
// CHECK-NEXT: avg_pool2d#0 avg_pool2d 1x1x1x2
// CHECK-NEXT: reshape#0 reshape 1x2
// CHECK-NEXT: fully_connected#0 fully_connected 1x4 {{[iu]}}8
// CHECK: output kind quantized type
// CHECK-NEXT: output_0 output 1x4 f32 {{0\.99[0-9]+}}
// CHECK: summary: 6 layers compared; worst SQNR {{[0-9.]+}} dB at
// CHECK: top-1 agreement: {{[0-9.]+}} % (16 predictions); accuracy: float {{[0-9.]+}} %, quantized {{[0-9.]+}} %
// CHECK-NOT: not compared

// JSON: "float_model":
// JSON: "layers": [
// JSON: "cosine":
// JSON: "elements": 2048,
// JSON: "float_type": "tensor<1x8x8x2xf32>",
// JSON: "index": 0,
// JSON: "kind": "conv2d+clamp",
// JSON: "matched_by": "order",
// JSON: "max_abs_err":
// JSON: "mean_abs_err":
// JSON: "name": "conv2d#0",
// JSON: "quant_type": "tensor<1x8x8x2x!quant.uniform<u8:f32
// JSON: "sqnr_db":
// JSON: "outputs": [
// JSON: "name": "output_0",
// JSON: "samples": 16,
// JSON: "top1": {
// JSON: "agreement":
// JSON: "float_accuracy":
// JSON: "predictions": 16,
// JSON: "quant_accuracy":
// JSON: "unmatched": {
// JSON: "worst_layer": {

// NUMPY: SQNR OK

// LOC: 4 samples
// LOC: conv2d+clamp
// LOC: summary: 6 layers compared
// LOC-NOT: top-1 agreement: {{.*}}accuracy
// LOCJSON: "matched_by": "location",
// LOCJSON-NOT: "matched_by": "order"
