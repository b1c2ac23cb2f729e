#!/usr/bin/env bash
# A bounded load test of `pol serve` on loopback (docs/performance.md, "The decision
# service"), with wrk (`apt-get install wrk`) as the client on the same machine:
#
#   1. single-case requests with keep-alive: throughput, p50/p99 latency;
#   2. 1,000-case JSON-lines batch requests: time per case, beside `pol eval` on the same
#      cases in the same run;
#   3. single-case requests while the policies are reloaded 10 times (SIGHUP): failed
#      requests (non-2xx answers and socket errors) must be 0;
#   4. the server's resident memory before, between and after, to see it stay flat.
#
#   benches/serve-load.sh                       # about a minute of load, in 10 s runs
#   DURATION=5s CONNECTIONS=16 benches/serve-load.sh
#
# Every run is bounded by DURATION; traffic goes only to 127.0.0.1. The machine may be
# shared: the script prints `uptime` before each part.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-1}
PORT=${PORT:-18080}
WORK=$(mktemp -d)
SERVER=
cleanup() {
  if [ -n "$SERVER" ]; then kill -TERM "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

command -v wrk >/dev/null || { echo "serve-load.sh needs wrk: apt-get install -y wrk" >&2; exit 2; }
cargo build --release -q -p pol-cli -p pol-bench
POL=$PWD/target/release/pol
GEN=$PWD/target/release/pol-bench
URL=http://127.0.0.1:$PORT

echo "== machine"
echo "nproc: $(nproc)"
lscpu | grep -E '^(Model name|Thread|Core|Socket)' || true
echo "rustc: $(rustc --version); wrk: $(wrk --version 2>&1 | head -1)"

# The cases: one shipped example for single requests; generated cases of all eight
# policies for batches.
tr -d '\n' <examples/cases/venezuelan_tps_conference_canada_advance_parole.json >"$WORK/one.json"
"$GEN" cases 1000 >"$WORK/batch.jsonl"
"$GEN" cases 200000 --seed 7 >"$WORK/big.jsonl"

cat >"$WORK/post.lua" <<'EOF'
wrk.method = "POST"
wrk.headers["Content-Type"] = os.getenv("CONTENT_TYPE")
local f = assert(io.open(os.getenv("BODY"), "rb"))
wrk.body = f:read("*a")
f:close()
function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local failed = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    "RESULT requests=%d rps=%.0f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f failed=%d (non-2xx %d, socket %d)\n",
    summary.requests, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    failed, summary.errors.status, failed - summary.errors.status))
end
EOF

rss() { awk '/VmRSS/ {print $2 " kB"}' "/proc/$SERVER/status"; }
# The server's CPU time (user + system) in clock ticks.
cpu() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
TICK_US=$((1000000 / $(getconf CLK_TCK)))

"$POL" serve --addr "127.0.0.1:$PORT" --policies policies 2>"$WORK/server.log" &
SERVER=$!
for _ in $(seq 100); do
  if curl -fs "$URL/readyz" >/dev/null 2>&1; then break; fi
  sleep 0.1
done
curl -fs "$URL/readyz"
echo "server RSS at start: $(rss)"

load() { # label, body file, content type, connections, cases per request
  echo
  echo "== $1 ($4 connections, $DURATION)"
  uptime
  local before after requests
  before=$(cpu)
  BODY=$2 CONTENT_TYPE=$3 wrk -t"$THREADS" -c"$4" -d"$DURATION" -s "$WORK/post.lua" "$URL/v1/decide" >"$WORK/load.out"
  after=$(cpu)
  grep RESULT "$WORK/load.out"
  requests=$(grep -o 'requests=[0-9]*' "$WORK/load.out" | cut -d= -f2)
  echo "server CPU per case: $(((after - before) * TICK_US * 1000 / (requests * $5))) ns; RSS: $(rss)"
}

# Warm up (connections, allocator), then measure.
BODY=$WORK/one.json CONTENT_TYPE=application/json wrk -t1 -c"$CONNECTIONS" -d2s -s "$WORK/post.lua" "$URL/v1/decide" >/dev/null
echo "server RSS after warm-up: $(rss)"

load "single-case requests, keep-alive" "$WORK/one.json" application/json "$CONNECTIONS" 1
load "1,000-case JSON-lines batches" "$WORK/batch.jsonl" application/x-ndjson 4 1000
echo "(cases per second = requests/s × 1,000)"

echo
echo "== GET /healthz, the floor of HTTP and the middleware ($CONNECTIONS connections, $DURATION)"
cat >"$WORK/get.lua" <<'EOF'
function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d rps=%.0f p50_ms=%.3f p99_ms=%.3f\n", summary.requests,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
EOF
before=$(cpu)
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s "$WORK/get.lua" "$URL/healthz" >"$WORK/load.out"
after=$(cpu)
grep RESULT "$WORK/load.out"
requests=$(grep -o 'requests=[0-9]*' "$WORK/load.out" | cut -d= -f2)
echo "server CPU per request: $(((after - before) * TICK_US * 1000 / requests)) ns"

echo
echo "== pol eval on 200,000 cases of the same generator (time per case, for the batch figure)"
uptime
for _ in 1 2 3; do
  /usr/bin/time -f '%e s wall, %U s user, %S s system' "$POL" eval --format json "$WORK/big.jsonl" >/dev/null 2>"$WORK/eval.time" || true
  tail -1 "$WORK/eval.time"
done

echo
echo "== single-case requests while the policies are reloaded 10 times (SIGHUP)"
uptime
BODY=$WORK/one.json CONTENT_TYPE=application/json \
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s "$WORK/post.lua" "$URL/v1/decide" >"$WORK/reload.out" &
WRK=$!
sleep 0.5
for _ in $(seq 10); do
  kill -HUP "$SERVER"
  sleep 0.8
done
wait "$WRK"
grep -E 'RESULT' "$WORK/reload.out"
curl -fs "$URL/metrics" | grep -E '^pol_reloads_total'
echo "reloads logged: $(grep -c 'reloaded the policies' "$WORK/server.log")"
echo "server RSS: $(rss)"

echo
echo "== sustained: two more single-case runs"
for _ in 1 2; do
  BODY=$WORK/one.json CONTENT_TYPE=application/json \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s "$WORK/post.lua" "$URL/v1/decide" | grep RESULT
  echo "server RSS: $(rss)"
done
curl -fs "$URL/metrics" | grep -E '^pol_http_requests_total' | sort
