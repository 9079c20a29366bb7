#!/usr/bin/env bash
# Installs what lockcut needs to build (Debian 12 packages) and builds it.
# Idempotent: packages already installed are not touched, an existing build
# directory is reused (ninja rebuilds only what changed).
#
#   scripts/setup.sh [BUILD_DIR] [extra cmake args...]
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${1:-build}
shift || true

packages=(cmake ninja-build g++ pkg-config libsimdjson-dev libboost-graph-dev libtbb-dev
          libarchive-dev libdeflate-dev libcxxopts-dev libgtest-dev libbenchmark-dev
          libcurl4-openssl-dev libssl-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -f "$build_dir/build.ninja" ]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
fi
# two cores on CI: keep the build to two jobs
ninja -C "$build_dir" -j "${LOCKCUT_BUILD_JOBS:-2}" >&2
