#!/usr/bin/env bash
# Installs the Debian packages privmon needs when they are missing: a JDK and gcc (the lab app
# and its native libraries), adb (device control), Node.js/npm (building the Frida agent), Chromium and a CJK font
# (report.pdf, the dashboard's browser test), Redis (the farm's broker; its tests start it on loopback). `install-system-deps.sh bench`
# adds wrk and nginx for bench/bench_proxy.py.
set -euo pipefail

missing=()
command -v javac >/dev/null 2>&1 || missing+=(default-jdk-headless)
command -v gcc >/dev/null 2>&1 || missing+=(gcc libc6-dev)  # the lab device's native libraries (JNI, bionic)
[ -f /usr/include/openssl/ssl.h ] || missing+=(libssl-dev)  # the lab SDKs' native TLS clients
command -v adb >/dev/null 2>&1 || missing+=(adb)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)  # report.pdf and the dashboard's browser test
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)  # the report tests read report.pdf (pdfinfo, pdftotext)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)  # the farm's broker (started by its tests)
fc-list 2>/dev/null | grep -qi "cjk" || missing+=(fonts-noto-cjk)  # Chinese text in report.pdf and screenshots
if [ "${1:-}" = "bench" ]; then  # the proxy benchmark's load generator and origin server
  command -v wrk >/dev/null 2>&1 || missing+=(wrk)
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing Debian packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "error: need root (or sudo) to install: ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
