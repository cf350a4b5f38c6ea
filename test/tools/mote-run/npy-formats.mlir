// .npy header versions 1.0/2.0/3.0, float64 data for a float argument,
// stored and deflated .npz archives, raw storage for a quantized argument.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON -c "import numpy as np; from numpy.lib import format as F; a = np.arange(4, dtype=np.float32).reshape(1, 4); [F.write_array(open('%t/v%d.npy' % v, 'wb'), a, version=(v, 0)) for v in (1, 2, 3)]; np.save('%t/f64.npy', a.astype(np.float64)); np.savez('%t/s.npz', x=a, q=np.array([[-3, 0, 5, 127]], np.int8)); np.savez_compressed('%t/c.npz', x=a, q=np.array([[1, 2, 3, 4]], np.int8))"
// RUN: mote-run %s --input %t/v1.npy --input q=%t/s.npz | FileCheck %s --check-prefix=V1
// RUN: mote-run %s --input %t/v2.npy --input q=%t/s.npz | FileCheck %s --check-prefix=V1
// RUN: mote-run %s --input %t/v3.npy --input q=%t/s.npz | FileCheck %s --check-prefix=V1
// RUN: mote-run %s --input %t/f64.npy --input q=%t/s.npz | FileCheck %s --check-prefix=V1
// V1: y: shape 1x4 float32 min 0 max 3 mean 1.5
// V1: q_out: shape 1x4 int8 min -3 max 127 mean 32.25
// RUN: mote-run %s --input %t/s.npz --print-outputs | FileCheck %s --check-prefix=NPZ
// NPZ: q_out: shape 1x4 int8
// NPZ-NEXT: [-3, 0, 5, 127]
// RUN: mote-run %s --input %t/c.npz --print-outputs | FileCheck %s --check-prefix=DEFLATE
// DEFLATE: q_out: shape 1x4 int8
// DEFLATE-NEXT: [1, 2, 3, 4]

func.func @main(%x: tensor<1x4xf32> {mote.name = "x"}, %q: tensor<1x4x!quant.uniform<i8:f32, 0.5>> {mote.name = "q"}) -> (tensor<1x4xf32> {mote.name = "y"}, tensor<1x4x!quant.uniform<i8:f32, 0.5>> {mote.name = "q_out"}) {
  return %x, %q : tensor<1x4xf32>, tensor<1x4x!quant.uniform<i8:f32, 0.5>>
}
