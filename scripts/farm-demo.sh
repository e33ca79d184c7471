#!/usr/bin/env bash
# `make farm-demo`: the farm on this machine. A Redis broker on loopback, three simulated phones, a
# `privmon worker` for each, nine runs queued with `privmon submit`, followed with `privmon jobs`
# until done; then the dashboard over the shared store (FARM_SERVE=0 to skip it). Everything it
# started ends with it. The store: $PRIVMON_HOME (default farm-demo-output/home).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=".venv/bin/python"
PRIVMON=".venv/bin/privmon"
OUT="farm-demo-output"
mkdir -p "$OUT"
export PRIVMON_HOME="${PRIVMON_HOME:-$PWD/$OUT/home}"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no >"$OUT/redis.log" 2>&1 &
pids+=($!)
export PRIVMON_BROKER="redis://127.0.0.1:$port/0"
for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.2; done
echo "== broker: $PRIVMON_BROKER"

serials=()
for i in 1 2 3; do
  "$PRIVMON" lab phone >"$OUT/phone-$i.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do grep -q "simulated phone" "$OUT/phone-$i.log" && break; sleep 0.2; done
  serial=$(sed -n 's/.*simulated phone \([^ ]*\) .*/\1/p' "$OUT/phone-$i.log" | head -1)
  [ -n "$serial" ] || { echo "farm-demo: simulated phone $i did not start" >&2; cat "$OUT/phone-$i.log" >&2; exit 1; }
  serials+=("$serial")
  "$PRIVMON" worker --device "$serial" >"$OUT/worker-$i.log" 2>&1 &
  pids+=($!)
  echo "== phone $serial, its worker: $OUT/worker-$i.log"
done
for i in 1 2 3; do
  for _ in $(seq 100); do grep -q "serving" "$OUT/worker-$i.log" && break; sleep 0.2; done
done

echo "== queueing 9 runs of the demo app for any free phone"
"$PRIVMON" submit run com.labapp.shop --count 9
"$PRIVMON" jobs --wait --wait-timeout 1800 >/dev/null
"$PRIVMON" jobs
failed=$("$PRIVMON" jobs --json | "$PY" -c 'import json,sys; print(sum(j["state"] != "completed" for j in json.load(sys.stdin)))')
if [ "$failed" -ne 0 ]; then
  echo "farm-demo: $failed job(s) did not complete (see privmon jobs)" >&2
  exit 1
fi
echo "Store: $PRIVMON_HOME (PRIVMON_HOME=$PRIVMON_HOME privmon sessions)"
if [ "${FARM_SERVE:-1}" = "0" ]; then
  exit 0
fi
echo "Starting the dashboard over the farm's store (Ctrl-C to stop)…"
"$PRIVMON" dashboard
