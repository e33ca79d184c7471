"""Lab only: routes every request to the local collector (the lab's simulated internet).

The destination the app asked for is kept first (flow metadata), so the capture addon records
it, not the collector. An addon that rewrites requests keeps the original the same way.
"""

from __future__ import annotations

from mitmproxy import http

from addons.flow_convert import ORIGINAL_KEY, snapshot_destination


class LabRouter:
    def __init__(self, collector_host: str, collector_port: int, dns: dict[str, str] | None = None) -> None:
        self.collector_host = collector_host
        self.collector_port = collector_port
        self.dns = dns or {}

    def request(self, flow: http.HTTPFlow) -> None:
        flow.metadata.setdefault(ORIGINAL_KEY, snapshot_destination(flow))
        # The address the lab's DNS table gives the host stands for the receiver's server.
        flow.metadata["privmon.server_ip"] = self.dns.get(flow.request.pretty_host.lower())
        flow.request.scheme = "http"
        flow.request.host = self.collector_host
        flow.request.port = self.collector_port
        flow.metadata["privmon.lab_routed"] = True
