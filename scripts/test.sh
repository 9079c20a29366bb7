#!/usr/bin/env bash
# Builds lockcut and runs the whole test suite: once in Release, once with
# AddressSanitizer and UBSan (the corrupted-lockfile tests are meant for it).
# Needs node and npm on PATH: some tests ask npm itself for the answer.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "test: $tool is required (tests compare with npm)" >&2; exit 2; }
done
scripts/setup.sh build -DLOCKCUT_BUILD_BENCH=ON
scripts/setup.sh build-asan -DCMAKE_BUILD_TYPE=Debug -DLOCKCUT_ENABLE_ASAN=ON -DLOCKCUT_BUILD_BENCH=OFF
# the pack tests install the corpus projects with `npm ci` once; both builds
# share those installs
export LOCKCUT_INSTALL_CACHE="$PWD/build/corpus-installs"
echo "== tests (Release)"
ctest --test-dir build -j 2 --output-on-failure
echo "== tests (AddressSanitizer + UBSan)"
ASAN_OPTIONS=detect_leaks=1 ctest --test-dir build-asan -j 2 --output-on-failure
