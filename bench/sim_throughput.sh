#!/bin/bash
#===- sim_throughput.sh - mote-sim against host int8/float runtimes --------===#
#
# Part of the Mote project: an MLIR compiler for the Mote NPU.
#
# Prints inferences per second, in one run on the same machine, of
#   mote-sim      the compiled .mbin (bit-exact simulation), THREADS workers
#                 over the samples of one batch input
#   mote-run      the interpreter on the quantized, bit-lowered IR
#                 (`motec --emit mote`), THREADS threads
#   torch-int8    Debian python3-torch, FX post-training quantization,
#                 qnnpack, batch-1 loop (bench/torch_int8.py), TORCH_THREADS
#   ort-float     onnxruntime-node, float, batch-1 loop (bench/ort_float.js);
#                 skipped with a note when it is not installed
# and each one's rate relative to mote-sim, for ResNet-8 (MLPerf Tiny),
# torchvision MobileNetV2 and the bundled Fashion-MNIST CNN (random weights
# and inputs; speed does not depend on them). Every figure is the inference
# loop's own time (model loading and compilation excluded). Not a timed
# test: it fails only when a tool fails.
#
#   bench/sim_throughput.sh [BUILD_DIR] [PROGRAM.mbin INPUT.npy]
#
# With a program and an input, just runs mote-sim on them with --time.
# Environment: N (samples, default 1000), MNV2_N (MobileNetV2 samples,
# default 100), MNV2_SIZE (input side, default 224), THREADS (default 2),
# TORCH_THREADS (default 1: torch's intra-op threads on a batch-1 loop only
# fight each other on 2 cores), MODELS (a directory to keep the exported
# and compiled models in between runs; default a temporary one),
# MOTE_ORT_MODULES (onnxruntime-node's node_modules).
#===------------------------------------------------------------------------===#
set -euo pipefail
BUILD=${1:-build}
SRC=$(cd "$(dirname "$0")/.." && pwd)
BIN=$SRC/$BUILD/bin
[ -d "$BIN" ] || BIN=$BUILD/bin
PY=/usr/bin/python3
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
if [ $# -ge 3 ]; then
  "$BIN/mote-sim" "$2" --input "$3" --quiet --time --output-dir "$WORK/out"
  exit 0
fi
N=${N:-1000}
MNV2_N=${MNV2_N:-100}
MNV2_SIZE=${MNV2_SIZE:-224}
THREADS=${THREADS:-2}
TORCH_THREADS=${TORCH_THREADS:-1}
M=${MODELS:-$WORK/models}
mkdir -p "$M"
if [ -z "${MOTE_ORT_MODULES:-}" ]; then
  for d in "$SRC/$BUILD/npm/node_modules" "$SRC/build/npm/node_modules"; do
    [ -d "$d/onnxruntime-node" ] && export MOTE_ORT_MODULES=$d && break
  done
fi

# Models: NAME.onnx, NAME.calib.npy, NAME.batch.npy (N samples).
random_npy() { # OUT SHAPE... : standard-normal float32 (uniform [0,1) for -u)
  $PY - "$@" <<'PY'
import sys
import numpy as np
out, shape = sys.argv[1], [int(s) for s in sys.argv[2:] if s != "-u"]
g = np.random.default_rng(0)
x = g.random(shape) if "-u" in sys.argv else g.standard_normal(shape)
np.save(out, x.astype(np.float32))
PY
}
[ -f "$M/resnet8.onnx" ] ||
  $PY "$SRC/scripts/models/mlperf_tiny.py" "$M" --models resnet8 --calib 16 \
    > "$M/resnet8.log" 2>&1
[ -f "$M/mobilenet_v2.onnx" ] || {
  $PY "$SRC/scripts/models/export_torchvision.py" "$M" --models mobilenet_v2 \
    --size "$MNV2_SIZE" > "$M/mobilenet_v2.log" 2>&1
  random_npy "$M/mobilenet_v2.calib.npy" 4 3 "$MNV2_SIZE" "$MNV2_SIZE"
}
[ -f "$M/fashion_mnist.onnx" ] || {
  cp "$SRC/models/fashion_mnist_cnn.onnx" "$M/fashion_mnist.onnx"
  random_npy "$M/fashion_mnist.calib.npy" 16 1 28 28 -u
}
declare -A COUNT=([resnet8]=$N [mobilenet_v2]=$MNV2_N [fashion_mnist]=$N)
declare -A SHAPE=([resnet8]="3 32 32" [mobilenet_v2]="3 $MNV2_SIZE $MNV2_SIZE"
                  [fashion_mnist]="1 28 28")
declare -A TORCH_ARGS=([resnet8]="" [mobilenet_v2]="--size $MNV2_SIZE"
                       [fashion_mnist]="")

# The inference loop's seconds from each runner's own report.
sim_seconds() { sed -n 's/.*run \([0-9.]*\) s (.*/\1/p'; }
run_seconds() { sed -n 's/.*run \([0-9.]*\) s$/\1/p'; }

printf '%-14s %-11s %7s %10s %12s %12s\n' model runner samples seconds \
  'inf/s' 'sim / runner'
notes=()
for name in resnet8 mobilenet_v2 fashion_mnist; do
  n=${COUNT[$name]}
  [ -f "$M/$name.mbin" ] ||
    "$BIN/motec" "$M/$name.onnx" --calib "$M/$name.calib.npy" \
      -o "$M/$name.mbin" > "$M/$name.motec.log" 2>&1
  [ -f "$M/$name.mote.mlir" ] ||
    "$BIN/motec" "$M/$name.onnx" --calib "$M/$name.calib.npy" --emit mote \
      -o "$M/$name.mote.mlir" > /dev/null 2>&1
  random_npy "$WORK/$name.batch.npy" "$n" ${SHAPE[$name]}
  declare -A secs=()
  secs[mote-sim]=$("$BIN/mote-sim" "$M/$name.mbin" \
    --input "$WORK/$name.batch.npy" --quiet --time --threads "$THREADS" \
    --output-dir "$WORK/out" 2>&1 >/dev/null | sim_seconds)
  secs[mote-run]=$("$BIN/mote-run" "$M/$name.mote.mlir" \
    --input "$WORK/$name.batch.npy" --time --threads "$THREADS" \
    --output-dir "$WORK/out" 2>&1 >/dev/null | run_seconds)
  secs[torch-int8]=$($PY "$SRC/bench/torch_int8.py" "$name" "$n" \
    ${TORCH_ARGS[$name]} --threads "$TORCH_THREADS" | awk '{print $3}')
  if ort=$(node "$SRC/bench/ort_float.js" "$M/$name.onnx" "$name" "$n" \
             "$THREADS" 2> "$WORK/ort.err"); then
    secs[ort-float]=$(echo "$ort" | awk '{print $3}')
  else
    notes+=("ort-float skipped on $name: $(head -1 "$WORK/ort.err")")
  fi
  sim=${secs[mote-sim]}
  for runner in mote-sim mote-run torch-int8 ort-float; do
    s=${secs[$runner]:-}
    [ -n "$s" ] || continue
    awk -v m="$name" -v r="$runner" -v n="$n" -v s="$s" -v sim="$sim" \
      'BEGIN { printf "%-14s %-11s %7d %10.3f %12.1f %12.3f\n",
               m, r, n, s, n / s, s / sim }'
  done
done
for note in "${notes[@]}"; do echo "note: $note"; done
