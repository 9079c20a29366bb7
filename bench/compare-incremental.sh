#!/usr/bin/env bash
# compare-incremental.sh: `lockcut pack --zip` with the entry cache, cold and
# warm, against zip(1), all timed in the same run.
#
#   bench/compare-incremental.sh [--lockcut PATH] [--project NAME] [--runs N]
#                                [--generated N] [--work DIR]
#
# Inputs (default: the corpus' largest production closure, storefront-web,
# and a generated 5,000-package tree):
#   --project NAME   a corpus project (fixtures/corpus/NAME): a copy of
#                    $LOCKCUT_INSTALL_CACHE/NAME when there is one (cp -a,
#                    once), else installed here with `npm ci --ignore-scripts`;
#                    `none` for none
#   --generated N    bench/gen-lockfile.js + bench/gen-tree.js: N packages
#                    with files shaped like the corpus installs (0 = none)
# For each input it measures (median of --runs, default 5; the four lockcut
# rows in rounds of one run each, the order turning, after one untimed
# round; `sync` before each run, not timed):
#   cold             lockcut pack DIR --zip OUT on an empty cache
#   warm, 1 changed  the same on the cache the warm rows share, after one
#                    own file (package.json) changed
#   warm, unchanged  the same with nothing changed
#   warm, replacing  warm, 1 changed, with the previous OUT still there
#   zip -qr -X       of the folder `lockcut pack --out` writes for the input
#   stats alone      the stat calls of a warm pack's trust check and
#                    nothing else (bench/stat_floor.cc, in one process, no
#                    process start): the floor under every warm row
# Every row but "replacing" starts without OUT (moved aside, not timed), so
# the rows differ only in the cache: freeing a replaced zip's blocks is the
# filesystem's work (~18 ms for 38 MiB on an ext4 mounted with `discard`),
# and it gets a row of its own. Each cold run gets an empty cache by moving
# the last one aside: nothing is deleted until the script exits (set_aside
# in lib.sh says why), so leave two minutes before the next bench script.
# Prints a Markdown table with the ratios and the machine on stdout.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$script_dir/lib.sh"
repo=$(dirname "$script_dir")
build_dir=${BUILD_DIR:-build}
[[ $build_dir == /* ]] || build_dir="$repo/$build_dir"

lockcut="" runs=5 generated=5000 work="" project=storefront-web
while (($#)); do
  case $1 in
    --lockcut) lockcut=$2; shift 2 ;;
    --project) project=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --generated) generated=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    -h | --help) sed -n '2,/^[^#]/{/^#/p}' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die "unknown argument '$1'" "run bench/compare-incremental.sh --help" ;;
  esac
done
lockcut=${lockcut:-$build_dir/cli/lockcut}
floor_bin=$build_dir/bench/lockcut_stat_floor  # built with -DLOCKCUT_BUILD_BENCH=ON
[[ -x $floor_bin ]] || log "no $floor_bin: the row of the stats alone is left out"
[[ -x $lockcut ]] || die "no lockcut binary at '$lockcut'" "build first: scripts/setup.sh"
for tool in node npm zip bc; do command -v "$tool" >/dev/null || die "$tool is required"; done
work=${work:-$build_dir/bench-incremental}
mkdir -p "$work"
work=$(cd "$work" && pwd)
set_aside_until_exit


rows=()
add_row() { rows+=("| $1 | $2 | $3 | $4 |"); }

bench_input() {
  local name=$1 dir=$2
  local out=$work/out cache=$work/out/cache
  set_aside "$out"; mkdir -p "$out"
  "$lockcut" pack "$dir" --out "$out/closure" >/dev/null 2>&1 || die "lockcut pack failed on $dir"
  local files mb
  files=$(find "$out/closure" -type f | wc -l)
  mb=$(du -sm --apparent-size "$out/closure" | cut -f1)
  log "$name: $files files, $mb MB"

  # The four lockcut rows are measured in rounds, one run of each per round
  # and the order turning from round to round, after one untimed round: a
  # slow minute on this VM then falls on every row alike, not on whichever
  # row ran during it, and each ratio compares medians over the same
  # minutes. A cold run gets an empty cache of its own; the warm rows share
  # one. The own file that changes: a space more at the end of package.json.
  local zipf=$out/l.zip cold_cache=$out/cold-cache
  local pack=("$lockcut" pack "$dir" --zip "$zipf" --force --cache "$cache")
  local cold=("$lockcut" pack "$dir" --zip "$zipf" --force --cache "$cold_cache")
  "${pack[@]}" >/dev/null 2>&1 || die "lockcut pack failed on $dir"
  log "$name: cold, warm (one own file changed, nothing changed, replacing the zip), $runs rounds"
  local order=(cold one none replace) round k row t
  local -a cold_s=() one_s=() none_s=() replace_s=()
  for ((round = 0; round <= runs; round++)); do
    for ((k = 0; k < 4; k++)); do
      row=${order[(k + round) % 4]}
      case $row in
        cold) set_aside "$cold_cache" "$zipf" ;;
        one) set_aside "$zipf"; printf ' ' >>"$dir/package.json" ;;
        none) set_aside "$zipf" ;;
        replace) printf ' ' >>"$dir/package.json" ;;
      esac
      sync
      if [[ $row == cold ]]; then
        t=$(time_once "${cold[@]}") || die "lockcut pack failed on $dir"
      else
        t=$(time_once "${pack[@]}") || die "lockcut pack failed on $dir"
      fi
      ((round > 0)) || continue
      case $row in
        cold) cold_s+=("$t") ;;
        one) one_s+=("$t") ;;
        none) none_s+=("$t") ;;
        replace) replace_s+=("$t") ;;
      esac
    done
  done
  local t_cold t_one t_none t_replace t_zip
  t_cold=$(printf '%s\n' "${cold_s[@]}" | median)
  t_one=$(printf '%s\n' "${one_s[@]}" | median)
  t_none=$(printf '%s\n' "${none_s[@]}" | median)
  t_replace=$(printf '%s\n' "${replace_s[@]}" | median)
  local counts
  counts=$("${pack[@]}" --json 2>/dev/null |
    node -e 'const j=JSON.parse(require("fs").readFileSync(0)); console.log(`${j.foldersWalked} folders listed, ${j.filesRead} files read, ${j.entriesCompressed} compressed, ${j.entriesReused} reused`)')
  # the stat calls the trust rule needs, alone (bench/stat_floor.cc)
  local t_floor="" floor_calls=""
  if [[ -x $floor_bin ]]; then
    log "$name: the stats alone"
    read -r t_floor floor_calls < <("$lockcut" pack "$dir" --dry-run --json 2>/dev/null |
      node -e 'const j=JSON.parse(require("fs").readFileSync(0)); for (const p of j.packages) if (["package","hidden","fetched"].includes(p.reason)) console.log(p.location)' |
      "$floor_bin" "$dir" --runs "$runs")
  fi
  log "$name: zip -qr -X"
  t_zip=$(measure_warm "set_aside '$out/zip.zip'" bash -c "cd '$out/closure' && zip -qr -X '$out/zip.zip' .")
  local zip_mb lzip_mb
  zip_mb=$(echo "scale=1; $(stat -c %s "$out/zip.zip") / 1048576" | bc -l)
  lzip_mb=$(echo "scale=1; $(stat -c %s "$out/l.zip") / 1048576" | bc -l)

  local label="$name ($files files, $mb MB)"
  add_row "$label" "zip -qr -X of the same folder (${zip_mb} MiB)" "${t_zip} s" ""
  add_row "$label" "lockcut pack --zip, cold: empty cache (${lzip_mb} MiB)" "${t_cold} s" "$(ratio "$t_zip" "$t_cold")x faster than zip"
  add_row "$label" "lockcut pack --zip, warm: one own file changed" "${t_one} s" "$(ratio "$t_cold" "$t_one")x faster than cold, $(ratio "$t_zip" "$t_one")x faster than zip"
  add_row "$label" "lockcut pack --zip, warm: nothing changed ($counts)" "${t_none} s" "$(ratio "$t_cold" "$t_none")x faster than cold"
  add_row "$label" "lockcut pack --zip --force, warm: one own file changed, replacing the previous zip" "${t_replace} s" "$(ratio "$t_cold" "$t_replace")x faster than cold"
  if [[ -n $t_floor ]]; then
    add_row "$label" "only the $floor_calls stat calls a warm pack must make, on all cores, in one process (bench/stat_floor.cc)" "${t_floor} s" "warm, one changed, takes $(ratio "$t_one" "$t_floor")x this"
  fi
  set_aside "$out"
}

if [[ $project != none ]]; then
  src=$repo/fixtures/corpus/$project
  [[ -d $src ]] || die "no corpus project '$project'" "see fixtures/corpus/"
  dir=$work/installs/$project
  if [[ ! -f $dir/.bench-installed ]]; then
    rm -rf "$dir"; mkdir -p "$(dirname "$dir")"
    if [[ -n ${LOCKCUT_INSTALL_CACHE:-} && -d $LOCKCUT_INSTALL_CACHE/$project/node_modules ]]; then
      # a copy: the bench edits the project's own files
      log "$project: copying $LOCKCUT_INSTALL_CACHE/$project (once)"
      cp -a "$LOCKCUT_INSTALL_CACHE/$project" "$dir"
    else
      log "$project: npm ci (full install, once)"
      mkdir -p "$dir"
      (cd "$src" && tar -cf - --exclude=./node_modules --exclude=./expected .) | tar -C "$dir" -xf -
      (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund >/dev/null 2>&1) || die "npm ci failed in $dir"
    fi
    touch "$dir/.bench-installed"
  fi
  bench_input "$project" "$dir"
fi
if ((generated > 0)); then
  dir=$work/gen-$generated
  generated_tree "$generated" "$dir"
  bench_input "generated-$generated" "$dir"
fi

echo "| input | command | median of $runs | ratio |"
echo "|---|---|---:|---|"
printf '%s\n' "${rows[@]}"
echo
echo "machine: $(nproc) cores, $(uname -sr), $(df -T "$work" | awk 'NR==2 {print $2}') at $work; lockcut $("$lockcut" --version | cut -d' ' -f2), $(zip -v | sed -n 2p | awk '{print $3, $4}')"
