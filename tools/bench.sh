#!/usr/bin/env bash
# npm run bench: start a fresh Hoard (and a fresh redis-server when installed) and print their
# redis-benchmark tables (../shared/bench/resp-bench.sh) one after the other, then the ratios.
# Environment: BENCH_ROUNDS (default 1), plus resp-bench.sh's RB_* variables.
set -uo pipefail
cd "$(dirname "$0")/.."
BENCH=${BENCH_SCRIPT:-../shared/bench/resp-bench.sh}
[[ -f "$BENCH" ]] || { echo "bench: $BENCH not found (set BENCH_SCRIPT)" >&2; exit 2; }
command -v redis-benchmark >/dev/null || { echo "bench: redis-benchmark not installed (apt-get install redis-tools)" >&2; exit 2; }
ROUNDS=${BENCH_ROUNDS:-1}
# The V8 flags hoard-server runs with: those of its shebang (src/server/main.ts).
NODE_FLAGS=$(sed -n '1s|^#!/usr/bin/env -S node ||p' src/server/main.ts)
out=$(mktemp -d)
trap 'kill $HP $RP 2>/dev/null; rm -rf "$out"' EXIT
HP=""; RP=""
pick_port() { node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
wait_port() { for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.1; done; return 1; }

for r in $(seq "$ROUNDS"); do
  hp=$(pick_port); hdir=$(mktemp -d)
  node $NODE_FLAGS dist/src/server/main.js --port "$hp" --dir "$hdir" --save '' --appendonly no --loglevel warning &
  HP=$!
  wait_port "$hp" || { echo "hoard did not start" >&2; exit 1; }
  RB_PID=$HP bash "$BENCH" "$hp" hoard | tee "$out/hoard.$r"
  kill $HP; wait $HP 2>/dev/null; HP=""; rm -rf "$hdir"
  if command -v redis-server >/dev/null; then
    rp=$(pick_port); rdir=$(mktemp -d)
    redis-server --port "$rp" --dir "$rdir" --save '' --appendonly no --loglevel warning >/dev/null &
    RP=$!
    wait_port "$rp" || { echo "redis-server did not start" >&2; exit 1; }
    RB_PID=$RP bash "$BENCH" "$rp" redis | tee "$out/redis.$r"
    kill $RP; wait $RP 2>/dev/null; RP=""; rm -rf "$rdir"
  fi
done

if ls "$out"/redis.* >/dev/null 2>&1; then
  echo
  echo "# Hoard / Redis throughput ratio (median over $ROUNDS round(s))"
  node tools/bench-ratio.mjs "$out"
fi
