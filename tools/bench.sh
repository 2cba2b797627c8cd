#!/usr/bin/env bash
# npm run bench: start a fresh Hoard, a fresh redis-server (when installed) and the Node "physical
# ceiling" server (../shared/bench/node-ceiling.js: parses RESP, does no data work), run the same
# redis-benchmark workload (../shared/bench/resp-bench.sh) against each in turn, then print the
# median ratios: Hoard/Redis (the issues' goals), and Hoard/ceiling (what our code costs over a
# Node server doing nothing) and ceiling/Redis (the most any Node server could reach here).
# Rounds alternate the servers, so that a noisy neighbour spreads over all of them.
# Environment: BENCH_ROUNDS (default 1), BENCH_SERVERS (default "hoard redis ceiling"),
# BENCH_SCRIPT, BENCH_CEILING, plus resp-bench.sh's RB_* variables.
set -uo pipefail
cd "$(dirname "$0")/.."
BENCH=${BENCH_SCRIPT:-../shared/bench/resp-bench.sh}
CEILING=${BENCH_CEILING:-../shared/bench/node-ceiling.js}
[[ -f "$BENCH" ]] || { echo "bench: $BENCH not found (set BENCH_SCRIPT)" >&2; exit 2; }
command -v redis-benchmark >/dev/null || { echo "bench: redis-benchmark not installed (apt-get install redis-tools)" >&2; exit 2; }
ROUNDS=${BENCH_ROUNDS:-1}
# The V8 flags hoard-server runs with: those of its shebang (src/server/main.ts).
NODE_FLAGS=$(sed -n '1s|^#!/usr/bin/env -S node ||p' src/server/main.ts)
out=$(mktemp -d)
SP=""; SDIR=""
trap '[[ -n "$SP" ]] && kill $SP 2>/dev/null; rm -rf "$out" ${SDIR:+"$SDIR"}' EXIT
pick_port() { node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
wait_port() { for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.1; done; return 1; }

servers=()
for s in ${BENCH_SERVERS:-hoard redis ceiling}; do
  case $s in
    hoard) servers+=(hoard) ;;
    redis) if command -v redis-server >/dev/null; then servers+=(redis); else echo "bench: redis-server not installed, skipping it" >&2; fi ;;
    ceiling) if [[ -f "$CEILING" ]]; then servers+=(ceiling); else echo "bench: $CEILING not found, skipping the ceiling" >&2; fi ;;
    *) echo "bench: unknown server $s (hoard, redis, ceiling)" >&2; exit 2 ;;
  esac
done

# run_one NAME ROUND: start a fresh server, benchmark it into $out/NAME.ROUND, stop it.
run_one() {
  local port; port=$(pick_port)
  SDIR=$(mktemp -d)
  case $1 in
    hoard) node $NODE_FLAGS dist/hoard-server.js --port "$port" --dir "$SDIR" --save '' --appendonly no --loglevel warning & ;;
    redis) redis-server --port "$port" --dir "$SDIR" --save '' --appendonly no --loglevel warning >/dev/null & ;;
    ceiling) node "$CEILING" "$port" >/dev/null & ;;
  esac
  SP=$!
  wait_port "$port" || { echo "$1 did not start" >&2; exit 1; }
  RB_PID=$SP bash "$BENCH" "$port" "$1" | tee "$out/$1.$2"
  kill $SP; wait $SP 2>/dev/null; SP=""
  rm -rf "$SDIR"; SDIR=""
}

for r in $(seq "$ROUNDS"); do
  for s in "${servers[@]}"; do run_one "$s" "$r"; done
done

if [[ ${#servers[@]} -gt 1 ]]; then
  echo
  echo "# medians over $ROUNDS round(s)"
  node tools/bench-ratio.mjs "$out"
fi
