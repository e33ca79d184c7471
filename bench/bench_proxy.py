"""Proxy throughput with privmon's capture addon (storing every flow, live matching of the lab
profile's identifiers) against plain mitmdump with no addon: same loopback load (wrk, keep-alive
connections) through mitmdump in reverse-proxy mode to a local nginx, in pairs (bench/harness.py):
plain, then with the addon, each a fresh mitmdump. wrk and nginx run on one core, mitmdump on the
other; the addon's writer process (niced) runs wherever CPU is free, as it does in a real run.
Target: median ratio (addon / plain) >= 0.90.

    .venv/bin/python bench/bench_proxy.py [--seconds 5] [--pairs 10] [--connections 16] [--record]

Needs wrk and nginx (`bash scripts/install-system-deps.sh bench`, done by `make bench`).
"""

from __future__ import annotations

import argparse
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

NO_LIVE = False
MITMDUMP = Path(sys.executable).with_name("mitmdump")
NGINX_CONF = """
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            default_type application/json;
            return 200 '{{"code":0,"msg":"ok","data":{{"items":[1,2,3]}}}}';
        }}
    }}
}}
"""
# What an SDK's request looks like: a JSON report with identifiers in it.
WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"appkey":"5f8a1c2b3d4e5f6a7b8c9d0e","did":"5f2c8e1b9a7d3c40",'
  .. '"imei_md5":"0c6a4a1e2f1b8d7c9e3f5a6b7c8d9e0f","os":"android","ver":"13",'
  .. '"events":[{"id":"launch","ts":1800000000}]}'
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f} s")


def _nginx() -> str:
    for candidate in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if candidate and Path(candidate).exists():
            return candidate
    raise SystemExit("nginx is not installed: bash scripts/install-system-deps.sh bench")


def _wrk(port: int, seconds: int, connections: int, script: Path, cpus: list[int]) -> float:
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}/v1/report",
        ],
        capture_output=True,
        text=True,
        check=True,
        preexec_fn=lambda: harness.pin(0, cpus),
    ).stdout
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if not m or errors:
        raise SystemExit(f"wrk failed:\n{out}")
    return float(m.group(1))


def _mitmdump(port: int, origin: int, tmp: Path, with_addon: bool, cpus: list[int]) -> subprocess.Popen:
    cmd = [
        str(MITMDUMP),
        "-q",
        "--mode",
        f"reverse:http://127.0.0.1:{origin}",
        "--listen-host",
        "127.0.0.1",
        "-p",
        str(port),
        "--set",
        f"confdir={tmp / 'mitm'}",
    ]
    if with_addon:
        cmd += [
            "-s",
            str(REPO / "addons" / "privmon_capture.py"),
            "--set",
            f"privmon_home={tmp / 'home'}",
            "--set",
            "privmon_app=com.bench.app",
        ] + ([] if NO_LIVE else ["--set", "privmon_profile=lab"])
    # The addon's writer child inherits the core: the whole process under test stays on its side.
    return subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=lambda: harness.pin(0, cpus)
    )


def _stored_flows(tmp: Path) -> int:
    import sqlite3

    db = tmp / "home" / "privmon.sqlite3"
    if not db.exists():
        return 0
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT COUNT(*) FROM flows").fetchone()[0]
    finally:
        con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="measured seconds per side (default 5)")
    parser.add_argument("--connections", type=int, default=16)
    harness.add_arguments(parser)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: bash scripts/install-system-deps.sh bench")
    load_cores, sut_cores = harness.split_cores()
    print(f"wrk and nginx on cores {load_cores}, mitmdump on cores {sut_cores}")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        origin = _free_port()
        (tmp / "nginx.conf").write_text(NGINX_CONF.format(tmp=tmp, port=origin))
        script = tmp / "report.lua"
        script.write_text(WRK_SCRIPT)
        nginx = subprocess.Popen(
            [_nginx(), "-c", str(tmp / "nginx.conf"), "-p", str(tmp)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=lambda: harness.pin(0, load_cores),
        )

        def side(with_addon: bool) -> float:
            port = _free_port()
            proc = _mitmdump(port, origin, tmp, with_addon, sut_cores)
            try:
                _wait_port(port)
                for child in harness.children(proc.pid):  # the addon's writer process: wherever CPU is free,
                    harness.pin(child, harness.cores())  # as in a real run (it is niced)
                _wrk(port, 2, args.connections, script, load_cores)  # warm-up of this process
                return _wrk(port, args.seconds, args.connections, script, load_cores)
            finally:
                proc.terminate()
                proc.wait(timeout=60)

        try:
            _wait_port(origin)
            direct = _wrk(origin, 3, args.connections, script, load_cores)
            print(f"nginx direct: {direct:,.0f} requests/s (the origin is not the bottleneck)")
            comparison = harness.Comparison(
                "proxy", "addon / plain mitmdump", lambda plain, addon: addon / plain, 0.90, unit="requests/s"
            )
            result = harness.run_pairs(comparison, lambda: side(False), lambda: side(True), args)
        finally:
            nginx.terminate()
            nginx.wait(timeout=30)
        stored = _stored_flows(tmp)
    print(
        f"median plain {statistics.median(result.a):,.0f}/s, "
        f"with addon {statistics.median(result.b):,.0f}/s; "
        f"{stored:,} flows stored by the addon"
    )
    if args.record:
        harness.record([result])


if __name__ == "__main__":
    main()
