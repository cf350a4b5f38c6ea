// Every user error is one clear message and exit code 1.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON -c "import numpy as np; np.save('%t/x.npy', np.ones((3, 4), np.float32)); np.save('%t/bad.npy', np.ones((3, 5), np.float32)); np.save('%t/labels.npy', np.zeros(2, np.int64)); np.save('%t/flabels.npy', np.zeros(3, np.float32))"

// RUN: not mote-compare %t/missing.mlir %s --input %t/x.npy 2>&1 | FileCheck %s --check-prefix=NOFILE
// NOFILE: mote-compare: error: {{.*}}missing.mlir: {{.*}}

// RUN: not mote-compare %s %S/Inputs/wide.mlir --input %t/x.npy 2>&1 | FileCheck %s --check-prefix=ARGS
// ARGS: mote-compare: error: argument 'x' has shape 1x4 in {{.*}}errors.mlir but 1x5 in {{.*}}wide.mlir

// RUN: not mote-compare %s %S/Inputs/renamed.mlir --input %t/x.npy 2>&1 | FileCheck %s --check-prefix=RENAMED
// RENAMED: mote-compare: error: argument #0 is 'x' in {{.*}}errors.mlir but 'y' in {{.*}}renamed.mlir

// RUN: not mote-compare %s %s --input %t/bad.npy 2>&1 | FileCheck %s --check-prefix=SHAPE
// SHAPE: mote-compare: error: input 'x' (argument #0): expected shape 1x4 or a batch [k·1, ...] of it, got 3x5

// RUN: not mote-compare %s %s 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: mote-compare: error: missing input 'x' (argument #0); pass it with --input x=FILE.npy

// RUN: not mote-compare %s %s --input y=%t/x.npy 2>&1 | FileCheck %s --check-prefix=NAME
// NAME: mote-compare: error: {{.*}}x.npy: no input named 'y' (the models take: x)

// RUN: not mote-compare %s %s --input %t/x.npy --labels %t/labels.npy 2>&1 | FileCheck %s --check-prefix=LABELS
// LABELS: mote-compare: error: {{.*}}labels.npy: holds 2 labels, but the inputs hold 3 predictions (3 samples × 1)

// RUN: not mote-compare %s %s --input %t/x.npy --labels %t/flabels.npy 2>&1 | FileCheck %s --check-prefix=FLABELS
// FLABELS: mote-compare: error: {{.*}}flabels.npy: labels must be integers, got float32

// RUN: not mote-compare %s %s --entry nope --input %t/x.npy 2>&1 | FileCheck %s --check-prefix=ENTRY
// ENTRY: mote-compare: error: no function '@nope' in {{.*}}errors.mlir

// The same model on both sides compares exactly (SQNR inf, JSON null).
// RUN: mote-compare %s %s --input %t/x.npy --json %t/same.json | FileCheck %s --check-prefix=SAME
// RUN: FileCheck %s --check-prefix=SAMEJSON < %t/same.json
// SAME: clamp#0 clamp 1x4 f32 1.000000 inf 0 0
// SAME: top-1 agreement: 100.00 % (3 predictions)
// SAMEJSON: "sqnr_db": null

func.func @main(%x: tensor<1x4xf32> {mote.name = "x"}) -> tensor<1x4xf32> {
  %r = mote.clamp %x {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x4xf32>
  return %r : tensor<1x4xf32>
}
