"""The lab app's screen as privmon's driver and the simulated phone reach it, across the app's
launches: one loopback socket in the run's process for the whole run.

Each lab JVM serves its own screen (lab/android/src/privmon/lab/Screen.java) on a port of its own,
and a JVM that is stopped (force-stop) takes its screen with it. Requests ("dump", "tap X Y",
"key CODE") go to the screen of the JVM running now; "stop" ends it as `am force-stop` ends an
app's process; "launch" brings it to the foreground, or starts a new JVM under the agent when none
runs (a launcher tap after a force-stop). With no app on the screen, "dump" answers nothing: the
phone shows its launcher."""

from __future__ import annotations

import socketserver
import threading
from typing import Callable

from ..drive.screens import LabScreen, ScreenGone

MAX_REQUEST_BYTES = 4096


class LabControl:
    def __init__(
        self,
        screen_port: Callable[[], int | None],
        stop: Callable[[], None],
        launch: Callable[[], bool],  # True: a new process started; False: the app runs
    ) -> None:
        self._screen_port = screen_port
        self._stop = stop
        self._launch = launch
        control = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                line = self.rfile.readline(MAX_REQUEST_BYTES).decode("utf-8", "replace").strip()
                self.wfile.write(control.answer(line).encode("utf-8"))

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="privmon-lab-control",
            daemon=True,
        )
        self._thread.start()

    def answer(self, line: str) -> str:
        if line == "stop":
            self._stop()
            return "ok"
        if line == "launch" and self._launch():
            return "ok"
        port = self._screen_port()
        if port is None:
            return ""
        try:
            return LabScreen(port).request(line)
        except ScreenGone:
            return ""

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
