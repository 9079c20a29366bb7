#!/usr/bin/env bash
# compare-npm.sh: lockcut against npm's own engine on generated projects, all
# timed in the same run so the ratios compare like with like.
#
#   bench/compare-npm.sh [--lockcut PATH] [--sizes "10000 100000"] [--runs N]
#                        [--seed S] [--npm-timeout SEC]
#
# For each size N it generates the project once into
# ${BUILD_DIR:-build}/bench-data/gen-N (bench/gen-lockfile.js; reused while
# the generator, N and the seed are unchanged), then measures:
#   lockcut      lockcut ls --parseable DIR > /dev/null             (hyperfine)
#   loadVirtual  bench/loadvirtual.js: in process (require arborist once,
#                time loadVirtual() only) and the whole node process
#   npm ls       npm ls --all --package-lock-only --omit=dev --json, in DIR
#   peak RSS     of lockcut, with /usr/bin/time -v
# and prints a Markdown table and the machine on stdout; progress and the
# hyperfine reports go to stderr. Without hyperfine it times a bash loop.
#
# npm's loadVirtual() grows with the square of the entry count (every node
# it places walks its parent's whole subtree, arborist node.js
# [_reloadNamedEdges]), so each npm-side command first runs once under
# --npm-timeout (default 900 s; 0 = none). A command slower than 30 s keeps
# that single run as its measurement; one that times out is reported as
# "> limit" and not run again on larger sizes (nor npm ls, which loads the
# same tree first, once loadVirtual alone timed out).
set -euo pipefail

