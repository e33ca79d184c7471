"""A SOCKS5 listener that sends no replies, for the connections the agent redirects.

The agent's replaced connect() (hooks/src/net.ts) writes greeting, credentials and request in
one go and returns at once, without waiting for the proxy: a round trip to mitmproxy's Python
SOCKS5 layer costs about as much as the whole connect() otherwise would, and more through
`adb reverse`. The replies are then never read by anyone, so this listener does not send them;
everything else is mitmproxy's own SOCKS5 layer (credentials through the socks5_auth hook, the
destination, the app's pipelined first bytes handed to the next layer). With the proxy's lazy
connection strategy a SOCKS5 proxy answers success before it connects upstream anyway, so an
unreachable destination reaches the app the same way either way: its connection is closed.

Importing this module registers the mode with mitmproxy ("pipelinedsocks5@HOST:PORT").
"""

from __future__ import annotations

from mitmproxy.proxy import commands, mode_servers, mode_specs
from mitmproxy.proxy.layers.modes import Socks5Proxy

MODE = "pipelinedsocks5"
_REQUEST_REPLY_LEN = 10  # the reply to the CONNECT request (or an error reply): the last one


class PipelinedSocks5Mode(mode_specs.ProxyMode):
    """SOCKS v5 whose handshake replies are not sent (the client pipelines and never reads them)."""

    description = "SOCKS v5 proxy for privmon's redirected connections (no handshake replies)"
    transport_protocol = mode_specs.TCP

    def __post_init__(self) -> None:
        if self.data:
            raise ValueError("pipelinedsocks5 mode takes no arguments")


class PipelinedSocks5(Socks5Proxy):
    _replying = True  # until the request's reply has been held back

    def _handle_event(self, event):
        return self._without_replies(super()._handle_event(event))

    def _without_replies(self, command_generator):
        sent = None
        while True:
            try:
                command = command_generator.send(sent)
            except StopIteration:
                return
            if (
                self._replying
                and isinstance(command, commands.SendData)
                and command.connection is self.context.client
            ):
                if len(command.data) == _REQUEST_REPLY_LEN and command.data[:1] == b"\x05":
                    self._replying = False
                sent = None
                continue
            sent = yield command


class PipelinedSocks5Instance(mode_servers.AsyncioServerInstance[PipelinedSocks5Mode]):
    def make_top_layer(self, context):
        return PipelinedSocks5(context)
