#!/bin/bash
#===- sim_throughput.sh - Simulated MACs per host second -------------------===#
#
# Prints mote-sim's speed: simulated digit-MACs per host second and the wall
# time per sample. Not a timed test; figures only.
#
#   bench/sim_throughput.sh [BUILD_DIR] [PROGRAM.mbin INPUT.npy]
#
# With a program and an input (e.g. ResNet-18 or the Fashion-MNIST model
# compiled by `motec MODEL -o OUT.mbin`, once the NPU lowering lands), runs
# it; without, it generates the largest one-tile convolution of the
# simulator tests (test/Sim/Inputs/gen_conv.py) on mote-default and runs a
# batch of 2000 samples of it on all cores.
#===------------------------------------------------------------------------===#
set -euo pipefail
BUILD=${1:-build}
SRC=$(cd "$(dirname "$0")/.." && pwd)
BIN=$SRC/$BUILD/bin
[ -d "$BIN" ] || BIN=$1/bin
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
if [ $# -ge 3 ]; then
  PROG=$2
  INPUT=$3
  "$BIN/mote-sim" "$PROG" --input "$INPUT" --quiet --time --output-dir "$WORK/out"
  exit 0
fi
HASH=$("$BIN/mote-target" mote-default | awk '/hash/ {print $2}')
/usr/bin/python3 "$SRC/test/Sim/Inputs/gen_conv.py" "$WORK/conv" mote-default "$HASH" 4 3
/usr/bin/python3 - "$WORK/conv/x.npy" "$WORK/batch.npy" <<'PY'
import sys
import numpy as np
x = np.load(sys.argv[1])
np.save(sys.argv[2], np.repeat(x, 2000, axis=0))
PY
echo "one-tile conv on mote-default, 2000 samples:"
"$BIN/mote-sim" "$WORK/conv/prog.masm" --raw --input "x=$WORK/batch.npy" \
  --quiet --time --output-dir "$WORK/out" > /dev/null
