"""The app side of bench/bench_redirect.py, run under the agent: one command per stdin line.

    proxy N      N requests through the proxy's HTTP port (the proxy-aware path)
    direct N     N requests straight to the lab host's address (redirected by the agent)
    burst N      N requests at once on N threads, straight to the host (redirected)

Each answers one JSON line: connect() times and request latencies in microseconds, failures.
Every address is loopback (the proxy on 127.0.0.1, the lab host on its own 127.x.y.z).
"""

import json
import socket
import sys
import threading
import time

PROXY = ("127.0.0.1", int(sys.argv[1]))
HOST, ADDRESS = sys.argv[2], (sys.argv[3], 80)


def request(via_proxy: bool) -> tuple[int, int]:
    t0 = time.perf_counter_ns()
    sock = socket.create_connection(PROXY if via_proxy else ADDRESS, timeout=10)
    t1 = time.perf_counter_ns()
    target = f"http://{HOST}/bench" if via_proxy else "/bench"
    sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode())
    while sock.recv(65536):
        pass
    t2 = time.perf_counter_ns()
    sock.close()
    return (t1 - t0) // 1000, (t2 - t0) // 1000


def sequential(n: int, via_proxy: bool) -> dict:
    out = {"connect_us": [], "latency_us": [], "failed": 0}
    for _ in range(n):
        try:
            c, latency = request(via_proxy)
            out["connect_us"].append(c)
            out["latency_us"].append(latency)
        except OSError:
            out["failed"] += 1
    return out


def burst(n: int) -> dict:
    out = {"connect_us": [], "latency_us": [], "failed": 0}
    lock = threading.Lock()
    start = threading.Barrier(n)

    def one() -> None:
        start.wait()
        try:
            c, latency = request(False)
            with lock:
                out["connect_us"].append(c)
                out["latency_us"].append(latency)
        except OSError:
            with lock:
                out["failed"] += 1

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


print("ready", flush=True)
for line in sys.stdin:
    command, _, count = line.strip().partition(" ")
    n = int(count or 1)
    if command == "proxy":
        result = sequential(n, True)
    elif command == "direct":
        result = sequential(n, False)
    elif command == "burst":
        result = burst(n)
    else:
        break
    print(json.dumps(result), flush=True)
