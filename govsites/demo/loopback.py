"""The one server lifecycle of the loopback webs (the demo web here, the bench web in ``bench/web/``, the hostile
web in ``tests/webs/``): bind every address, serve, stop, release; sockets bound but never listening stand for
a site that is down (connections to them are refused).

``LoopbackWeb`` is the lifecycle: ``start()`` binds (``bind``) then serves (``serve``), once, and releases whatever
was bound when binding fails; ``stop()`` stops serving (``shutdown``) and releases every socket (``release``); a
``with`` block does both. ``LoopbackServers`` fills it in for ``http.server`` servers, each in a daemon thread.
"""

from __future__ import annotations

import socket
import threading
from http.server import ThreadingHTTPServer
from types import TracebackType
from typing import Self


class LoopbackWeb:
    """Start/stop of a web served on loopback addresses; subclasses say how they bind, serve and shut down."""

    def __init__(self) -> None:
        self._reserved: list[socket.socket] = []
        self._running = False

    # ---- what a web fills in ---------------------------------------------------------------------------
    def bind(self) -> None:
        """Bind every address (may raise ``OSError``: ``start()`` then releases what was bound)."""
        raise NotImplementedError

    def serve(self) -> None:
        """Begin serving what ``bind()`` bound."""

    def shutdown(self) -> None:
        """Stop serving (the sockets are released afterwards by ``release()``)."""

    def release(self) -> None:
        """Close every bound socket; the web can be started again."""
        for sock in self._reserved:
            sock.close()
        self._reserved = []

    # ---- shared ----------------------------------------------------------------------------------------
    def reserve(self, host: str, port: int) -> int:
        """Bind ``host:port`` without listening (connections are refused) until ``release()``; the bound port."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind((host, port))
        except OSError:
            sock.close()
            raise
        self._reserved.append(sock)
        return int(sock.getsockname()[1])

    def start(self) -> Self:
        if self._running:
            return self
        try:
            self.bind()
        except BaseException:
            self.release()
            raise
        self.serve()
        self._running = True
        return self

    def stop(self) -> None:
        self.shutdown()
        self.release()
        self._running = False

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


class LoopbackServers(LoopbackWeb):
    """A loopback web of ``http.server`` servers (``add_server`` them in ``bind()``), each in a daemon thread."""

    def __init__(self) -> None:
        super().__init__()
        self._servers: list[ThreadingHTTPServer] = []
        self._threads: list[threading.Thread] = []

    def add_server(self, server: ThreadingHTTPServer) -> ThreadingHTTPServer:
        self._servers.append(server)
        return server

    def serve(self) -> None:
        """Run every bound server in a daemon thread."""
        for server in self._servers:
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
            thread.start()
            self._threads.append(thread)

    def shutdown(self) -> None:
        for server in self._servers:
            server.shutdown()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads = []

    def release(self) -> None:
        for server in self._servers:
            server.server_close()
        self._servers = []
        super().release()
