#!/usr/bin/env bash
# `make demo`: the demo lab session, its findings, an evidence bundle, then the dashboard.
set -euo pipefail
cd "$(dirname "$0")/.."
PRIVMON=".venv/bin/privmon"
OUT="demo-output"
mkdir -p "$OUT"

echo "== privmon demo: lab run (simulated device, real Frida agent, real mitmproxy, real SQLite) =="
status=0
"$PRIVMON" lab run --no-keys || status=$?
if [ "$status" -ne 0 ]; then
  echo "demo: the lab run failed (exit $status)" >&2
  exit "$status"
fi
session=$("$PRIVMON" sessions --json | "$(dirname "$PRIVMON")/python" -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
bundle="$OUT/privmon-$session.zip"
"$PRIVMON" export "$session" -o "$bundle" >/dev/null
"$PRIVMON" verify "$bundle"
"$(dirname "$PRIVMON")/python" - "$bundle" "$OUT" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as zf:
    for name in ("report.html", "report.pdf", "findings.csv"):
        if name in zf.namelist():
            zf.extract(name, sys.argv[2])
PY
echo
echo "Session:  $session   (see: $PRIVMON findings $session --json)"
echo "Evidence: $bundle"
echo "Report:   $OUT/report.html, $OUT/report.pdf, $OUT/findings.csv"
if [ "${DEMO_SERVE:-1}" = "0" ]; then
  exit 0
fi
echo "Starting the dashboard (Ctrl-C to stop)…"
exec "$PRIVMON" dashboard
