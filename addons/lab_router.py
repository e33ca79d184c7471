"""Lab only: routes every connection to the local collector (the lab's simulated internet).

HTTP requests are rewritten to the collector's HTTP port; the destination the app asked for is
kept first (flow metadata), so the capture addon records it, not the collector. Connections that
are not HTTP the proxy can read (raw TCP streams, TLS passed through untouched) go to the
collector's stream port, or its TLS port for port 443. An addon that rewrites requests keeps the
original the same way.
"""

from __future__ import annotations

from mitmproxy import http, tcp
from mitmproxy.proxy import server_hooks

from addons.flow_convert import ORIGINAL_KEY, snapshot_destination

TLS_PORTS = (443, 8443)


class LabRouter:
    def __init__(self, collector, dns=None) -> None:
        self.collector = collector  # monitor.lab.collector.Collector: http, stream and TLS ports
        self.dns = dns
        self._routed: dict[str, tuple[str, int]] = {}  # server connection id → where the app was going

    def _location(self, host: str | None) -> str | None:
        return self.dns.location(host) if self.dns is not None else None

    def request(self, flow: http.HTTPFlow) -> None:
        flow.metadata.setdefault(ORIGINAL_KEY, snapshot_destination(flow))
        # The address the lab's DNS table gives the host stands for the receiver's server.
        host_header = flow.request.host_header
        flow.metadata["privmon.server_ip"] = self._location(flow.request.pretty_host)
        flow.request.scheme = "http"
        flow.request.host = self.collector.host
        flow.request.port = self.collector.port
        flow.request.host_header = host_header  # the server sees the Host the app sent (its pages by host)
        flow.metadata["privmon.lab_routed"] = True

    def server_connect(self, data: server_hooks.ServerConnectionHookData) -> None:
        address = data.server.address
        if address is None or address[0] == self.collector.host:
            return
        self._routed[data.server.id] = (str(address[0]), int(address[1]))
        port = self.collector.tls_port if address[1] in TLS_PORTS else self.collector.stream_port
        data.server.address = (self.collector.host, port)

    def server_disconnected(self, data: server_hooks.ServerConnectionHookData) -> None:
        self._routed.pop(data.server.id, None)

    def tcp_message(self, flow: tcp.TCPFlow) -> None:
        if flow.metadata.get("privmon.lab_routed"):
            return
        original = self._routed.get(flow.server_conn.id) if flow.server_conn else None
        host = original[0] if original else (flow.server_conn.address or (None,))[0]
        flow.metadata["privmon.server_ip"] = self._location(host)
        flow.metadata["privmon.lab_routed"] = True
