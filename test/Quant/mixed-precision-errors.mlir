// Bad options and inputs of --mote-mixed-precision: one error naming the
// problem, exit code non-zero.
// RUN: rm -rf %t && mkdir -p %t && %PYTHON %S/Inputs/mixed_data.py %t
// RUN: mote-opt %S/Inputs/mixed-mlp.mlir --mote-calibrate=data=%t/x.npy -o %t/cal.mlir 2>/dev/null
// RUN: not mote-opt %t/cal.mlir --mote-mixed-precision 2>&1 | FileCheck %s --check-prefix=NODATA
// RUN: not mote-opt %t/cal.mlir --mote-mixed-precision="data=%t/x.npy objective=power" 2>&1 | FileCheck %s --check-prefix=OBJECTIVE
// RUN: not mote-opt %t/cal.mlir --mote-mixed-precision="data=%t/x.npy candidates=w9a8" 2>&1 | FileCheck %s --check-prefix=BITS
// RUN: not mote-opt %t/cal.mlir --mote-mixed-precision="data=%t/x.npy candidates=int4" 2>&1 | FileCheck %s --check-prefix=CAND
// RUN: not mote-opt %t/cal.mlir --mote-mixed-precision="data=%t/x.npy budget=-1" 2>&1 | FileCheck %s --check-prefix=BUDGET
// RUN: not mote-opt %t/cal.mlir --mote-mixed-precision="data=%t/x.npy quantize=false" 2>&1 | FileCheck %s --check-prefix=NOPLAN
// RUN: not mote-opt %t/cal.mlir --mote-mixed-precision="data=%t/x.npy target=mote-nonexistent" 2>&1 | FileCheck %s --check-prefix=TARGET
// RUN: not mote-opt %t/cal.mlir --mote-mixed-precision="data=%t/missing.npy" 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not mote-opt %t/cal.mlir --mote-mixed-precision="data=%t/x.npy plan-out=%t/no/such/dir/plan.txt" 2>&1 | FileCheck %s --check-prefix=WRITE
// RUN: not mote-opt %S/Inputs/mixed-mlp.mlir --mote-mixed-precision="data=%t/x.npy" 2>&1 | FileCheck %s --check-prefix=UNCALIBRATED
// A hand-edited plan with a bad line is rejected by --mote-quantize.
// RUN: printf 'fc1 4 8\nfc3 4\n' > %t/bad-plan.txt
// RUN: not mote-opt %t/cal.mlir --mote-quantize="plan=%t/bad-plan.txt" 2>&1 | FileCheck %s --check-prefix=BADPLAN
// RUN: printf 'fc1 4 16\n' > %t/bad-bits.txt
// RUN: not mote-opt %t/cal.mlir --mote-quantize="plan=%t/bad-bits.txt" 2>&1 | FileCheck %s --check-prefix=BADBITS

// NODATA: error: mote-mixed-precision: data= is required
// OBJECTIVE: error: mote-mixed-precision: unknown objective 'power'; expected energy or latency
// BITS: error: mote-mixed-precision: bad candidate 'w9a8': expected WnAm (e.g. w4a8) with bits in [2, 8]
// CAND: error: mote-mixed-precision: bad candidate 'int4'
// BUDGET: error: mote-mixed-precision: budget must be in [0, 100] points
// NOPLAN: error: mote-mixed-precision: quantize=false needs plan-out=FILE
// TARGET: error: mote-mixed-precision: {{.*}}mote-nonexistent
// MISSING: error: {{.*}}missing.npy
// WRITE: error: mote-mixed-precision: {{.*}}plan.txt: cannot write
// UNCALIBRATED: error: mote-mixed-precision: no mote.calib ranges in 'main'; run --mote-calibrate first
// BADPLAN: error: mote-quantize: {{.*}}bad-plan.txt:2: expected 'KEY WEIGHT_BITS ACT_BITS' with bits in [2, 8], got 'fc3 4'
// BADBITS: error: mote-quantize: {{.*}}bad-bits.txt:1: expected 'KEY WEIGHT_BITS ACT_BITS'
