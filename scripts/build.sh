#!/usr/bin/env bash
#===- scripts/build.sh - Install dependencies and build Mote ----*- bash -*-===#
#
# Installs the Debian packages (scripts/setup.sh), configures build/ with
# CMake + Ninja against LLVM/MLIR 22 and builds every tool and test binary.
# Re-running only rebuilds what changed.
#
#===----------------------------------------------------------------------===#
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

if [ "$(id -u)" -eq 0 ]; then bash scripts/setup.sh; else sudo bash scripts/setup.sh; fi

build="${MOTE_BUILD_DIR:-$root/build}"
if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release
fi
cmake --build "$build"
