"""Proxy throughput with privmon's capture addon (storing every flow, live matching of the lab
profile's identifiers) against plain mitmdump with no addon: same loopback load (wrk, keep-alive
connections) through mitmdump in reverse-proxy mode to a local nginx, in pairs (bench/harness.py):
plain, then with the addon, each a fresh mitmdump. wrk and nginx run on one core, mitmdump on the
other; the addon's writer process (niced) runs wherever CPU is free, as it does in a real run.
Target: median ratio (addon / plain) >= 0.90.

`--path run` measures a run's whole capture path instead of the standalone addon: wrk is spawned
under the real agent (hooks/src/net.ts redirects its connect() to privmon's SOCKS5 listener and
reports each connection), the proxy is privmon's in-process mitmproxy (monitor/capture/proxy.py)
with the capture addon, the connection registry deciding per flow whether it is the app's, and the
writer process, as in `privmon run`.

    .venv/bin/python bench/bench_proxy.py [--path addon|run] [--seconds 5] [--pairs 10] [--connections 16]
        [--record]

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
sys.path.insert(0, str(REPO))
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


class RunPath:
    """B side of `--path run`: wrk under the agent, privmon's proxy host, registry and writer."""

    def __init__(self, tmp: Path, origin: int, script: Path, connections: int, cpus: list[int]) -> None:
        from monitor import events as ev
        from monitor.capture.agent import build_agent
        from monitor.storage.writer_process import WriterProcess
        from monitor.timeutil import now_us

        self.tmp, self.origin, self.script, self.connections, self.cpus = (
            tmp,
            origin,
            script,
            connections,
            cpus,
        )
        self.bundle = build_agent(tmp / "cache")
        self.writer = WriterProcess(tmp / "run-store.sqlite3")
        self.session_id = "bench-proxy-run"
        self.writer.submit(ev.SessionStarted(self.session_id, "bench", "bench", now_us(), {}))
        self.stored = self.left_out = 0

    def side(self, seconds: int) -> float:
        from addons.privmon_capture import PrivmonCapture
        from monitor.capture.connections import ConnectionRegistry
        from monitor.capture.proxy import ProxyHost

        registry = ConnectionRegistry()
        capture = PrivmonCapture(self.writer, self.session_id, registry)
        proxy = ProxyHost(self.tmp / "mitm-run", [capture], socks=True)
        proxy.start()
        try:
            self._wrk(proxy, registry, 2)  # warm-up of this proxy
            rate = self._wrk(proxy, registry, seconds)
        finally:
            proxy.stop()
        self.stored += capture.stored
        self.left_out += sum(registry.foreign.values())
        return rate

    def _wrk(self, proxy, registry, seconds: int) -> float:
        from monitor.capture.hook_runner import HookRunner, redirect_options
        from monitor.capture.local import LocalFrida

        output: list[bytes] = []
        frida = LocalFrida()
        argv = [shutil.which("wrk"), "-t2", f"-c{self.connections}", f"-d{seconds}s", "-s", str(self.script)]
        pid, session = frida.spawn_attached(
            [*argv, f"http://127.0.0.1:{self.origin}/v1/report"], lambda _p, _fd, data: output.append(data)
        )
        runner = HookRunner(session, pid, self.session_id, self.writer, registry)
        try:
            harness.pin(pid, self.cpus)  # its threads, started after resume, inherit the core
            runner.load(self.bundle)
            runner.redirect(redirect_options(proxy.socks_port, proxy.port))
            frida.resume(pid)
            deadline = time.monotonic() + seconds + 30
            while Path(f"/proc/{pid}").exists() and b"Requests/sec" not in b"".join(output):
                if time.monotonic() > deadline:
                    raise SystemExit("wrk under the agent did not finish")
                time.sleep(0.1)
            time.sleep(0.2)  # its last lines
        finally:
            runner.close(flush=False)
            frida.kill(pid)
            frida.close()
        text = b"".join(output).decode(errors="replace")
        m = re.search(r"Requests/sec:\s+([\d.]+)", text)
        if not m or re.search(r"Non-2xx or 3xx responses: (\d+)", text):
            raise SystemExit(f"wrk under the agent failed:\n{text}")
        return float(m.group(1))

    def close(self) -> None:
        self.writer.close()


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
    parser.add_argument(
        "--path",
        choices=("addon", "run"),
        default="addon",
        help="addon: mitmdump -s with the capture addon (default); run: a run's whole capture path "
        "(wrk under the agent, redirected, privmon's proxy host with the connection registry)",
    )
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

        run_path = RunPath(tmp, origin, script, args.connections, load_cores) if args.path == "run" else None
        if run_path is not None:
            harness.pin(0, sut_cores)  # this process is the proxy under test; wrk is pinned apart

        def side(with_addon: bool) -> float:
            if with_addon and run_path is not None:
                return run_path.side(args.seconds)
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
            comparison = (
                harness.Comparison(
                    "proxy",
                    "addon / plain mitmdump",
                    lambda plain, addon: addon / plain,
                    0.90,
                    unit="requests/s",
                )
                if run_path is None
                else harness.Comparison(
                    "proxy (run path)",
                    "redirected wrk through privmon's proxy host and registry / plain mitmdump",
                    lambda plain, run: run / plain,
                    0.90,
                    unit="requests/s",
                )
            )
            result = harness.run_pairs(comparison, lambda: side(False), lambda: side(True), args)
        finally:
            nginx.terminate()
            nginx.wait(timeout=30)
            if run_path is not None:
                run_path.close()
        stored = _stored_flows(tmp) if run_path is None else run_path.stored
        if run_path is not None:
            print(f"run path: {run_path.stored:,} flows stored, {run_path.left_out:,} left out as foreign")
    print(
        f"median plain {statistics.median(result.a):,.0f}/s, "
        f"privmon {statistics.median(result.b):,.0f}/s; "
        f"{stored:,} flows stored by privmon"
    )
    if args.record:
        harness.record([result])


if __name__ == "__main__":
    main()
