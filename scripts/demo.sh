#!/usr/bin/env bash
#===- scripts/demo.sh - Set up, build and run Mote's main job ----*- bash -*-===#
#
# The README's main job: installs dependencies, builds, and takes the bundled
# Fashion-MNIST model (models/fashion_mnist_cnn.onnx) through the pipeline as
# far as it exists. Today that is ONNX import and the reference interpreter
# over the 10,000 test images; the message at the end says what is missing.
#
#===----------------------------------------------------------------------===#
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${MOTE_BUILD_DIR:-$root/build}"
echo "== building Mote (first run: installs packages and compiles, a few minutes)"
mkdir -p "$build"
bash "$root/scripts/build.sh" >"$build/demo-build.log" 2>&1 || {
  cat "$build/demo-build.log"; exit 1; }
bin="$build/bin"
model="$root/models/fashion_mnist_cnn.onnx"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "== model: $model"
echo "-- stage 1: import ONNX -> mote IR (NHWC, batch norm folded)"
"$bin/mote-translate" --import-onnx "$model" -o "$work/model.mlir"
grep -o '= mote\.[a-z_0-9]*' "$work/model.mlir" | cut -c3- | sort | uniq -c |
  sed 's/^/   /'

echo "-- stage 2: Fashion-MNIST test set (Debian dataset-fashion-mnist)"
/usr/bin/python3 "$root/scripts/models/fashion_mnist.py" "$work/data" --npy | sed 's/^/   /'

echo "-- stage 3: float reference interpreter over all test images"
"$bin/mote-run" "$work/model.mlir" --input image="$work/data/images.npy" \
  --output-dir "$work/out" --time 2>&1 | grep -v '^mote-run: [0-9]' | sed 's/^/   /'
/usr/bin/python3 "$root/scripts/models/top1.py" "$work/out/logits.npy" \
  "$work/data/labels.npy" | sed 's/^/   accuracy (float, interpreter): /'

echo "-- the pipeline stops here for now: quantization, NPU lowering and the"
echo "   simulator (integer accuracy, latency, energy) are not built yet."
