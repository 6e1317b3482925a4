"""What the demo web and the hostile web share: HTTP servers on loopback addresses, each in a daemon thread,
and sockets bound but never listening (an address whose connections are refused)."""

from __future__ import annotations

import socket
import threading
from http.server import ThreadingHTTPServer
from types import TracebackType
from typing import Self


class LoopbackServers:
    """Owns servers, their threads and reserved sockets; ``start()`` is the subclass's, the rest is here."""

    def __init__(self) -> None:
        self._servers: list[ThreadingHTTPServer] = []
        self._threads: list[threading.Thread] = []
        self._reserved: list[socket.socket] = []

    def start(self) -> Self:
        raise NotImplementedError

    def _serve_all(self) -> None:
        """Run every bound server in a daemon thread."""
        for server in self._servers:
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
            thread.start()
            self._threads.append(thread)

    def _close(self) -> None:
        for server in self._servers:
            server.server_close()
        for sock in self._reserved:
            sock.close()
        self._servers, self._reserved = [], []

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads = []
        self._close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
