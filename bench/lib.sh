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

# seconds for one run of "$@" (wall clock)
time_once() {
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || { log "failed: $*"; return 1; }
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}

median() { sort -g | awk '{a[NR]=$1} END {m=a[int((NR+1)/2)]; printf "%.3f\n", m}'; }

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

# ratio A B: A / B with one decimal
ratio() { echo "scale=1; $1 / $2" | bc -l | sed 's/^\./0./'; }
