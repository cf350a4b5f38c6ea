#!/usr/bin/env bash
#===- scripts/test.sh - Set up, build and run every Mote test ----*- bash -*-===#
#
# The one command that runs everything: installs dependencies, builds, then
# runs the lit + FileCheck suites and the gtest unit tests (ninja check-mote)
# and prints a closing "N passed, M failed" line.
#
#===----------------------------------------------------------------------===#
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${MOTE_BUILD_DIR:-$root/build}"
bash "$root/scripts/build.sh"

log="$build/check-mote.log"
status=0
cmake --build "$build" --target check-mote 2>&1 | tee "$log" || status=$?
passed=$(sed -n 's/^ *Passed *: *\([0-9]*\).*/\1/p' "$log" | tail -1)
failed=$(sed -n 's/^ *Failed *: *\([0-9]*\).*/\1/p' "$log" | tail -1)
echo "mote tests: ${passed:-0} passed, ${failed:-0} failed"
if [ "$status" -ne 0 ] || [ "${passed:-0}" -eq 0 ]; then
  exit 1
fi
