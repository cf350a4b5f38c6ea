#!/usr/bin/env bash
#===- scripts/sanitize.sh - The whole test suite under ASan + UBSan -*- bash -*-===#
#
# Configures a build with -DMOTE_SANITIZE=ON (every Mote library and tool
# compiled with -fsanitize=address,undefined -fno-sanitize-recover=undefined;
# Debian's LLVM/MLIR, protobuf and libonnx stay uninstrumented), builds it
# and runs check-mote (lit + gtest) there. Any sanitizer report makes the
# test that triggered it fail. Prints the wall time of the build and of the
# test run.
#
#   scripts/sanitize.sh               # clang (the default), build-asan
#   MOTE_SANITIZE_CXX=g++ scripts/sanitize.sh
#   scripts/sanitize.sh --subset      # the CI subset (see below)
#
# --subset runs only the suites that exercise the code most exposed to
# hostile input: test/reliability (bad-input catalogue, fuzz regressions,
# 100 random networks, determinism), test/ISA, test/Sim, test/NPU,
# test/Interp, test/Quant, test/tools and the gtests. CI runs it after the
# main tests when time allows (.ci/run).
#
# Environment: MOTE_SANITIZE_BUILD_DIR (default build-asan), MOTE_SANITIZE_JOBS
# (ninja -j, default 2), MOTE_SANITIZE_CXX (clang++ or g++). The fuzz build
# (scripts/fuzz.sh, build-fuzz) has the same sanitizers plus coverage; its
# check-mote is an equivalent run:
#   MOTE_SANITIZE_BUILD_DIR=build-fuzz scripts/sanitize.sh
#
#===----------------------------------------------------------------------===#
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${MOTE_SANITIZE_BUILD_DIR:-$root/build-asan}"
jobs="${MOTE_SANITIZE_JOBS:-2}"
cxx="${MOTE_SANITIZE_CXX:-clang++}"
cc=clang
[ "$cxx" = g++ ] && cc=gcc

if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" -DMOTE_SANITIZE=ON
fi

# Leak checking stays on; halt on the first UBSan report with a stack.
# allow_user_poisoning=0: MLIR's StorageUniquer allocator is shared by our
# instrumented code and Debian's uninstrumented libMLIR. A slab our code
# starts is poisoned by the inlined llvm::BumpPtrAllocator (as ASan builds
# of LLVM do), and the storage libMLIR then carves from it, on its own
# uninstrumented fast path, is never unpoisoned: reading a valid attribute
# libMLIR created (an IntegerAttr parsed next to an #npu.target) reports
# use-after-poison. Only the allocator's manual poisoning is switched off;
# heap, stack and global checks are unchanged.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:allow_user_poisoning=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

subset=0
[ "${1:-}" = --subset ] && subset=1

start=$(date +%s)
ninja -C "$build" -j"$jobs" mote-translate mote-opt mote-run mote-sim \
  mote-target mote-compare motec MoteUnitTests
built=$(date +%s)
log="$build/check-mote.log"
status=0
if [ $subset -eq 1 ]; then
  lit=$(sed -n 's/^LLVM_EXTERNAL_LIT:[A-Z]*=//p' "$build/CMakeCache.txt")
  [ -x "${lit:-}" ] || lit=$(command -v lit || echo /usr/lib/llvm-22/bin/lit)
  "$lit" -sv -j"$jobs" "$build/test/reliability" "$build/test/ISA" \
    "$build/test/Sim" "$build/test/NPU" "$build/test/Interp" \
    "$build/test/Quant" "$build/test/tools" "$build/test/Unit" 2>&1 |
    tee "$log" || status=$?
else
  ninja -C "$build" -j"$jobs" check-mote 2>&1 | tee "$log" || status=$?
fi
done_=$(date +%s)
passed=$(sed -n 's/^ *Passed *: *\([0-9]*\).*/\1/p' "$log" | tail -1)
failed=$(sed -n 's/^ *Failed *: *\([0-9]*\).*/\1/p' "$log" | tail -1)
reports=$(grep -c -E "ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer" "$log" || true)
echo "sanitize: build $((built - start)) s, tests $((done_ - built)) s;" \
  "${passed:-0} passed, ${failed:-0} failed, ${reports} sanitizer report(s)"
exit $status
