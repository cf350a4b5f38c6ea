// Weight-scale search by output error on the teacher's layer inputs. One
// 4-bit channel with an outlier (1.0) among small weights; the max-based
// scale is 1/7 = 0.1428571.
// RUN: rm -rf %t && mkdir -p %t && %PYTHON %S/Inputs/refine.py spread %t && %PYTHON %S/Inputs/refine.py first %t
// Inputs spread over every element: clipping the outlier a little lowers
// the rounding error of the others by more than it costs.
// RUN: mote-opt %s --mote-quantize="precision=w4a8 data=%t/spread.npy weight-search=true adaround=false bias-correction=false" 2>%t/spread.log | FileCheck %s --check-prefix=SPREAD
// RUN: FileCheck %s --check-prefix=REPORT < %t/spread.log
// Only the outlier's input is ever non-zero: clipping it is pure error, the
// search keeps the max-based scale.
// RUN: mote-opt %s --mote-quantize="precision=w4a8 data=%t/first.npy weight-search=true adaround=false bias-correction=false" 2>/dev/null | FileCheck %s --check-prefix=FIRST
// Per-tensor weights search one shared scale the same way.
// RUN: mote-opt %s --mote-quantize="precision=w4a8 per-channel=false data=%t/spread.npy weight-search=true adaround=false bias-correction=false" 2>/dev/null | FileCheck %s --check-prefix=TENSOR
// The rounding refinement and a narrower search run too.
// RUN: mote-opt %s --mote-quantize="precision=w4a8 data=%t/spread.npy weight-search=true adaround=true bias-correction=false search-lowest=0.9 search-steps=5 search-vectors=64" 2>&1 >/dev/null | FileCheck %s --check-prefix=ADAROUND
// A layer over the refinement cost cap keeps the max-based scale (as FIRST)
// and says so.
// RUN: mote-opt %s --mote-quantize="precision=w4a8 data=%t/spread.npy weight-search=true adaround=false bias-correction=false refine-max-gops=0" 2>%t/capped.log | FileCheck %s --check-prefix=FIRST
// RUN: FileCheck %s --check-prefix=CAPPED < %t/capped.log

// CAPPED: refine: weight-search on 1 layers: {{.*}}; 1 layers over refine-max-gops got bias correction only
// SPREAD: tensor<1x8xi4> -> tensor<1x8x!quant.uniform<i4<-7:7>:f32:0, {0.1392857{{[0-9]*}}}>>
// REPORT: refine: weight-search on 1 layers: relative output error 1.205e-02 -> 1.102e-02
// FIRST: tensor<1x8xi4> -> tensor<1x8x!quant.uniform<i4<-7:7>:f32:0, {0.1428570999{{[0-9]*}}}>>
// TENSOR: tensor<1x8xi4> -> tensor<1x8x!quant.uniform<i4<-7:7>:f32, 0.1392857{{[0-9]*}}>>
// ADAROUND: refine: weight-search, adaround on 1 layers: relative output error {{.*}} rounding flips

func.func @main(%x: tensor<1x8xf32> {mote.calib = array<f64: -1.0, 1.0>}) -> tensor<1x1xf32> {
  %w = mote.constant dense<[[1.0, 0.1, 0.12, -0.09, 0.11, 0.13, -0.1, 0.08]]> : tensor<1x8xf32> -> tensor<1x8xf32>
  %y = mote.fully_connected %x, %w {mote.calib = array<f64: -2.0, 2.0>} : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x1xf32>
  return %y : tensor<1x1xf32>
}
