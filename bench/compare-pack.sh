#!/usr/bin/env bash
# compare-pack.sh: `lockcut pack` against the ways users make a production
# package today, all timed in the same run so the ratios compare like with
# like.
#
#   bench/compare-pack.sh [--lockcut PATH] [--project NAME|DIR]... [--runs N]
#                         [--generated N] [--work DIR]
#
# Inputs (default: the corpus' largest production closure, storefront-web,
# and a generated 5,000-package tree):
#   --project NAME   a corpus project (fixtures/corpus/NAME), installed here
#                    with a full `npm ci --ignore-scripts`
#   --generated N    bench/gen-lockfile.js + bench/gen-tree.js: N packages
#                    with files shaped like the corpus installs (0 = none)
# For each input it measures (median of --runs, default 5; each run starts
# with the last output moved aside, not deleted, and `sync`, not timed;
# set_aside in lib.sh says why):
#   npm ci           npm ci --omit=dev --prefer-offline --ignore-scripts in a
#                    clean copy of the project (corpus only: the generated
#                    packages are not in any registry)
#   cp + npm prune   cp -a of the full install, then npm prune --omit=dev
#                    --ignore-scripts in the copy: the other way to get a
#                    separate production folder without the network (corpus
#                    only: prune reads the registry for unknown packages);
#                    prune alone is printed too
#   cp -a            of the production closure lockcut wrote (same files)
#   zip -qr -X       of that folder
#   lockcut --out    lockcut pack DIR --out OUT --no-own-files --no-cache
#   lockcut --link   the same with --link (hard links)
#   lockcut --zip    lockcut pack DIR --zip OUT --no-own-files --no-cache
# (--no-cache: every run lists every folder and compresses every file, as
# the first run on a machine does; compare-incremental.sh times the cache)
# and prints a Markdown table with the ratios and the machine on stdout.
# Needs node, npm, zip and the npm registry (or a warm npm cache).
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$script_dir/lib.sh"
repo=$(dirname "$script_dir")
build_dir=${BUILD_DIR:-build}
[[ $build_dir == /* ]] || build_dir="$repo/$build_dir"

lockcut="" runs=5 generated=5000 work="" projects=()
while (($#)); do
  case $1 in
    --lockcut) lockcut=$2; shift 2 ;;
    --project) projects+=("$2"); shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --generated) generated=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    -h | --help) sed -n '2,/^[^#]/{/^#/p}' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die "unknown argument '$1'" "run bench/compare-pack.sh --help" ;;
  esac
done
((${#projects[@]})) || projects=(storefront-web)
lockcut=${lockcut:-$build_dir/cli/lockcut}
[[ -x $lockcut ]] || die "no lockcut binary at '$lockcut'" "build first: scripts/setup.sh"
for tool in node npm zip; do command -v "$tool" >/dev/null || die "$tool is required"; done
work=${work:-$build_dir/bench-pack}
mkdir -p "$work"
work=$(cd "$work" && pwd)
set_aside_until_exit


rows=()
add_row() { rows+=("| $1 | $2 | $3 | $4 |"); }

bench_input() {
  local name=$1 dir=$2 corpus=$3
  local out=$work/out
  set_aside "$out"; mkdir -p "$out"
  # the closure once, for cp -a and zip, and for the counts
  "$lockcut" pack "$dir" --out "$out/closure" --no-own-files --no-cache >/dev/null 2>&1 ||
    die "lockcut pack failed on $dir"
  local files mb
  files=$(find "$out/closure" -type f | wc -l)
  mb=$(du -sm --apparent-size "$out/closure" | cut -f1)
  log "$name: $files files, $mb MB in the production closure"

  local t_npm="" t_cp t_zip t_out t_link t_lzip
  if [[ $corpus == 1 ]]; then
    log "$name: npm ci --omit=dev (clean copy)"
    t_npm=$(measure "set_aside '$out/npm'; mkdir -p '$out/npm'; (cd '$dir' && tar -cf - --exclude=./node_modules --exclude='*/node_modules' .) | tar -C '$out/npm' -xf -" \
      bash -c "cd '$out/npm' && npm ci --omit=dev --prefer-offline --ignore-scripts --no-audit --no-fund")
  fi
  local t_copy_prune="" t_prune=""
  if [[ $corpus == 1 ]]; then
    log "$name: cp -a + npm prune --omit=dev, and npm prune alone"
    t_copy_prune=$(measure "set_aside '$out/prune'" \
      bash -c "cp -a '$dir' '$out/prune' && cd '$out/prune' && npm prune --omit=dev --ignore-scripts --no-audit --no-fund")
    t_prune=$(measure "set_aside '$out/prune'; cp -a '$dir' '$out/prune'" \
      bash -c "cd '$out/prune' && npm prune --omit=dev --ignore-scripts --no-audit --no-fund")
  fi
  set_aside "$out/npm" "$out/prune"
  log "$name: cp -a, zip -qr -X"
  t_cp=$(measure "set_aside '$out/cp'" cp -a "$out/closure" "$out/cp")
  t_zip=$(measure "set_aside '$out/zip.zip'" bash -c "cd '$out/closure' && zip -qr -X '$out/zip.zip' .")
  log "$name: lockcut pack --out, --link, --zip"
  local pack=("$lockcut" pack "$dir" --no-own-files --no-cache)
  t_out=$(measure "set_aside '$out/l-out'" "${pack[@]}" --out "$out/l-out")
  t_link=$(measure "set_aside '$out/l-link'" "${pack[@]}" --out "$out/l-link" --link)
  t_lzip=$(measure "set_aside '$out/l.zip'" "${pack[@]}" --zip "$out/l.zip")
  local zip_mb lzip_mb
  zip_mb=$(echo "scale=1; $(stat -c %s "$out/zip.zip") / 1048576" | bc -l)
  lzip_mb=$(echo "scale=1; $(stat -c %s "$out/l.zip") / 1048576" | bc -l)

  local label="$name ($files files, $mb MB)"
  [[ -n $t_npm ]] && add_row "$label" "npm ci --omit=dev --prefer-offline" "${t_npm} s" "lockcut --out is $(ratio "$t_npm" "$t_out")x faster"
  if [[ -n $t_copy_prune ]]; then
    add_row "$label" "cp -a of the full install + npm prune --omit=dev" "${t_copy_prune} s" "lockcut --out is $(ratio "$t_copy_prune" "$t_out")x faster"
    add_row "$label" "npm prune --omit=dev alone (in place, on a copy made beforehand)" "${t_prune} s" "deletes the dev packages; writes nothing"
  fi
  add_row "$label" "cp -a of the same closure" "${t_cp} s" "lockcut --out takes $(ratio "$t_out" "$t_cp")x the time of cp -a"
  add_row "$label" "zip -qr -X of the same closure (${zip_mb} MiB)" "${t_zip} s" "lockcut --zip is $(ratio "$t_zip" "$t_lzip")x faster"
  add_row "$label" "lockcut pack --out" "${t_out} s" ""
  add_row "$label" "lockcut pack --out --link" "${t_link} s" "$(ratio "$t_cp" "$t_link")x faster than cp -a"
  add_row "$label" "lockcut pack --zip (${lzip_mb} MiB)" "${t_lzip} s" ""
  set_aside "$out"
}

for p in "${projects[@]}"; do
  if [[ -d $p ]]; then
    bench_input "$(basename "$p")" "$(cd "$p" && pwd)" 1
    continue
  fi
  src=$repo/fixtures/corpus/$p
  [[ -d $src ]] || die "no corpus project '$p'" "see fixtures/corpus/"
  dir=$work/installs/$p
  if [[ ! -f $dir/.bench-installed ]]; then
    log "$p: npm ci (full install, once)"
    rm -rf "$dir"; mkdir -p "$dir"
    (cd "$src" && tar -cf - --exclude=./node_modules --exclude=./expected .) | tar -C "$dir" -xf -
    (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund >/dev/null 2>&1) || die "npm ci failed in $dir"
    touch "$dir/.bench-installed"
  fi
  bench_input "$p" "$dir" 1
done
if ((generated > 0)); then
  dir=$work/gen-$generated
  generated_tree "$generated" "$dir"
  bench_input "generated-$generated" "$dir" 0
fi

echo "| input | command | median of $runs | ratio |"
echo "|---|---|---:|---|"
printf '%s\n' "${rows[@]}"
echo
echo "machine: $(nproc) cores, $(uname -sr), $(df -T "$work" | awk 'NR==2 {print $2}') at $work; lockcut $("$lockcut" --version | cut -d' ' -f2), npm $(npm --version 2>/dev/null), $(zip -v | sed -n 2p | awk '{print $3, $4}')"
