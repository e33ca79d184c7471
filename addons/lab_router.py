"""Lab only: routes every request to the local collector (the lab's simulated internet).

Runs after the capture addon, which has already recorded the destination the app asked for.
"""

from __future__ import annotations

from mitmproxy import http


class LabRouter:
    def __init__(self, collector_host: str, collector_port: int) -> None:
        self.collector_host = collector_host
        self.collector_port = collector_port

    def request(self, flow: http.HTTPFlow) -> None:
        flow.request.scheme = "http"
        flow.request.host = self.collector_host
        flow.request.port = self.collector_port
        flow.metadata["privmon.lab_routed"] = True
