"""The connect() redirect (hooks/src/net.ts) against the proxy-aware path, in one run:

- connection set-up: connect() through the redirect (SOCKS5 handshake with the proxy inside the
  replaced connect()) against connect() to the proxy's HTTP port; target median ratio <= 1.2;
- request latency added by the redirect on loopback (whole request, redirected minus
  proxy-aware, per pair of batches); target <= 2 ms at the median;
- 200 connections opened at once: every one a flow of the session (stored / sent >= 1.0).

The client is a small Python program under the real agent (bench/clients/connect_client.py); the
proxy is privmon's in-process mitmproxy with the capture addon and the connection registry,
storing into a real SQLite store; the server is the lab collector. Everything is loopback.

    .venv/bin/python bench/bench_redirect.py [--pairs 10] [--batch 50] [--burst 200] [--record]
"""

from __future__ import annotations

import argparse
import json
import queue
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

from addons.lab_router import LabRouter  # noqa: E402
from addons.privmon_capture import PrivmonCapture  # noqa: E402
from monitor.capture.agent import build_agent  # noqa: E402
from monitor.capture.connections import ConnectionRegistry  # noqa: E402
from monitor.capture.hook_runner import HookRunner, redirect_options  # noqa: E402
from monitor.capture.local import LocalFrida  # noqa: E402
from monitor.capture.proxy import ProxyHost  # noqa: E402
from monitor.lab.collector import Collector  # noqa: E402
from monitor.lab.dns import LabDns  # noqa: E402
from monitor.storage.queries import StoreReader  # noqa: E402
from monitor.storage.writer import EventWriter  # noqa: E402

HOST, ADDRESS = "bench.redirect.lab", "127.21.0.1"
CLIENT = Path(__file__).resolve().parent / "clients" / "connect_client.py"


class Client:
    """The client process under the agent, driven line by line."""

    def __init__(self, proxy_port: int, socks_port: int, writer, session_id: str, registry, cache: Path):
        self.lines: queue.Queue[str] = queue.Queue()
        self._partial = b""
        self.frida = LocalFrida()
        argv = [sys.executable, str(CLIENT), str(proxy_port), HOST, ADDRESS]
        self.pid, session = self.frida.spawn_attached(argv, self._output)
        self.runner = HookRunner(session, self.pid, session_id, writer, registry)
        self.frida.resume(self.pid)
        self._expect("ready")
        self.runner.load(build_agent(cache))
        self.runner.redirect(redirect_options(socks_port, proxy_port))

    def _output(self, pid: int, fd: int, data: bytes) -> None:
        if fd != 1:
            sys.stderr.write(data.decode(errors="replace"))
            return
        *lines, self._partial = (self._partial + data).split(b"\n")
        for line in lines:
            self.lines.put(line.decode())

    def _expect(self, word: str) -> str:
        line = self.lines.get(timeout=60)
        if not line.startswith(word) and not line.startswith("{"):
            raise RuntimeError(f"client said {line!r}")
        return line

    def ask(self, command: str) -> dict:
        self.frida.input(self.pid, f"{command}\n".encode())
        return json.loads(self.lines.get(timeout=120))

    def close(self) -> None:
        self.frida.input(self.pid, b"quit\n")
        self.runner.close(flush=True)
        self.frida.kill(self.pid)
        self.frida.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    harness.add_arguments(parser)
    parser.add_argument("--batch", type=int, default=50, help="requests per side of a pair (default 50)")
    parser.add_argument("--burst", type=int, default=200, help="connections opened at once (default 200)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="privmon-bench-redirect-"))
    writer = EventWriter(tmp / "store.sqlite3")
    session_id = "bench-redirect"
    from monitor import events as ev
    from monitor.timeutil import now_us

    writer.submit(ev.SessionStarted(session_id, "bench", "bench", now_us(), {}))
    registry = ConnectionRegistry()
    capture = PrivmonCapture(writer, session_id, registry)
    dns = LabDns({HOST: ADDRESS}, {})
    results = []
    with Collector() as collector:
        proxy = ProxyHost(tmp / "mitmproxy", [capture, LabRouter(collector, dns)], socks=True)
        port = proxy.start()
        client = Client(port, proxy.socks_port, writer, session_id, registry, tmp / "cache")
        batches: dict[str, list[dict]] = {"proxy": [], "direct": []}

        def side(name: str) -> float:
            batch = client.ask(f"{name} {args.batch}")
            if batch["failed"]:
                raise SystemExit(f"{batch['failed']} of {args.batch} {name} requests failed")
            batches[name].append(batch)
            return statistics.median(batch["connect_us"])

        try:
            setup = harness.run_pairs(
                harness.Comparison(
                    "redirect set-up",
                    "connect() redirected / to the proxy (median µs per batch)",
                    lambda a, b: b / a,
                    1.2,
                    at_least=False,
                    unit="µs",
                ),
                lambda: side("proxy"),
                lambda: side("direct"),
                args,
            )
            results.append(setup)
            counted = len(setup.ratios)
            latency = [
                (statistics.median(d["latency_us"]) - statistics.median(p["latency_us"])) / 1000
                for p, d in zip(batches["proxy"][-counted:], batches["direct"][-counted:])
            ]
            added = harness.Result(
                harness.Comparison(
                    "redirect latency",
                    "request latency added by the redirect (ms, p50 per batch)",
                    lambda a, b: b - a,
                    2.0,
                    at_least=False,
                ),
                ratios=latency,
                load_start=setup.load_start,
                load_end=setup.load_end,
                cpu_at_start=setup.cpu_at_start,
            )
            print(added.line())
            results.append(added)
            stored_before = capture.stored
            burst = client.ask(f"burst {args.burst}")
            time.sleep(1.0)  # the last flows' records reach the store
            stored = capture.stored - stored_before
            print(
                f"burst: {args.burst} connections at once, {burst['failed']} failed, {stored} flows stored, "
                f"connect p50 {statistics.median(burst['connect_us'] or [0]) / 1000:.1f} ms"
            )
            lost = harness.Result(
                harness.Comparison(
                    "redirect burst", f"flows stored / {args.burst} requests at once", None, 1.0
                ),
                ratios=[stored / args.burst],
                load_start=setup.load_start,
                load_end=harness.load(),
                cpu_at_start=setup.cpu_at_start,
            )
            print(lost.line())
            results.append(lost)
        finally:
            client.close()
            proxy.stop()
    writer.flush()
    with StoreReader(tmp / "store.sqlite3") as reader:
        flows = reader.flow_summaries(session_id)
    paths = {f["capture_path"] for f in flows}
    print(f"store: {len(flows)} flows, capture paths {sorted(p or 'none' for p in paths)}")
    writer.close()
    if args.record:
        harness.record(results)


if __name__ == "__main__":
    main()
