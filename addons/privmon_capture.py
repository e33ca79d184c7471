"""privmon's capture addon: stores every flow (request and response, bodies capped, the cap
recorded) and every WebSocket message in privmon's store.

In-process, `privmon run` / `privmon lab run` hand it their writer and session. Standalone:

    mitmdump -s addons/privmon_capture.py --set privmon_app=com.example.app

creates a session of its own (target "mitmdump") in the store under `privmon_home`
(default: PRIVMON_HOME or the per-user data directory) and ends it when mitmdump exits.
"""

from __future__ import annotations

import gc
import logging
import os
import re
import sys

from mitmproxy import ctx, exceptions, http, tcp, tls
from mitmproxy.proxy import layers
from mitmproxy.proxy.layers.http import HTTPMode

if __package__ in (None, ""):  # loaded by path with `mitmdump -s`
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from addons.flow_convert import (  # noqa: E402
    CONNECTION_KEY,
    DEFAULT_BODY_CAP,
    ORIGINAL_KEY,
    capture_flow,
    flow_to_record,
    stream_record,
    websocket_record,
)
from monitor import events as ev  # noqa: E402
from monitor.timeutil import now_us  # noqa: E402

HTTP_REQUEST_LINE = re.compile(rb"^[A-Z]{3,10} \S+ HTTP/\d(\.\d)?$|^PRI \* HTTP/2\.0")


