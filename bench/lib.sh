# lib.sh: what the end-to-end comparisons share: messages and timing.
# Sourced; measure() reads $runs from the caller.

me=$(basename "$0" .sh)

# die MESSAGE [HINT...]: the error and what to do, then exit 1
die() {
  printf '%s: error: %s\n' "$me" "$1" >&2
  shift
  for h in "$@"; do printf 'hint: %s\n' "$h" >&2; done
  exit 1
}
log() { printf '%s: %s\n' "$me" "$*" >&2; }

# seconds for one run of "$@" (wall clock), read from bash's own clock
# ($EPOCHREALTIME, bash 5): two `date` processes around the command billed
# it about 1 ms of their fork and exec, 2% of a warm pack. (Its decimal
# separator follows the locale.)
time_once() {
  local start end
  start=${EPOCHREALTIME:-$(date +%s.%N)}
  "$@" >/dev/null 2>&1 || { log "failed: $*"; return 1; }
  end=${EPOCHREALTIME:-$(date +%s.%N)}
  echo "${end/,/.} - ${start/,/.}" | bc -l
}

median() { sort -g | awk '{a[NR]=$1} END {m=a[int((NR+1)/2)]; printf "%.3f\n", m}'; }

# set_aside PATH...: moves each PATH that exists into $work/.set-aside
# instead of deleting it; set_aside_until_exit (once $work is known, at the
# script's top level, not in a $(...)) removes that folder when the script
# exits. Deleting between timed runs would bill the next run: on an ext4
# without a journal (the bench machine's root filesystem) the inode
# allocator skips inodes freed in the last minute or more, so creating
# thousands of files soon after deleting thousands took up to three times
# as long (a cold `lockcut pack --zip` of the generated tree: 0.47 s on
# fresh inodes, up to 1.5 s after the previous run's cache was removed).
set_aside() {
  local p
  for p in "$@"; do
    [[ -e $p || -L $p ]] || continue
    mv "$p" "$(mktemp -u "$work/.set-aside/XXXXXXXX")"
  done
}
set_aside_until_exit() {
  mkdir -p "$work/.set-aside"
  trap 'rm -rf "$work/.set-aside"' EXIT
}

# measure PREPARE_CMD CMD...: median wall seconds over $runs runs; PREPARE_CMD
# (eval'd, untimed) runs before each, then `sync`
measure() {
  local prepare=$1; shift
  local times=()
  for ((i = 0; i < runs; i++)); do
    eval "$prepare"
    sync
    times+=("$(time_once "$@")")
  done
  printf '%s\n' "${times[@]}" | median
}

# measure_warm PREPARE_CMD CMD...: measure after one untimed run of the same
# (hyperfine's --warmup 1): what the previous row left behind (thousands of
# files just written, their writeback) is then not billed to this row's
# first run
measure_warm() {
  eval "$1"
  sync
  time_once "${@:2}" >/dev/null || true
  measure "$@"
}

# ratio A B: A / B with one decimal
ratio() { echo "scale=1; $1 / $2" | bc -l | sed 's/^\./0./'; }

# generated_tree N DIR: DIR holds the project of bench/gen-lockfile.js and
# bench/gen-tree.js with N packages, made again when either script changed
# since (the marker file keeps their checksum): a tree from an older
# generator would be timed as if it were this one's.
generated_tree() {
  local n=$1 dir=$2 made
  made=$(cat "$script_dir/gen-lockfile.js" "$script_dir/gen-tree.js" | cksum)
  [[ -f $dir/.bench-installed && $(cat "$dir/.bench-installed") == "$made" ]] && return 0
  log "generating $n packages with files"
  rm -rf "$dir"
  node "$script_dir/gen-lockfile.js" --packages "$n" --out "$dir" >/dev/null 2>&1 ||
    die "bench/gen-lockfile.js failed for $dir"
  node "$script_dir/gen-tree.js" "$dir" >/dev/null || die "bench/gen-tree.js failed for $dir"
  echo "$made" >"$dir/.bench-installed"
}
