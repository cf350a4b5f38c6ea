// --mote-mixed-precision on a small residual MLP (Inputs/mixed-mlp.mlir:
// fc1 -> relu1 -> fc2, add(relu1, fc2) -> relu2 -> fc3), calibrated on 200
// fixed-seed samples. Three decision units: {fc1, fc2} tied by the add,
// the add (activations only) and fc3.
// RUN: rm -rf %t && mkdir -p %t && %PYTHON %S/Inputs/mixed_data.py %t
// RUN: mote-opt %S/Inputs/mixed-mlp.mlir --mote-calibrate=data=%t/x.npy --mlir-print-debuginfo -o %t/cal.mlir 2>/dev/null

// An unlimited budget takes the cheapest candidate of every unit; that is
// fixed by the cost model alone (the simulator's price of the compiled
// program): on 4-bit digits W4A4 runs one digit pass where int8 runs four,
// W2A8 saves nothing over W4A8 (a 2-bit weight is still one digit plane),
// and the add can only narrow its activations.
// RUN: mote-opt %t/cal.mlir --mote-mixed-precision="data=%t/x.npy budget=100 plan-out=%t/p100.txt" -o %t/m100.mlir 2>&1 | FileCheck %s --check-prefix=LOG
// RUN: FileCheck %s --check-prefix=PLAN100 --match-full-lines --strict-whitespace < %t/p100.txt
// RUN: FileCheck %s --check-prefix=IR100 < %t/m100.mlir
// The plan is --mote-quantize's: quantizing with it gives the same IR.
// RUN: mote-opt %t/cal.mlir --mote-quantize="plan=%t/p100.txt data=%t/x.npy" -o %t/rt100.mlir 2>/dev/null
// RUN: diff %t/m100.mlir %t/rt100.mlir
// RUN: %PYTHON %S/Inputs/check_plan.py %t/p100.txt | FileCheck %s --check-prefix=OK

// LOG: mixed-precision: 200 samples, 3 decision units, int8: agreement {{[0-9.]+}} %, energy 0.0263 uJ
// LOG: mixed-precision:   fc1 {{ *}}w4a8  loss
// LOG: mixed-precision:   add {{ *}}w8a4  loss
// LOG-NOT: add {{ *}}w4a8
// LOG: mixed-precision:   fc3 {{ *}}w2a8  loss
// LOG: mixed-precision: verify
// LOG: mixed-precision: choose fc1 (3 ops) w4a4
// LOG: mixed-precision: choose add (2 ops) w8a4
// LOG: mixed-precision: choose fc3 (1 ops) w4a4
// LOG: quantize: 6 ops in integers, 0 kept in float

// PLAN100:# Mote precision plan, written by --mote-mixed-precision; read by
// PLAN100:# target: mote-default (hash 0x{{[0-9a-f]+}}), digit 4 bits; objective: energy
// PLAN100:# budget: 100.00 points of top-1 agreement with float lost vs uniform int8, on 200 calibration samples
// PLAN100:# measured: int8 {{[0-9.]+}} %, plan {{[0-9.]+}} % agreement -> loss {{[0-9.]+}} points
// PLAN100:# simulated energy: 0.0155 uJ vs int8 0.0263 uJ (-41.0 %); latency {{.*}}
// PLAN100:fc1       4  4    # 0.0077 (0.0124) g0 (tied: residual branches)
// PLAN100-NEXT:relu1     4  4    # 0.0000 (0.0000) g0 (tied: residual branches)
// PLAN100-NEXT:fc2       4  4    # 0.0028 (0.0063) g0 (tied: residual branches)
// PLAN100-NEXT:add       8  4    # 0.0005 (0.0005) g1
// PLAN100-NEXT:relu2     8  4    # 0.0000 (0.0000) g1
// PLAN100-NEXT:fc3       4  4    # 0.0045 (0.0071) g2
// PLAN100-NEXT:*         8  8    # 0.0000 (0.0000) everything else (layers without a plan line: pools, adds, copies)

// IR100: mote.fully_connected {{.*}}i4<-7:7>{{.*}} -> tensor<1x16x!quant.uniform<u4
// IR100: mote.fully_connected {{.*}}i4<-7:7>{{.*}} -> tensor<1x16x!quant.uniform<i4
// IR100: mote.add {{.*}} -> tensor<1x16x!quant.uniform<u4
// IR100: mote.fully_connected {{.*}}i4<-7:7>{{.*}} -> tensor<1x10x!quant.uniform<i4

// OK: plan OK

// A zero budget keeps every unit whose trial loses agreement at int8; with
// quantize=false the module stays float and only the plan is written.
// RUN: mote-opt %t/cal.mlir --mote-mixed-precision="data=%t/x.npy budget=0 quantize=false plan-out=%t/p0.txt" -o %t/float.mlir 2>/dev/null
// RUN: FileCheck %s --check-prefix=PLAN0 < %t/p0.txt
// RUN: FileCheck %s --check-prefix=FLOAT < %t/float.mlir
// RUN: %PYTHON %S/Inputs/check_plan.py %t/p0.txt | FileCheck %s --check-prefix=OK
// PLAN0: -> loss 0.00 points
// PLAN0: simulated energy: 0.0263 uJ vs int8 0.0263 uJ (+0.0 %)
// PLAN0: fc1 {{ *}}8  8
// PLAN0: fc3 {{ *}}8  8
// FLOAT-NOT: quant.uniform
// FLOAT: mote.fully_connected {{.*}}mote.calib

// A budget between: only steps whose measured loss fits, ties respected.
// RUN: mote-opt %t/cal.mlir --mote-mixed-precision="data=%t/x.npy budget=10 plan-out=%t/p10.txt" -o /dev/null 2>/dev/null
// RUN: %PYTHON %S/Inputs/check_plan.py %t/p10.txt | FileCheck %s --check-prefix=OK
// RUN: FileCheck %s --check-prefix=PLAN10 < %t/p10.txt
// PLAN10: -> loss {{[0-9]\.[0-9]+}} points
// PLAN10: fc1 {{ *}}4  8
// PLAN10: fc2 {{ *}}4  8
// PLAN10: fc3 {{ *}}8  8

// Restricted candidates and the latency objective: the add's 4-bit output
// lets fc3 run one activation digit pass instead of two, so the simulated
// latency falls and the add narrows too.
// RUN: mote-opt %t/cal.mlir --mote-mixed-precision="data=%t/x.npy budget=100 candidates=w4a4 objective=latency quantize=false plan-out=%t/p44.txt" -o /dev/null 2>/dev/null
// RUN: FileCheck %s --check-prefix=W4A4 < %t/p44.txt
// W4A4: objective: latency
// W4A4: # candidates: w4a4
// W4A4: fc1 {{ *}}4  4
// W4A4: fc2 {{ *}}4  4
// W4A4: add {{ *}}8  4
// W4A4: fc3 {{ *}}4  4

// A hand-edited plan goes back into --mote-quantize.
// RUN: sed -e 's/^fc3 .*/fc3 4 8   # edited/' %t/p0.txt > %t/edited.txt
// RUN: mote-opt %t/cal.mlir --mote-quantize="plan=%t/edited.txt" 2>/dev/null | FileCheck %s --check-prefix=EDITED
// EDITED: mote.fully_connected {{.*}}i8<-127:127>
// EDITED: mote.fully_connected {{.*}}i8<-127:127>
// EDITED: mote.fully_connected {{.*}}i4<-7:7>{{.*}} -> tensor<1x10x!quant.uniform<i8
