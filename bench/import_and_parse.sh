#!/usr/bin/env bash
#===- bench/import_and_parse.sh - Large-model IR speed and size -----*- bash -*-===#
#
# Prints how fast Mote imports, prints and re-parses a large model, and how
# large its IR is as text (weights as dense_resource hex blobs) and as
# bytecode, plus the reference interpreter's time for one inference and its
# agreement with torch. Models: torchvision ResNet-18 and ResNet-50 with random
# weights (exported on the fly, ~100 MB ONNX for ResNet-50). A benchmark, not
# a test: it prints figures and fails only if a tool fails.
#
# Usage: bench/import_and_parse.sh [BUILD_DIR]
#===----------------------------------------------------------------------===#
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${1:-$root/build}/bin"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 "$root/scripts/models/export_torchvision.py" "$work" \
  --models resnet18,resnet50 >/dev/null
for m in resnet18 resnet50; do
  echo "== $m ($(du -m "$work/$m.onnx" | cut -f1) MB ONNX)"
  /usr/bin/time -f "   import + print text:      %e s, peak %M KB" \
    "$bin/mote-translate" --import-onnx "$work/$m.onnx" -o "$work/$m.mlir"
  /usr/bin/time -f "   import + print bytecode:  %e s, peak %M KB" \
    "$bin/mote-translate" --import-onnx "$work/$m.onnx" --emit-bytecode \
    -o "$work/$m.mlirbc"
  /usr/bin/time -f "   parse + verify + print text:  %e s, peak %M KB" \
    "$bin/mote-opt" "$work/$m.mlir" -o "$work/$m.2.mlir"
  /usr/bin/time -f "   parse + print bytecode:   %e s, peak %M KB" \
    "$bin/mote-opt" "$work/$m.mlirbc" --emit-bytecode -o "$work/$m.2.mlirbc"
  echo "   sizes: text $(du -m "$work/$m.mlir" | cut -f1) MB, bytecode $(du -m "$work/$m.mlirbc" | cut -f1) MB"
  /usr/bin/time -f "   interpreter, one 224x224 inference: %e s" \
    "$bin/mote-run" "$work/$m.onnx" --input "$work/$m.input.npy" \
    --output-dir "$work/$m.out" >/dev/null
  /usr/bin/python3 "$root/scripts/compare_npy.py" "$work/$m.torch.npy" \
    "$work/$m.out/logits.npy" | sed 's/^/   vs torch: /'
done
