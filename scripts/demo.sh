#!/usr/bin/env bash
# Builds lockcut and runs its main job on the bundled example project
# (fixtures/corpus/img-thumbnail-lambda: an S3 thumbnail Lambda with sharp,
# the AWS SDK, and a dev toolchain of jest, typescript and eslint).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build -DLOCKCUT_BUILD_TESTS=OFF -DLOCKCUT_BUILD_BENCH=OFF
example=fixtures/corpus/img-thumbnail-lambda
set -x
build/cli/lockcut ls "$example"
build/cli/lockcut why @emnapi/runtime "$example"
