// RUN: rm -rf %t && mkdir -p %t && %PYTHON %S/Inputs/calib_data.py %t
// RUN: not mote-opt %s --mote-calibrate="data=%t/bad.npy" 2>&1 | FileCheck %s
// CHECK: bad.npy: shape 3x5 is neither the argument's shape 1x4 nor a batch [N*1, ...] of it
func.func @main(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  return %x : tensor<1x4xf32>
}
