#!/usr/bin/env bash
#===- scripts/demo.sh - Set up, build and run Mote's main job ----*- bash -*-===#
#
# The README's main job: installs dependencies, builds, and runs the bundled
# example through the pipeline. The pipeline grows issue by issue; today it
# stops after graph optimisation (see the message at the end).
#
#===----------------------------------------------------------------------===#
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${MOTE_BUILD_DIR:-$root/build}"
bash "$root/scripts/build.sh" >/dev/null
bin="$build/bin"
model="$root/examples/tiny_cnn.mlir"

echo "== mote demo: $model"
echo "-- stage 1: parse and verify the float mote IR"
"$bin/mote-opt" "$model" -o /dev/null && echo "   ok"
echo "-- stage 2: graph optimisation (batch-norm folding, canonicalisation)"
out="$(mktemp)"
"$bin/mote-opt" "$model" --mote-fold-batchnorm --canonicalize -o "$out"
before=$(grep -c ' = mote\.' "$model")
after=$(grep -c ' = mote\.' "$out")
echo "   mote ops: $before -> $after"
grep -o 'mote\.[a-z_0-9]*' "$out" | sort | uniq -c | sed 's/^/   /'
rm -f "$out"
echo "-- the pipeline stops here for now: quantization, NPU lowering and the"
echo "   simulator (accuracy, latency, energy) are not built yet."