usage() {
  cat <<'EOF'
usage: bench/compare-npm.sh [--lockcut PATH] [--sizes "10000 100000"] [--runs N]
                            [--seed S] [--npm-timeout SEC]
EOF
}

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$script_dir/lib.sh"
repo=$(dirname "$script_dir")
build_dir=${BUILD_DIR:-build}
[[ $build_dir == /* ]] || build_dir="$repo/$build_dir"

lockcut="" sizes="10000 100000" runs=5 seed=1 npm_timeout=900
while (($#)); do
  case $1 in
    --lockcut) (($# >= 2)) || die "--lockcut needs a path"; lockcut=$2; shift 2 ;;
    --lockcut=*) lockcut=${1#*=}; shift ;;
    --sizes) (($# >= 2)) || die "--sizes needs a list"; sizes=$2; shift 2 ;;
    --sizes=*) sizes=${1#*=}; shift ;;
    --runs) (($# >= 2)) || die "--runs needs a number"; runs=$2; shift 2 ;;
    --runs=*) runs=${1#*=}; shift ;;
    --seed) (($# >= 2)) || die "--seed needs a value"; seed=$2; shift 2 ;;
    --seed=*) seed=${1#*=}; shift ;;
    --npm-timeout) (($# >= 2)) || die "--npm-timeout needs seconds"; npm_timeout=$2; shift 2 ;;
    --npm-timeout=*) npm_timeout=${1#*=}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive integer, not '$runs'"
[[ $npm_timeout =~ ^[0-9]+$ ]] || die "--npm-timeout must be a number of seconds, not '$npm_timeout'"
read -r -a size_list <<<"$sizes"
((${#size_list[@]})) || die "--sizes is empty"
for n in "${size_list[@]}"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || die "--sizes: not a package count: '$n'" "example: --sizes \"10000 100000\""
done

if [[ -z $lockcut ]]; then
  lockcut="$build_dir/cli/lockcut"
elif [[ $lockcut != /* ]]; then
  lockcut="$PWD/$lockcut"
fi
[[ -e $lockcut ]] || die "lockcut binary not found: '$lockcut'" \
  "build it first (scripts/setup.sh build), or pass --lockcut PATH"
[[ -f $lockcut && -x $lockcut ]] || die "not an executable file: '$lockcut'"

for tool in node npm timeout; do
  command -v "$tool" >/dev/null || die "$tool is required"
done
npm_root=$(npm root -g 2>/dev/null) || die "'npm root -g' failed"
arborist="$npm_root/npm/node_modules/@npmcli/arborist"
[[ -f $arborist/package.json ]] || die "npm's arborist not found at '$arborist'"
have_hyperfine=0
if command -v hyperfine >/dev/null; then
  have_hyperfine=1
else
  log "hyperfine not found, timing with a bash loop (apt-get install -y hyperfine)"
fi
have_time=0
if [[ -x /usr/bin/time ]]; then
  have_time=1
else
  log "/usr/bin/time not found, no peak RSS (apt-get install -y time)"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

# --- helpers ----------------------------------------------------------------

now_ns() { date +%s%N; }
ms_between() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1e6 }'; }
json_field() { # FILE EXPR: a value from a JSON file, through node
  node -e 'const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(eval(process.argv[2]))' "$1" "$2"
}

# bench NAME RUNS WARMUP CMD: prints "median min max cpu" in ms (cpu: mean
# user + system time of a run, n/a without hyperfine).
bench() {
  local name=$1 n=$2 warm=$3 cmd=$4
  if ((have_hyperfine)); then
    hyperfine --style basic --shell bash --runs "$n" --warmup "$warm" --command-name "$name" \
      --export-json "$tmp/hf.json" "$cmd" >&2
    json_field "$tmp/hf.json" \
      'const r = j.results[0]; [r.median, r.min, r.max, r.user + r.system].map((s) => (s * 1000).toFixed(1)).join(" ")'
  else
    local i s e
    for ((i = 0; i < warm; i++)); do bash -c "$cmd" || return 1; done
    : >"$tmp/loop"
    for ((i = 0; i < n; i++)); do
      s=$(now_ns)
      bash -c "$cmd" || return 1
      e=$(now_ns)
      ms_between "$s" "$e" >>"$tmp/loop"
      echo >>"$tmp/loop"
    done
    sort -n "$tmp/loop" | awk '{ v[NR] = $1 } END {
      m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      printf "%.1f %.1f %.1f n/a\n", m, v[1], v[NR] }'
    log "$name: $n runs, sorted: $(sort -n "$tmp/loop" | tr '\n' ' ')ms"
  fi
}

# probe CMD: one run under the npm timeout; sets probe_ms, probe_rc (124 =
# timed out), and with /usr/bin/time probe_cpu (user + system ms) and
# probe_rss (peak RSS, MiB).
probe() {
  local s e
  local -a limit=() meter=()
  ((npm_timeout > 0)) && limit=(timeout --kill-after=10 "$npm_timeout")
  ((have_time)) && meter=(/usr/bin/time -v -o "$tmp/probe-time.txt")
  rm -f "$tmp/probe-time.txt"
  s=$(now_ns)
  set +e
  "${limit[@]}" "${meter[@]}" bash -c "$1"
  probe_rc=$?
  set -e
  e=$(now_ns)
  probe_ms=$(ms_between "$s" "$e")
  probe_cpu="n/a" probe_rss="n/a"
  if [[ -s $tmp/probe-time.txt ]]; then
    probe_cpu=$(awk -F': ' '/User time|System time/ { t += $2 } END { printf "%.1f", t * 1000 }' "$tmp/probe-time.txt")
    probe_rss=$(awk -v k="$(rss_kb "$tmp/probe-time.txt")" 'BEGIN { printf "%.0f", k / 1024 }')
  fi
}

rss_kb() { sed -n 's/.*Maximum resident set size (kbytes): //p' "$1"; }
slow_ms=30000
gen_hash=$(sha256sum "$script_dir/gen-lockfile.js" | cut -c1-16)
lv_skip=0 ls_skip=0 # set once a size timed out: larger ones would too

declare -a rows=() cpu_rows=()

for n in "${size_list[@]}"; do
  dir="$build_dir/bench-data/gen-$n"
  stamp="gen-lockfile.js $gen_hash seed $seed"
  if [[ -f $dir/package-lock.json && "$(cat "$dir/.gen-stamp" 2>/dev/null)" == "$stamp" ]]; then
    log "[$n] reusing $dir"
  else
    log "[$n] generating $dir"
    rm -f "$dir/.gen-stamp"
    s=$(now_ns)
    node "$script_dir/gen-lockfile.js" --packages "$n" --seed "$seed" --out "$dir"
    log "[$n] generated in $(ms_between "$s" "$(now_ns)") ms"
    echo "$stamp" >"$dir/.gen-stamp"
  fi
  lock_bytes=$(stat -c %s "$dir/package-lock.json")
  lock_mb=$(awk -v b="$lock_bytes" 'BEGIN { printf "%.1f", b / 1e6 }')
  q_dir=$(printf '%q' "$dir")
  q_lockcut=$(printf '%q' "$lockcut")

  # lockcut: check it works on this project before timing it.
  set +e
  "$lockcut" ls --parseable "$dir" >"$tmp/lockcut.out" 2>"$tmp/lockcut.err"
  rc=$?
  set -e
  if ((rc != 0)); then
    cat "$tmp/lockcut.err" >&2
    die "'$lockcut ls --parseable $dir' failed (exit $rc)"
  fi
  log "[$n] lockcut lists $(wc -l <"$tmp/lockcut.out") locations"
  read -r lc_ms _ _ lc_cpu < <(bench "lockcut ls --parseable (gen-$n)" "$runs" 1 \
    "$q_lockcut ls --parseable $q_dir > /dev/null")
  lc_rss="n/a" lc_rss_ratio="n/a"
  if ((have_time)); then
    /usr/bin/time -v -o "$tmp/time.txt" "$lockcut" ls --parseable "$dir" >/dev/null
    kb=$(rss_kb "$tmp/time.txt")
    lc_rss=$(awk -v k="$kb" 'BEGIN { printf "%.1f", k / 1024 }')
    lc_rss_ratio=$(awk -v k="$kb" -v b="$lock_bytes" 'BEGIN { printf "%.2f", k * 1024 / b }')
    log "[$n] lockcut peak RSS $lc_rss MiB for a $lock_mb MB lockfile"
  fi

  # arborist loadVirtual(): the whole process once (also the in-process
  # first call), then repeated runs when it is fast enough.
  lv_cmd="node $(printf '%q' "$script_dir/loadvirtual.js") $q_dir --arborist $(printf '%q' "$arborist")"
  lvp_ms="" lvp_note="" lvi_ms="" lvi_note="" lvp_cpu="n/a"
  if ((lv_skip)); then
    lvp_ms="> ${npm_timeout}000" lvi_ms="> ${npm_timeout}000" lvp_note="not run: a smaller size timed out"
  else
    log "[$n] loadVirtual: first run (timeout ${npm_timeout}s)"
    probe "$lv_cmd --runs 1 > $tmp/lv.json"
    if ((probe_rc == 124)); then
      lv_skip=1 ls_skip=1
      lvp_ms="> ${npm_timeout}000" lvi_ms="> ${npm_timeout}000" lvp_note="timed out"
    elif ((probe_rc != 0)); then
      lvp_ms="failed" lvi_ms="failed" lvp_note="exit $probe_rc"
    elif awk -v a="$probe_ms" -v b="$slow_ms" 'BEGIN { exit !(a > b) }'; then
      lvp_ms=$probe_ms lvp_note="1 run" lvp_cpu=$probe_cpu
      lvi_ms=$(json_field "$tmp/lv.json" 'j.first_ms') lvi_note="1 run (first call)"
    else
      read -r lvp_ms _ _ lvp_cpu < <(bench "node loadvirtual.js (gen-$n)" "$runs" 0 "$lv_cmd --runs 1 > /dev/null")
      log "[$n] loadVirtual in process: $((runs + 1)) calls"
      bash -c "$lv_cmd --runs $((runs + 1))" >"$tmp/lv.json"
      lvi_ms=$(json_field "$tmp/lv.json" 'j.median_ms')
      lvi_note="median of $runs after a first call of $(json_field "$tmp/lv.json" 'j.first_ms') ms"
    fi
  fi
  log "[$n] loadVirtual: in process $lvi_ms ms ${lvi_note:+($lvi_note)}, node process $lvp_ms ms ${lvp_note:+($lvp_note)}"

  # npm ls: must really list the tree (it exits 1 on problems, which is fine).
  ls_cmd="cd $q_dir && npm ls --all --package-lock-only --omit=dev --json"
  ls_ms="" ls_note="" ls_rss="n/a" ls_cpu="n/a"
  if ((ls_skip)); then
    ls_ms="> ${npm_timeout}000" ls_note="not run: loadVirtual alone timed out"
  else
    log "[$n] npm ls: first run (timeout ${npm_timeout}s)"
    probe "$ls_cmd > $tmp/ls.json 2> $tmp/ls.err"
    if ((probe_rc == 124)); then
      ls_skip=1
      ls_ms="> ${npm_timeout}000" ls_note="timed out"
    else
      listed=$(node -e '
        const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))
        let n = 0
        const walk = (d) => { for (const v of Object.values(d || {})) { n++; walk(v.dependencies) } }
        walk(j.dependencies)
        console.log(n, (j.problems || []).length)' "$tmp/ls.json" 2>/dev/null) || listed=""
      if [[ -z $listed || $listed == 0\ * ]]; then
        tail -5 "$tmp/ls.err" >&2
        ls_ms="failed" ls_note="exit $probe_rc, no tree listed"
      else
        log "[$n] npm ls: exit $probe_rc, ${listed% *} tree entries, ${listed#* } problems"
        ls_rss=$probe_rss
        if awk -v a="$probe_ms" -v b="$slow_ms" 'BEGIN { exit !(a > b) }'; then
          ls_ms=$probe_ms ls_note="1 run" ls_cpu=$probe_cpu
        else
          read -r ls_ms _ _ ls_cpu < <(bench "npm ls (gen-$n)" "$runs" 0 "$ls_cmd > /dev/null 2>&1 || true")
        fi
      fi
    fi
  fi
  log "[$n] npm ls: $ls_ms ms ${ls_note:+($ls_note)}"

  ratio() { # NPM_MS LOCKCUT_MS
    case $1 in
      failed | n/a | "") echo "n/a" ;;
      *) awk -v b="$2" 'BEGIN { exit !(b <= 0) }' && { echo "n/a"; return; } ;;&
      ">"*) awk -v a="${1#> }" -v b="$2" 'BEGIN { printf "> %.0fx", a / b }' ;;
      *) awk -v a="$1" -v b="$2" 'BEGIN { r = a / b; printf (r >= 100 ? "%.0fx" : "%.1fx"), r }' ;;
    esac
  }
  notes=""
  [[ -n $lvi_note ]] && notes+="loadVirtual in process: $lvi_note; "
  [[ -n $lvp_note ]] && notes+="node process: $lvp_note; "
  [[ -n $ls_note ]] && notes+="npm ls: $ls_note; "
  cpu_rows+=("| $n | $lc_cpu | $lvp_cpu | $ls_cpu | $(ratio "$lvp_cpu" "$lc_cpu") | $(ratio "$ls_cpu" "$lc_cpu") |")
  rows+=("| $n | $lock_mb | $lc_ms | $lvi_ms | $lvp_ms | $ls_ms | $(ratio "$lvi_ms" "$lc_ms") | $(ratio "$ls_ms" "$lc_ms") | $lc_rss | $lc_rss_ratio | $ls_rss | ${notes%; } |")
done

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
node_v=$(node -v)
npm_v=$(npm -v 2>/dev/null)
arb_v=$(json_field "$arborist/package.json" 'j.version')
hf_v=$( ((have_hyperfine)) && hyperfine --version | cut -d' ' -f2 || echo "none (bash loop)")

echo
echo "| packages | lockfile MB | lockcut ms | loadVirtual ms (in process) | node + loadVirtual ms | npm ls ms | loadVirtual / lockcut | npm ls / lockcut | lockcut peak RSS MiB | lockcut RSS / lockfile | npm ls peak RSS MiB | notes |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
printf '%s\n' "${rows[@]}"
echo
echo "CPU time (user + system) of one whole process, ms: a steadier measure than wall time on a busy machine."
echo
echo "| packages | lockcut | node + loadVirtual | npm ls | node + loadVirtual / lockcut | npm ls / lockcut |"
echo "|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${cpu_rows[@]}"
echo
echo "lockcut: \`$(basename "$lockcut") ls --parseable DIR\` ($lockcut); medians of $runs runs unless noted; ratios use the in-process loadVirtual time."
echo "machine: $(nproc) CPUs, $cpu, $(awk '/MemTotal/ { printf "%.0f GiB RAM", $2 / 1048576 }' /proc/meminfo); node $node_v, npm $npm_v (arborist $arb_v), hyperfine $hf_v; load average $load_start at start, $(cut -d' ' -f1-3 /proc/loadavg) at end; $(date -u +%Y-%m-%dT%H:%MZ)"
