#!/usr/bin/env bash
#===- bench/compile_time.sh - motec compile time and peak memory ----*- bash -*-===#
#
# Part of the Mote project: an MLIR compiler for the Mote NPU.
#
# Prints how long `motec` takes to compile torchvision ResNet-18 and ResNet-50
# (random weights, 1x3x224x224, exported on the fly) from .onnx to .mbin,
# int8, calibrating on 4 random samples, its peak resident memory
# (/usr/bin/time -v "Maximum resident set size"), its CPU seconds and the
# seconds of every stage (motec --report "stages"). Issue 18's target: the
# full ResNet-50 pipeline in at most 15 s on 2 cores with a peak RSS of at
# most 1 GB (issue 8's was 60 s).
#
# Two pipelines per model:
#   full       motec MODEL.onnx --calib calib.npy --threads $THREADS (int8
#              with the default teacher-guided refinements of
#              --mote-quantize), stopped after $TIMEOUT seconds (default 600)
#              and then reported as "> TIMEOUT".
#   no-refine  mote-opt --mote-calibrate --mote-quantize=precision=int8 (no
#              data=, so no weight search / AdaRound / bias correction), then
#              motec on the quantized IR: every other stage of the pipeline.
# A benchmark, not a test: it prints figures and fails only if a tool fails.
#
# Usage: bench/compile_time.sh [BUILD_DIR] [MODELS]     (MODELS default
#        resnet18,resnet50; TIMEOUT=SECONDS, THREADS=N (default 2) and
#        SAMPLES=N (calibration samples, default 4) in the environment)
#===----------------------------------------------------------------------===#
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
[ -d "$build/bin" ] || build="$root/$build"
bin="$build/bin"
models="${2:-resnet18,resnet50}"
timeout_s="${TIMEOUT:-600}"
threads="${THREADS:-2}"
samples="${SAMPLES:-4}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

/usr/bin/python3 "$root/scripts/models/export_torchvision.py" "$work" \
  --models "$models" >/dev/null 2>&1
/usr/bin/python3 -c "
import numpy as np, sys
n = int(sys.argv[2])
np.save(sys.argv[1], np.random.default_rng(3).standard_normal((n, 3, 224, 224)).astype(np.float32))
" "$work/calib.npy" "$samples"

# peak_kb FILE: the peak RSS /usr/bin/time -v wrote to FILE, in KB.
peak_kb() { awk -F': ' '/Maximum resident set size/ {print $2}' "$1"; }
# cpu_s FILE: user + system seconds from /usr/bin/time -v.
cpu_s() {
  awk -F': ' '/User time|System time/ {s += $2} END {printf "%.2f", s}' "$1"
}
wall_s() {
  awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0;
    for (i = 1; i <= n; ++i) s = s * 60 + t[i]; print s}' "$1"
}
# stages REPORT.json: "name 1.23 s, ..." from motec's report.
stages() {
  /usr/bin/python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))
print(', '.join(f\"{s['stage']} {s['seconds']:.2f} s\" for s in r['stages']))
" "$1"
}

echo "motec compile time and peak memory ($(nproc) cores, --threads $threads," \
  "$(date +%F), load average $(cut -d' ' -f1-3 /proc/loadavg))"
for m in ${models//,/ }; do
  echo "== $m ($(du -m "$work/$m.onnx" | cut -f1) MB ONNX), int8, calibration:" \
    "$samples random samples"

  # Full pipeline, default refinements.
  set +e
  timeout "$timeout_s" /usr/bin/time -v -o "$work/$m.full.time" \
    "$bin/motec" "$work/$m.onnx" --calib "$work/calib.npy" \
    -o "$work/$m.mbin" --report "$work/$m.full.json" --quiet --no-summary \
    --threads "$threads" >"$work/$m.full.log" 2>&1
  rc=$?
  set -e
  if [ $rc -eq 124 ]; then
    echo "   full motec (refinements on):  > $timeout_s s (stopped by timeout)"
  elif [ $rc -ne 0 ]; then
    echo "   full motec failed:"; sed 's/^/     /' "$work/$m.full.log"; exit 1
  else
    echo "   full motec (refinements on):  $(wall_s "$work/$m.full.time") s," \
      "peak $(( $(peak_kb "$work/$m.full.time") / 1024 )) MB," \
      "$(cpu_s "$work/$m.full.time") CPU s"
    echo "     stages: $(stages "$work/$m.full.json")"
  fi

  # Same pipeline without the teacher-guided refinements.
  /usr/bin/time -v -o "$work/$m.imp.time" "$bin/mote-translate" \
    --import-onnx "$work/$m.onnx" --emit-bytecode -o "$work/$m.mlirbc"
  /usr/bin/time -v -o "$work/$m.q.time" "$bin/mote-opt" "$work/$m.mlirbc" \
    --mote-calibrate="data=$work/calib.npy threads=$threads" \
    --mote-quantize="precision=int8" --emit-bytecode -o "$work/$m.q.mlirbc" \
    2>/dev/null
  /usr/bin/time -v -o "$work/$m.c.time" "$bin/motec" "$work/$m.q.mlirbc" \
    -o "$work/$m.nr.mbin" --report "$work/$m.nr.json" --quiet --no-summary \
    --threads "$threads" >/dev/null 2>&1
  imp=$(wall_s "$work/$m.imp.time"); q=$(wall_s "$work/$m.q.time")
  c=$(wall_s "$work/$m.c.time")
  peak=$(printf '%s\n' "$(peak_kb "$work/$m.imp.time")" \
    "$(peak_kb "$work/$m.q.time")" "$(peak_kb "$work/$m.c.time")" | sort -n | tail -1)
  total=$(/usr/bin/python3 -c "print(f'{$imp + $q + $c:.2f}')")
  echo "   no-refine pipeline:           $total s, peak $(( peak / 1024 )) MB"
  echo "     import (mote-translate) $imp s; calibrate + quantize (mote-opt) $q s;" \
    "motec on the quantized IR $c s"
  echo "     motec stages: $(stages "$work/$m.nr.json")"
  echo "     .mbin $(( $(stat -c %s "$work/$m.nr.mbin") / 1024 )) KB"
done
