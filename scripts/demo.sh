#!/usr/bin/env bash
# Builds lockcut and runs its main job on the bundled example project
# (fixtures/corpus/img-thumbnail-lambda: an S3 thumbnail Lambda with sharp,
# the AWS SDK, and a dev toolchain of jest, typescript and eslint):
# installs it as CI would (a full `npm ci`, once, into build/demo/), shows
# what production needs and why, then packs the Lambda zip from that install
# without a second `npm install`. Then the cross-platform case: a function
# installed as a Mac would (fixtures/cross-platform: sharp, esbuild and
# lightningcss with darwin binaries only), packed for Lambda x64 and run.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v npm >/dev/null || { echo "demo: npm is required (the example is installed with npm ci)" >&2; exit 2; }
scripts/setup.sh build -DLOCKCUT_BUILD_TESTS=OFF -DLOCKCUT_BUILD_BENCH=OFF
example=build/demo/img-thumbnail-lambda
if [ ! -f build/demo/.installed ] || ! cmp -s build/demo/.installed fixtures/corpus/img-thumbnail-lambda/package-lock.json; then
  rm -rf "$example" build/demo/.installed
  mkdir -p "$example"
  (cd fixtures/corpus/img-thumbnail-lambda && tar -cf - --exclude=./expected --exclude=./node_modules .) | tar -C "$example" -xf -
  echo "demo: npm ci in $example (once)" >&2
  (cd "$example" && npm ci --ignore-scripts --no-audit --no-fund >/dev/null)
  cp fixtures/corpus/img-thumbnail-lambda/package-lock.json build/demo/.installed
fi
# the same function as a Mac installs it: darwin binaries only
mac=build/demo/thumbnail-render-fn-mac
if [ ! -f build/demo/.installed-mac ] || ! cmp -s build/demo/.installed-mac fixtures/cross-platform/package-lock.json; then
  rm -rf "$mac"
  mkdir -p "$mac"
  cp -a fixtures/cross-platform/. "$mac/"
  echo "demo: npm ci --os=darwin --cpu=arm64 in $mac (once)" >&2
  (cd "$mac" && npm ci --ignore-scripts --no-audit --no-fund --os=darwin --cpu=arm64 >/dev/null)
  cp fixtures/cross-platform/package-lock.json build/demo/.installed-mac
fi
set -x
build/cli/lockcut ls "$example"
build/cli/lockcut why @emnapi/runtime "$example"
build/cli/lockcut pack "$example" --dry-run | head -8
build/cli/lockcut pack "$example" --zip build/demo/function.zip --force
build/cli/lockcut pack "$mac" --target lambda-x64 --out build/demo/render-fn-x64 --force
node build/demo/render-fn-x64/index.js
build/cli/lockcut check "$example" --target lambda-arm64 --runtime nodejs20.x
