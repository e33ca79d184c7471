"""`privmon doctor`'s route probe: answers requests for the probe host itself (nothing leaves the
machine) and notes what it saw, so the doctor knows the phone's traffic reached the proxy and
was decrypted, or that the phone refused the proxy's certificate."""

from __future__ import annotations

import threading

from mitmproxy import http, tls

PROBE_HOST = "probe.privmon.test"


class RouteProbe:
    def __init__(self, token: str) -> None:
        self.token = token
        self.seen = threading.Event()
        self.tls_refused: list[str] = []
        self.decrypted = False

    def request(self, flow: http.HTTPFlow) -> None:
        if flow.request.pretty_host.lower() != PROBE_HOST:
            return
        if self.token in flow.request.path:
            self.decrypted = flow.request.scheme == "https"
            self.seen.set()
        flow.response = http.Response.make(200, b"privmon probe ok\n", {"content-type": "text/plain"})

    def tls_failed_client(self, data: tls.TlsData) -> None:
        sni = data.context.client.sni or ""
        if sni.lower() == PROBE_HOST:
            self.tls_refused.append(str(data.conn.error or "handshake failed"))
            self.seen.set()
