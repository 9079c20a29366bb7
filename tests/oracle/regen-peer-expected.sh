#!/usr/bin/env bash
# regen-peer-expected.sh: rewrite npm's answers for the peer fixtures.
#
#   bash tests/oracle/regen-peer-expected.sh [OUT_DIR]
#
# For every lockfile fixture under fixtures/peer-fixtures/arborist (a folder
# holding a package-lock.json or npm-shrinkwrap.json), runs
#   node tests/oracle/npm-oracle.js classify FIXTURE --omit=dev
# and writes OUT_DIR/<fixture>.omit-dev.jsonl, with each `/` of the fixture's
# path written as `~` (workspace3/packages/a -> workspace3~packages~a).
# OUT_DIR defaults to fixtures/peer-fixtures/arborist-expected, so a plain
# run refreshes the recorded answers in place; `git diff` then shows what a
# new npm changed. Fixtures npm itself refuses to load get no file and are
# listed on stderr (today: conflict-package-lock, testing-peer-deps-bad-sw,
# workspace3/packages/a). To check the recorded files without touching them:
#   bash tests/oracle/regen-peer-expected.sh /tmp/peer-out &&
#     diff -r /tmp/peer-out fixtures/peer-fixtures/arborist-expected
# Needs node and npm (the oracle finds npm's engine with `npm root -g`); no
# network. One node process per fixture, as many at once as there are cores.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
fixtures=$repo/fixtures/peer-fixtures/arborist
out=${1:-$repo/fixtures/peer-fixtures/arborist-expected}
mkdir -p "$out"
out=$(cd "$out" && pwd)

# one fixture: write its file, or leave .FIXTURE.refused with npm's reason
one() {
  local rel=$1 name=${1//\//\~}
  local tmp=$out/.$name.tmp
  if node "$here/npm-oracle.js" classify "$fixtures/$rel" --omit=dev > "$tmp" 2> "$tmp.err"; then
    mv "$tmp" "$out/$name.omit-dev.jsonl"
  else
    echo "$rel: $(grep -m1 -v '^npm warn' "$tmp.err" || true)" > "$out/.$name.refused"
    rm -f "$tmp"
  fi
  rm -f "$tmp.err"
}
export -f one
export here fixtures out
rm -f "$out"/.*.refused

# every folder holding a lockfile, including the one fixture that sits inside
# a node_modules tree (shrinkwrapped-dep-with-lock/node_modules/@isaacs/...);
# npm's hidden node_modules/.package-lock.json files are not fixtures
mapfile -t all < <(cd "$fixtures" &&
  find . -type f \( -name package-lock.json -o -name npm-shrinkwrap.json \) |
  sed -e 's|^\./||' -e 's|/[^/]*$||' | LC_ALL=C sort -u)
printf '%s\0' "${all[@]}" | xargs -0 -n1 -P "$(nproc)" bash -c 'one "$1"' _

shopt -s nullglob
refused=("$out"/.*.refused)
echo "wrote $((${#all[@]} - ${#refused[@]})) of ${#all[@]} fixtures' answers to $out"
if [ ${#refused[@]} -gt 0 ]; then
  echo "npm refused ${#refused[@]} (no expected file written):" >&2
  LC_ALL=C sort "${refused[@]}" | sed 's/^/  /' >&2
  rm -f "${refused[@]}"
fi
