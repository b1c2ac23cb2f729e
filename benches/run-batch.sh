#!/usr/bin/env bash
# Whole-program timings of `pol` (docs/performance.md): a cold `pol eval` of one case, cold
# `pol check` of the shipped policies and of a set 100 times larger, and batches of
# 1,000,000 generated JSON-lines cases (wall time, cases/s, peak memory).
#
#   benches/run-batch.sh            # everything (a few minutes)
#   CASES=200000 benches/run-batch.sh   # a smaller batch
#
# Uses hyperfine when installed (`apt-get install hyperfine`), else a loop. Measure on a
# quiet machine: the script prints `uptime` before each part.
set -euo pipefail
cd "$(dirname "$0")/.."

CASES=${CASES:-1000000}
RUNS=${RUNS:-3}
WORK=${WORK:-$(mktemp -d)}
trap 'rm -rf "$WORK"' EXIT

cargo build --release -q -p pol-cli -p pol-bench
POL=$PWD/target/release/pol
GEN=$PWD/target/release/pol-bench

echo "== machine"
echo "nproc: $(nproc)"
lscpu | grep -E '^(Model name|Thread|Core|Socket|CPU MHz|L2|L3)' || true
echo "rustc: $(rustc --version)"
uptime

one_case=examples/cases/venezuelan_tps_conference_canada_advance_parole.json
"$GEN" policies "$WORK/x100" 100
checked=$("$POL" check "$WORK/x100" 2>&1 | tail -1)
echo "100x set: $checked"

time_cmd() { # name, command...
  local name=$1
  shift
  if command -v hyperfine >/dev/null; then
    hyperfine -N --warmup 5 --runs "${HYPERFINE_RUNS:-50}" --style basic -n "$name" "$*" 2>&1 |
      grep -E 'Benchmark|Time|Range' || true
  else
    local start end
    start=$(date +%s%N)
    for _ in $(seq 50); do "$@" >/dev/null 2>&1 || true; done
    end=$(date +%s%N)
    echo "$name: $(((end - start) / 50000)) µs per run (mean of 50, loop)"
  fi
}

echo
echo "== cold runs"
uptime
time_cmd "pol eval (one case)" "$POL" eval --format json "$one_case"
time_cmd "pol check (shipped)" "$POL" check
HYPERFINE_RUNS=10 time_cmd "pol check (100x set)" "$POL" check "$WORK/x100"

batch() { # label, file, extra pol args...
  local label=$1 file=$2
  shift 2
  for run in $(seq "$RUNS"); do
    /usr/bin/time -f '%e %M %P' -o "$WORK/time" "$POL" eval --format json "$@" "$file" >"$WORK/out.json"
    read -r wall rss cpu <"$WORK/time"
    lines=$(wc -l <"$WORK/out.json")
    rate=$(awk -v n="$lines" -v s="$wall" 'BEGIN { printf "%.0f", n / s }')
    echo "$label, run $run: $lines decisions in $wall s = $rate cases/s, peak RSS $((rss / 1024)) MiB, CPU $cpu"
  done
}

echo
echo "== batch: $CASES cases, JSON decisions written to a file"
"$GEN" cases "$CASES" --seed 11 >"$WORK/complete.jsonl"
"$GEN" cases "$CASES" --seed 12 --known 0.9 >"$WORK/partial.jsonl"
"$GEN" cases "$CASES" --seed 13 --known 0.7 >"$WORK/unknown30.jsonl"
ls -l "$WORK"/*.jsonl | awk '{ print $5 " bytes  " $9 }'
uptime
batch "complete cases, all policies, 2 threads" "$WORK/complete.jsonl"
batch "complete cases, all policies, 1 thread" "$WORK/complete.jsonl" --jobs 1
batch "cases with 10% of facts unknown" "$WORK/partial.jsonl"
batch "cases with 30% of facts unknown" "$WORK/unknown30.jsonl"

echo
echo "== 2,000 advance_parole cases with only as_of and policy known"
"$GEN" cases 2000 --policy advance_parole --known 0 --seed 5 >"$WORK/ap-unknown.jsonl"
uptime
RUNS=5 batch "2,000 advance_parole, every fact unknown" "$WORK/ap-unknown.jsonl"

echo
echo "== memory does not grow with the input: 3x the cases through standard input"
/usr/bin/time -f '%e %M' -o "$WORK/time" sh -c \
  "cat '$WORK/complete.jsonl' '$WORK/complete.jsonl' '$WORK/complete.jsonl' | '$POL' eval --format json - >/dev/null"
read -r wall rss <"$WORK/time"
echo "$((3 * CASES)) cases from stdin to /dev/null in $wall s, peak RSS $((rss / 1024)) MiB"
