"""A TCP proxy whose "database" can go away: it stops listening and drops its connections for a while.

Used to simulate a PostgreSQL outage without touching the shared server: point the crawl's
``NEWSCRAWL_DB_URL`` at :attr:`TcpProxy.port`, then call :meth:`TcpProxy.outage`. While it lasts, a
connection attempt is refused (nothing listens on the port) and every open connection is closed.
"""
from __future__ import annotations

import socket
import threading
import time


class TcpProxy:
    def __init__(self, target_host: str, target_port: int, host: str = "127.0.0.1"):
        self.target = (target_host, target_port)
        self.host = host
        self.port = 0
        self._listener: socket.socket | None = None
        self._conns: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._stopped = False
        self.down_intervals: list[tuple[float, float]] = []  # (start, end) in time.monotonic()

    # -- lifecycle
    def start(self) -> TcpProxy:
        self._listen()
        return self

    def stop(self) -> None:
        self._stopped = True
        self._close_all()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def outage(self, seconds: float) -> None:
        """Refuse connections and drop the open ones for ``seconds`` (blocks), then forward again."""
        start = time.monotonic()
        self._close_all()
        time.sleep(seconds)
        self.down_intervals.append((start, time.monotonic()))
        if not self._stopped:
            self._listen()

    # -- plumbing
    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        with self._lock:
            self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _close_all(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            conns, self._conns = self._conns, set()
        for sock in ([listener] if listener else []) + list(conns):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # the listener was closed: an outage, or the end
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._listener is not listener:  # went down meanwhile
                    client.close()
                    upstream.close()
                    return
                self._conns.update((client, upstream))
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        for sock in (src, dst):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        with self._lock:
            self._conns.discard(src)
            self._conns.discard(dst)
