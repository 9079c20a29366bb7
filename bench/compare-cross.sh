#!/usr/bin/env bash
# compare-cross.sh: packing for Lambda from a tree installed for another
# platform. lockcut against what users do today, a second `npm ci` for the
# target in a clean copy, all timed in the same run.
#
#   bench/compare-cross.sh [--lockcut PATH] [--project NAME]... [--runs N]
#                          [--from OS-CPU] [--target lambda-x64|lambda-arm64]
#                          [--work DIR]
#
# Each project (default: fixtures/cross-platform and the corpus'
# img-thumbnail-lambda) is installed once as a Mac would install it
# (`npm ci --ignore-scripts --os=darwin --cpu=arm64`; --from changes it).
# Then, medians of --runs (default 5), each with the last output moved
# aside (not deleted: set_aside in lib.sh says why) and `sync`:
#   npm cold      npm ci --omit=dev --os=linux --cpu=<arch> --libc=glibc
#                 --ignore-scripts in a clean copy, with an empty npm cache
#                 (npm_config_cache): every tarball from the registry
#   npm warm      the same with npm's cache filled (--prefer-offline)
#   lockcut cold  lockcut pack DIR --target T --out OUT with an empty
#                 lockcut cache and an empty npm cache: the missing platform
#                 packages from the registry
#   lockcut warm  the same with lockcut's cache filled
# and prints a Markdown table with the ratios. Needs node, npm and the npm
# registry configured in npm's settings.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$script_dir/lib.sh"
repo=$(dirname "$script_dir")
build_dir=${BUILD_DIR:-build}
[[ $build_dir == /* ]] || build_dir="$repo/$build_dir"

lockcut="" runs=5 work="" from=darwin-arm64 target=lambda-x64 projects=()
while (($#)); do
  case $1 in
    --lockcut) lockcut=$2; shift 2 ;;
    --project) projects+=("$2"); shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --from) from=$2; shift 2 ;;
    --target) target=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    -h | --help) sed -n '2,/^[^#]/{/^#/p}' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die "unknown argument '$1'" "run bench/compare-cross.sh --help" ;;
  esac
done
((${#projects[@]})) || projects=(cross-platform corpus/img-thumbnail-lambda)
case $target in
  lambda-x64) cpu=x64 ;;
  lambda-arm64) cpu=arm64 ;;
  *) die "--target must be lambda-x64 or lambda-arm64" ;;
esac
lockcut=${lockcut:-$build_dir/cli/lockcut}
[[ -x $lockcut ]] || die "no lockcut binary at '$lockcut'" "build first: scripts/setup.sh"
for tool in node npm bc; do command -v "$tool" >/dev/null || die "$tool is required"; done
work=${work:-$build_dir/bench-cross}
mkdir -p "$work"
work=$(cd "$work" && pwd)
set_aside_until_exit

rows=()

for p in "${projects[@]}"; do
  src=$repo/fixtures/$p
  [[ -f $src/package-lock.json ]] || die "no project at fixtures/$p"
  name=$(basename "$p")
  dir=$work/installs/$name-$from
  if [[ ! -f $dir/.bench-installed ]]; then
    log "$name: npm ci --os=${from%-*} --cpu=${from#*-} (once)"
    rm -rf "$dir"; mkdir -p "$dir"
    (cd "$src" && tar -cf - --exclude=./node_modules --exclude=./expected .) | tar -C "$dir" -xf -
    (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --os="${from%-*}" --cpu="${from#*-}" >/dev/null 2>&1) ||
      die "npm ci failed in $dir"
    touch "$dir/.bench-installed"
  fi
  out=$work/out
  set_aside "$out"; mkdir -p "$out"
  npm_flags="--omit=dev --os=linux --cpu=$cpu --libc=glibc --ignore-scripts --no-audit --no-fund"
  copy="set_aside '$out/npm'; mkdir -p '$out/npm'; (cd '$src' && tar -cf - --exclude=./node_modules --exclude=./expected .) | tar -C '$out/npm' -xf -"
  log "$name: npm ci for linux-$cpu, cold and warm npm cache"
  t_npm_cold=$(measure "$copy; set_aside '$out/npm-cache'" \
    bash -c "cd '$out/npm' && npm_config_cache='$out/npm-cache' npm ci $npm_flags")
  t_npm_warm=$(measure "$copy" bash -c "cd '$out/npm' && npm ci $npm_flags --prefer-offline")
  log "$name: lockcut pack --target $target, cold and warm cache"
  t_lc_cold=$(measure "set_aside '$out/lc' '$out/lc-cache' '$out/npm-cache'" \
    env npm_config_cache="$out/npm-cache" "$lockcut" pack "$dir" --target "$target" --out "$out/lc" --cache "$out/lc-cache")
  t_lc_warm=$(measure "set_aside '$out/lc'" \
    env npm_config_cache="$out/npm-cache" "$lockcut" pack "$dir" --target "$target" --out "$out/lc" --cache "$out/lc-cache")
  fetched=$(env npm_config_cache="$out/npm-cache" "$lockcut" fetch "$dir" --target "$target" --cache "$out/lc-cache" 2>/dev/null | wc -l)
  files=$(find "$out/lc" -type f | wc -l)
  label="$name from $from ($files files; $fetched packages not installed)"
  rows+=("| $label | npm ci for linux-$cpu, empty npm cache | ${t_npm_cold} s | lockcut cold is $(ratio "$t_npm_cold" "$t_lc_cold")x faster |")
  rows+=("| $label | npm ci for linux-$cpu, warm npm cache | ${t_npm_warm} s | lockcut warm is $(ratio "$t_npm_warm" "$t_lc_warm")x faster |")
  rows+=("| $label | lockcut pack --target $target, empty caches | ${t_lc_cold} s | |")
  rows+=("| $label | lockcut pack --target $target, warm cache | ${t_lc_warm} s | |")
  set_aside "$out"
done

echo "| input | command | median of $runs | ratio |"
echo "|---|---|---:|---|"
printf '%s\n' "${rows[@]}"
echo
echo "machine: $(nproc) cores, $(uname -sr); lockcut $("$lockcut" --version | cut -d' ' -f2), npm $(npm --version 2>/dev/null), node $(node --version)"
