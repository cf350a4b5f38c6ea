#!/usr/bin/env bash
#===- scripts/setup.sh - Install Mote's Debian dependencies -----*- bash -*-===#
#
# Installs every Debian package that building Mote, running its tests and its
# demo needs. Idempotent: packages already present are skipped, and apt is only
# consulted when something is missing. Must run as root (or via sudo).
#
#===----------------------------------------------------------------------===#
set -euo pipefail

PACKAGES=(
  # Toolchain.
  g++ cmake ninja-build ccache git
  # ASan + UBSan + libFuzzer builds (scripts/sanitize.sh, scripts/fuzz.sh, CI).
  clang
  # LLVM/MLIR 22 (libMLIR.so, mlir-tblgen, FileCheck, lit, not, split-file).
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools
  zlib1g-dev libzstd-dev libedit-dev libcurl4-openssl-dev libxml2-dev libffi-dev
  # ONNX frontend.
  libonnx-dev libprotobuf-dev protobuf-compiler
  # Tests.
  libgtest-dev libgmock-dev libonnx-testdata python3 python3-numpy python3-onnx
  # Models, training and the framework flow.
  python3-torch python3-torchvision dataset-fashion-mnist
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
