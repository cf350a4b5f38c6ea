#!/usr/bin/env bash
#===- scripts/demo.sh - Set up, build and run Mote's main job ----*- bash -*-===#
#
# The README's main job: installs dependencies, builds, and takes the bundled
# Fashion-MNIST model (models/fashion_mnist_cnn.onnx) through the pipeline as
# far as it exists. Today: ONNX import, calibration on training images,
# int8 and W4A8 post-training quantization with the float model as teacher,
# and accuracy on the 10,000 test images on the bit-exact reference
# interpreter; the message at the end says what is missing.
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

echo "-- stage 2: data (Debian dataset-fashion-mnist)"
/usr/bin/python3 "$root/scripts/models/fashion_mnist.py" "$work/test" --npy | sed 's/^/   /'
/usr/bin/python3 "$root/scripts/models/fashion_mnist.py" "$work/calib" --npy \
  --split train --count 1000 | sed 's/^/   /'

echo "-- stage 3: float reference interpreter over all test images"
"$bin/mote-run" "$work/model.mlir" --input image="$work/test/images.npy" \
  --output-dir "$work/float" --time 2>&1 | grep -v '^mote-run: [0-9]' | sed 's/^/   /'

for precision in int8 w4a8; do
  echo "-- stage 4 ($precision): calibrate + quantize (teacher-guided refinement)"
  "$bin/mote-opt" "$work/model.mlir" \
    --mote-calibrate="data=$work/calib/images.npy" \
    --mote-quantize="precision=$precision data=$work/calib/images.npy" \
    -o "$work/$precision.mlir" 2>&1 | grep -v '^calibrate: .*[0-9]/[0-9]* samples$' |
    sed 's/^/   /'
  "$bin/mote-run" "$work/$precision.mlir" --input image="$work/test/images.npy" \
    --output-dir "$work/$precision" 2>&1 | grep -v '^mote-run: [0-9]' | sed 's/^/   /'
done

echo "== accuracy on the 10,000 test images (reference interpreter)"
for variant in float int8 w4a8; do
  /usr/bin/python3 "$root/scripts/models/top1.py" "$work/$variant/logits.npy" \
    "$work/test/labels.npy" | sed "s/^/   $variant: /"
done
echo "-- the pipeline stops here for now: quantization synthesis, bit-width"
echo "   lowering, NPU lowering and the simulator (latency, energy) are next."
