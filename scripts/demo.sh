#!/usr/bin/env bash
#===- scripts/demo.sh - Set up, build and run Mote's main job ----*- bash -*-===#
#
# The README's main job: installs dependencies, builds, and takes the bundled
# Fashion-MNIST model (models/fashion_mnist_cnn.onnx) through the whole
# pipeline with `motec`: ONNX import, calibration on 1,000 training images,
# post-training quantization (int8, W4A8 and an energy-aware mixed plan),
# bit-width lowering to the default target's 4-bit MAC array, NPU lowering
# and an .mbin; then the simulator runs all 10,000 test images and prints
# accuracy, latency, energy and power, checked bit for bit against the
# reference interpreter on the quantized IR.
#
#===----------------------------------------------------------------------===#
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${MOTE_BUILD_DIR:-$root/build}"
target="${MOTE_TARGET:-mote-default}"
echo "== building Mote (first run: installs packages and compiles, a few minutes)"
mkdir -p "$build"
bash "$root/scripts/build.sh" >"$build/demo-build.log" 2>&1 || {
  cat "$build/demo-build.log"; exit 1; }
bin="$build/bin"
model="$root/models/fashion_mnist_cnn.onnx"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "== data (Debian dataset-fashion-mnist)"
/usr/bin/python3 "$root/scripts/models/fashion_mnist.py" "$work/test" --npy | sed 's/^/   /'
/usr/bin/python3 "$root/scripts/models/fashion_mnist.py" "$work/calib" --npy \
  --split train --count 1000 | sed 's/^/   /'

echo
echo "== int8: compile, simulate the 10,000 test images, verify against the"
echo "   float model and the quantized IR (reference interpreter)"
"$bin/motec" "$model" --target "$target" --calib "$work/calib/images.npy" \
  --precision int8 -o "$work/int8.mbin" --report "$work/int8.json" \
  --input image="$work/test/images.npy" --labels "$work/test/labels.npy" \
  --verify 2>&1 | grep -v ': [0-9]*/[0-9]* samples$'

for precision in w4a8 mixed; do
  echo
  echo "== $precision: compile and simulate the 10,000 test images"
  "$bin/motec" "$model" --target "$target" --calib "$work/calib/images.npy" \
    --precision "$precision" -o "$work/$precision.mbin" \
    --report "$work/$precision.json" --input image="$work/test/images.npy" \
    --labels "$work/test/labels.npy" --no-summary \
    >"$work/$precision.log" 2>&1 || { cat "$work/$precision.log"; exit 1; }
  grep -E '^(quantize|mixed-precision: (loss|choose))' "$work/$precision.log" |
    sed 's/^/   /' || true
  [ -f "$work/$precision.plan" ] && echo "   plan: $(grep -c '^[^#]' "$work/$precision.plan") lines (editable; motec --plan FILE reads it back)"
done

echo
echo "== summary: $model on $target (simulator, 10,000 test images)"
/usr/bin/python3 - "$work" <<'PY'
import json, sys, os
work = sys.argv[1]
print(f"   {'precision':<10} {'top-1 %':>8} {'latency us':>11} {'energy uJ':>10} {'power mW':>9}")
for p in ("int8", "w4a8", "mixed"):
    r = json.load(open(os.path.join(work, p + ".json")))
    t = r["simulator"]["total"]
    print(f"   {p:<10} {r['data']['top1_simulator']:8.2f} {t['us']:11.2f} "
          f"{t['energy_uj']:10.3f} {t['average_power_mw']:9.2f}")
PY
echo "   (the .mbin runs with: $bin/mote-sim MODEL.mbin --input image=IMAGES.npy)"