class PrivmonCapture:
    def __init__(self, writer=None, session_id: str | None = None, connections=None) -> None:
        self.writer = writer  # an EventWriter or a WriterProcess
        self.session_id = session_id
        # monitor.capture.connections.ConnectionRegistry: with it, only the flows of connections a
        # hooked process opened are the session's (other processes sharing the proxy are left out).
        self.connections = connections
        self._owns_writer = writer is None
        self.stored = 0
        self.blind_spots = 0
        self.websocket_messages = 0
        self.live_matcher = None
        self._live_matches = 0
        self._watch_values: list[dict] | None = None

    def load(self, loader) -> None:
        loader.add_option(
            "privmon_home", str, "", "privmon data directory (default: PRIVMON_HOME or the per-user data dir)"
        )
        loader.add_option(
            "privmon_app", str, "unknown", "app package name recorded on the standalone session"
        )
        loader.add_option("privmon_session", str, "", "session id to use standalone (default: a new one)")
        loader.add_option(
            "privmon_body_cap",
            int,
            DEFAULT_BODY_CAP,
            "bytes of each body to store; longer bodies are cut and the cut recorded",
        )
        loader.add_option(
            "privmon_profile",
            str,
            "",
            "device profile whose identifiers are counted live in URLs, headers and raw bodies (progress "
            "only; the analysis pass decodes and stores the matches)",
        )

    def configure(self, updated) -> None:
        if "privmon_body_cap" in updated and ctx.options.privmon_body_cap < 0:
            raise exceptions.OptionsError("privmon_body_cap must be 0 or more")
        if "privmon_profile" in updated and ctx.options.privmon_profile:
            from monitor.device_profile import ProfileError, load_profile

            try:
                self.set_watch_values(load_profile(ctx.options.privmon_profile).watch_values())
            except ProfileError as exc:
                raise exceptions.OptionsError(str(exc)) from exc

    def set_watch_values(self, values: list[dict]) -> None:
        """Match these values live in every request (the lab and `privmon run` pass the profile's).
        A writer process counts them itself, off mitmproxy's interpreter; otherwise it is done here."""
        self._watch_values = values
        self._hand_over_watch()

    def _hand_over_watch(self) -> None:
        if self._watch_values is None or self.writer is None:
            return
        if hasattr(self.writer, "count_live"):
            self.writer.count_live(self._watch_values)
            self.live_matcher = None
        else:
            from monitor.codec.quick_count import quick_counter

            self.live_matcher = quick_counter(self._watch_values)

    @property
    def live_matches(self) -> int:
        """Watched values seen so far in requests as captured (progress only)."""
        counted_by_writer = self.live_matcher is None and hasattr(self.writer, "count_live")
        return self.writer.live_matches if counted_by_writer else self._live_matches

    def running(self) -> None:
        # Everything alive now (mitmproxy's modules, options, certificates, addons) lives as long as
        # the proxy: frozen, the collector stops walking it on every full pass (docs/performance.md).
        gc.freeze()
        if not self._owns_writer or self.writer is not None:
            return
        from monitor.config import Settings
        from monitor.run.owner import owner_record
        from monitor.storage.writer_process import WriterProcess

        settings = Settings.load(ctx.options.privmon_home or None)
        self.writer = WriterProcess(settings.db_path)  # off mitmproxy's interpreter: docs/performance.md
        self.session_id = ctx.options.privmon_session or ev.new_session_id()
        self.writer.submit(
            ev.SessionStarted(
                id=self.session_id,
                app=ctx.options.privmon_app,
                target="mitmdump",
                started_at=now_us(),
                meta={"source": "mitmdump -s addons/privmon_capture.py", "owner": owner_record()},
            )
        )
        self._hand_over_watch()
        logging.getLogger(__name__).info(
            f"privmon: recording into session {self.session_id} ({settings.db_path})"
        )

    def response(self, flow: http.HTTPFlow):
        return self._store(flow) if self.connections is None else self._admit_then_store(flow)

    def error(self, flow: http.HTTPFlow):
        return self._store(flow) if self.connections is None else self._admit_then_store(flow)

    async def _admit_then_store(self, flow) -> None:
        if await self._admit(flow):
            self._store(flow)

    async def _admit(self, flow) -> bool:
        """Is this flow the app's? Its connection must be one a hooked process reported."""
        if CONNECTION_KEY in flow.metadata:
            return True
        if flow.metadata.get("privmon.left_out"):
            return False
        peer = flow.client_conn.peername
        connection = await self.connections.wait_for(flow.client_conn.id, peer[1] if peer else None)
        if connection is None:
            flow.metadata["privmon.left_out"] = True
            if isinstance(flow, http.HTTPFlow):
                host = flow.metadata.get(ORIGINAL_KEY, {}).get("host") or flow.request.pretty_host
            else:
                host = str((flow.server_conn.address or ("?",))[0])
            self.connections.left_out(host)
            return False
        flow.metadata[CONNECTION_KEY] = {
            "capture_path": connection.capture_path,
            "client_port": connection.local_port,
            "opener_pid": connection.pid,
            "opener_seq": connection.seq,
        }
        return True

    def next_layer(self, nextlayer) -> None:
        """mitmproxy takes any stream whose first word is letters for HTTP; an SDK's own line
        protocol ("HELLO v=2 …") is not: only an HTTP request line makes a redirected stream HTTP."""
        if self.connections is None or not isinstance(nextlayer.layer, layers.HttpLayer):
            return
        if nextlayer.layer.mode is not HTTPMode.transparent:
            return
        first_line = nextlayer.data_client().split(b"\r\n", 1)[0].split(b"\n", 1)[0]
        if first_line and not HTTP_REQUEST_LINE.match(first_line):
            nextlayer.layer = layers.TCPLayer(nextlayer.context)

    def socks5_auth(self, data) -> None:
        """A redirected connection names itself in its SOCKS5 credentials (connections.py)."""
        if self.connections is not None:
            data.valid = self.connections.claim(data.client_conn.id, data.username)

    def tls_clienthello(self, data: tls.ClientHelloData) -> None:
        """TLS done by a native library whose plaintext the agent reads goes through untouched."""
        if self.connections is not None:
            client = data.context.client
            if self.connections.is_native_tls(client.id, client.peername[1] if client.peername else None):
                data.ignore_connection = True

    def tcp_end(self, flow: tcp.TCPFlow):
        """A stream that is not HTTP, on one of the app's connections: stored as a raw stream."""
        if self.connections is None or self.writer is None or self.session_id is None:
            return None
        peer = flow.client_conn.peername
        if self.connections.is_native_tls(flow.client_conn.id, peer[1] if peer else None):
            return None  # its plaintext comes from the TLS library (capture path tls-plaintext)
        return self._store_stream(flow)

    def tcp_error(self, flow: tcp.TCPFlow):
        """A stream whose server could not be reached (or broke): stored with its error."""
        return self.tcp_end(flow)

    async def _store_stream(self, flow: tcp.TCPFlow) -> None:
        if not await self._admit(flow):
            return
        peer = flow.client_conn.peername
        connection = self.connections.of_client(flow.client_conn.id, peer[1] if peer else None)
        record = stream_record(flow, self.session_id, connection, self._cap())
        self.writer.submit(record)
        self.stored += 1

    def websocket_message(self, flow: http.HTTPFlow) -> None:
        if self.writer is None or self.session_id is None or flow.websocket is None:
            return
        if self.connections is not None and CONNECTION_KEY not in flow.metadata:
            return  # the handshake's flow was not the app's
        messages = flow.websocket.messages
        self.writer.submit(
            websocket_record(messages[-1], len(messages) - 1, flow.id, self.session_id, self._cap())
        )
        self.websocket_messages += 1

    def tls_failed_client(self, data: tls.TlsData) -> None:
        """The app refused the proxy's certificate: a blind spot (likely pinning), not an error."""
        if self.writer is None or self.session_id is None:
            return
        client = data.context.client
        if self.connections is not None and (
            self.connections.of_client(client.id, client.peername[1] if client.peername else None) is None
        ):
            return  # another process's connection
        server = data.context.server
        address = server.address or (None, None)
        peer = server.peername[0] if server.peername else None
        self.writer.submit(
            ev.BlindSpot(
                session_id=self.session_id,
                ts=now_us(),
                host=data.conn.sni or (address[0] if address else None),
                server_ip=peer,
                port=address[1] if address else None,
                reason=str(data.conn.error or "the client refused the TLS handshake")[:1000],
            )
        )
        self.blind_spots += 1

    def _store(self, flow: http.HTTPFlow) -> None:
        if self.writer is None or self.session_id is None or flow.metadata.get("privmon.stored"):
            return
        flow.metadata["privmon.stored"] = True
        self.stored += 1
        if getattr(
            self.writer, "takes_captures", False
        ):  # the writer process builds the record, off this loop
            self.writer.submit(capture_flow(flow, self.session_id, self._cap()))
            return
        record = flow_to_record(flow, self.session_id, self._cap())
        self.writer.submit(record)
        if self.live_matcher is not None:
            self._live_matches += self.live_matcher.count(vars(record))

    @staticmethod
    def _cap() -> int:
        try:
            return ctx.options.privmon_body_cap
        except (AttributeError, KeyError):
            return DEFAULT_BODY_CAP

    def done(self) -> None:
        if self._owns_writer and self.writer is not None:
            self.writer.submit(
                ev.SessionEnded(id=self.session_id, ended_at=now_us(), status=ev.SESSION_COMPLETED)
            )
            self.writer.close()
            self.writer = None


addons = [PrivmonCapture()]
