// Every user error is one clear message and exit code 1.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON -c "import numpy as np; np.save('%t/x.npy', np.ones((1, 4), np.float32)); np.save('%t/bad_shape.npy', np.ones((4,), np.float32)); np.save('%t/int.npy', np.ones((1, 4), np.int32)); np.save('%t/c64.npy', np.ones((1, 4), np.complex64)); np.save('%t/big.npy', np.ones((1, 4), '>f4')); np.save('%t/q.npy', np.full((1, 4), 300, np.int16))"

// RUN: not mote-run %s --input %t/bad_shape.npy 2>&1 | FileCheck %s --check-prefix=SHAPE
// SHAPE: mote-run: error: input 'x' (argument #0): expected shape 1x4 or a batch [k·1, ...] of it, got 4

// RUN: not mote-run %s 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: mote-run: error: missing input 'x' (argument #0); pass it with --input x=FILE.npy

// RUN: not mote-run %s --input %t/int.npy 2>&1 | FileCheck %s --check-prefix=DTYPE
// DTYPE: error: {{.*}}input 'x' (argument #0): expects float data (float32 or float64), got int32

// RUN: not mote-run %s --input %t/c64.npy 2>&1 | FileCheck %s --check-prefix=COMPLEX
// COMPLEX: error: {{.*}}c64.npy: unsupported dtype '<c8'

// RUN: not mote-run %s --input %t/big.npy 2>&1 | FileCheck %s --check-prefix=BIG
// BIG: error: {{.*}}big.npy: big-endian dtype '>f4' is not supported

// RUN: not mote-run %s --input %t/nonexistent.npy 2>&1 | FileCheck %s --check-prefix=NOFILE
// NOFILE: error: {{.*}}nonexistent.npy: cannot read:

// RUN: not mote-run %s --input y=%t/x.npy 2>&1 | FileCheck %s --check-prefix=NAME
// NAME: error: {{.*}}x.npy: no input named 'y' (function '@main' takes: x)

// RUN: not mote-run %s --input %t/x.npy --input %t/x.npy 2>&1 | FileCheck %s --check-prefix=TOOMANY
// TOOMANY: error: too many inputs: function '@main' takes 1

// RUN: not mote-run %s --entry quant --input %t/q.npy 2>&1 | FileCheck %s --check-prefix=RANGE
// RANGE: error: {{.*}}input 'input_0' (argument #0): element 0 = 300 is outside the storage range [-128, 127]

// RUN: not mote-run %s --entry nope --input %t/x.npy 2>&1 | FileCheck %s --check-prefix=ENTRY
// ENTRY: error: no function '@nope' in

// RUN: not mote-run %s --entry unsupported 2>&1 | FileCheck %s --check-prefix=NOTSUP
// NOTSUP: error: {{.*}}'arith.constant' at loc(
// NOTSUP-SAME: errors.mlir
// NOTSUP-SAME: unsupported op

// RUN: mote-run %s --input x=%t/x.npy --output-dir %t/out | FileCheck %s --check-prefix=OK
// OK: y: shape 1x4 float32 min 1 max 1 mean 1
// RUN: %PYTHON -c "import numpy as np; a = np.load('%t/out/y.npy'); assert a.dtype == np.float32 and (a == 1).all()"

func.func @main(%x: tensor<1x4xf32> {mote.name = "x"}) -> (tensor<1x4xf32> {mote.name = "y"}) {
  %y = mote.clamp %x {min = -1.0 : f32, max = 1.0 : f32} : tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

func.func @quant(%x: tensor<1x4x!quant.uniform<i8:f32, 1.0>>) -> tensor<1x4x!quant.uniform<i8:f32, 1.0>> {
  return %x : tensor<1x4x!quant.uniform<i8:f32, 1.0>>
}

func.func @unsupported() -> tensor<2xf32> {
  %c = arith.constant dense<1.0> : tensor<2xf32>
  return %c : tensor<2xf32>
}
