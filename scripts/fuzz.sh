#!/usr/bin/env bash
#===- scripts/fuzz.sh - Build and run Mote's libFuzzer targets ---*- bash -*-===#
#
# Configures a clang build with -DMOTE_ENABLE_FUZZERS=ON (every Mote library
# instrumented with ASan + UBSan + libFuzzer coverage), builds the three
# fuzzers and runs each for SECONDS (default 60: a smoke run) from its seed
# corpus:
#   mote-fuzz-onnx   ONNX importer           seeds: models/, libonnx-testdata, bad inputs
#   mote-fuzz-mbin   .mbin/.masm loader (host sections too) + simulator (create + run on zeros)
#   mote-fuzz-mlir   mote IR parser + verifiers      seeds: test/**/*.mlir
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#   scripts/fuzz.sh --build     # configure + build only
#
# Environment: MOTE_FUZZ_BUILD_DIR (default build-fuzz), MOTE_FUZZ_JOBS
# (ninja -j, default 2), MOTE_FUZZ_WORKERS (libFuzzer -fork workers, default
# 1), MOTE_FUZZ_SEED and MOTE_FUZZ_RUNS (a fixed seed and number of
# executions: reproducible runs), MOTE_FUZZ_TOOLS (a bin/ directory whose mote-translate assembles the
# seed programs; default: this build's, built on demand). The corpus grows in $build/fuzz-corpus/TARGET across runs; crashes,
# leaks, timeouts and OOMs are written to $build/fuzz-artifacts/TARGET/ and
# make the script exit non-zero. Replay one: $build/bin/TARGET ARTIFACT.
# The long run (docs/Reliability.md): scripts/fuzz.sh 1800 (30 min each).
#
#===----------------------------------------------------------------------===#
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# --build: configure and build the tree (the fuzzers and every tool the
# sanitizer tests use), run nothing. scripts/test.sh uses it to tell a build
# failure from a finding.
build_only=0
if [ "${1:-}" = --build ]; then build_only=1; shift; fi
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(mote-fuzz-onnx mote-fuzz-mbin mote-fuzz-mlir)
build="${MOTE_FUZZ_BUILD_DIR:-$root/build-fuzz}"
jobs="${MOTE_FUZZ_JOBS:-2}"
workers="${MOTE_FUZZ_WORKERS:-1}"
py=/usr/bin/python3

if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DMOTE_ENABLE_FUZZERS=ON
fi
# mote-translate assembles the .masm seeds; any build's will do
# (MOTE_FUZZ_TOOLS=DIR/bin), else this build's.
tools="${MOTE_FUZZ_TOOLS:-$build/bin}"
extra=()
[ -x "$tools/mote-translate" ] || { tools="$build/bin"; extra=(mote-translate); }
if [ $build_only -eq 1 ]; then
  exec ninja -C "$build" -j"$jobs" "${targets[@]}" mote-translate mote-opt \
    mote-run mote-sim mote-target mote-compare motec MoteUnitTests
fi
ninja -C "$build" -j"$jobs" "${targets[@]}" ${extra[@]+"${extra[@]}"}

# Seed corpora (idempotent: libFuzzer dedups by coverage on merge).
seeds="$build/fuzz-seeds"
if [ ! -d "$seeds" ]; then
  mkdir -p "$seeds"/{onnx,mbin,mlir}
  bad="$seeds/bad"
  $py "$root/scripts/reliability/make_bad_inputs.py" "$bad"
  cp "$bad"/*.onnx "$root"/models/*.onnx "$seeds/onnx/"
  i=0
  for m in /usr/share/libonnx-testdata/data/node/*/model.onnx; do
    [ -f "$m" ] || continue
    cp "$m" "$seeds/onnx/node$((i++)).onnx"
  done
  cp "$bad"/*.masm "$root"/test/ISA/Inputs/*.masm "$seeds/mbin/"
  for f in "$seeds"/mbin/*.masm; do
    "$tools/mote-translate" --assemble "$f" -o "${f%.masm}.mbin" 2>/dev/null || true
  done
  $py "$root/scripts/reliability/make_bad_inputs.py" "$seeds/mbin" --mbin "$seeds/mbin/ok.mbin"
  # Every .mlir test, split at `// -----` into separate seeds.
  $py - "$root/test" "$seeds/mlir" <<'EOF'
import pathlib, sys
out = pathlib.Path(sys.argv[2])
n = 0
for path in sorted(pathlib.Path(sys.argv[1]).rglob("*.mlir")):
    for part in path.read_text().split("// -----"):
        (out / f"{n:05d}.mlir").write_text(part)
        n += 1
EOF
fi

fork=()
[ "$workers" -gt 1 ] && fork=(-fork="$workers")
# MOTE_FUZZ_SEED / MOTE_FUZZ_RUNS make a run reproducible (the CI smoke run:
# the same mutations on every machine, so a finding is not luck of timing).
repro=()
[ -n "${MOTE_FUZZ_SEED:-}" ] && repro+=(-seed="$MOTE_FUZZ_SEED")
[ -n "${MOTE_FUZZ_RUNS:-}" ] && repro+=(-runs="$MOTE_FUZZ_RUNS")
status=0
for t in "${targets[@]}"; do
  kind="${t#mote-fuzz-}"
  corpus="$build/fuzz-corpus/$t"
  artifacts="$build/fuzz-artifacts/$t"
  mkdir -p "$corpus" "$artifacts"
  echo "== $t: ${seconds}s"
  log="$build/fuzz-$t.log"
  # -rss_limit_mb: a program may legitimately need a few hundred MB; more is
  # an unbounded allocation driven by the input, i.e. a bug.
  # allow_user_poisoning=0: see scripts/sanitize.sh (mixed instrumented /
  # uninstrumented MLIR allocators).
  if ! ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:allow_user_poisoning=0}" \
      "$build/bin/$t" "$corpus" "$seeds/$kind" \
      -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 \
      -malloc_limit_mb=2048 -print_final_stats=1 \
      ${fork[@]+"${fork[@]}"} ${repro[@]+"${repro[@]}"} \
      -artifact_prefix="$artifacts/" >"$log" 2>&1; then
    echo "$t: FAILED (see $log; artifacts in $artifacts)"
    status=1
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb|cov:" "$log" | tail -3 || true
done
exit $status
