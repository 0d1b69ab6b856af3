"""A small TCP proxy for fault tests: 127.0.0.1 on an ephemeral port, forwarding to a real server.

``cut()`` closes the listener and every connection (the database is "gone" for the app behind it);
``restore()`` listens again on the same port. ``blackhole()`` keeps accepting but forwards nothing (a database
that hangs). Threads only, stopped by ``close()``; only loopback addresses.
"""

import contextlib
import select
import socket
import threading


class TcpProxy:
    def __init__(self, upstream_host, upstream_port):
        self.upstream = (upstream_host, upstream_port)
        self.port = None
        self._listener = None
        self._lock = threading.Lock()
        self._sockets = set()
        self._silent = False
        self.connections = 0
        self.restore()

    # -- the switches -----------------------------------------------------------------------------------------

    def restore(self):
        """Listen (again) on the same port and forward."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port or 0))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._silent = False
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self):
        """Close the listener and every open connection: new connections are refused, open ones reset."""
        with self._lock:
            listener, self._listener = self._listener, None
            sockets, self._sockets = self._sockets, set()
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def blackhole(self):
        """Drop every open connection, then accept new ones but never answer (a hung server)."""
        self.cut()
        self.restore()
        self._silent = True

    def close(self):
        self.cut()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- the plumbing -----------------------------------------------------------------------------------------

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # the listener was closed
            self.connections += 1
            if self._silent:
                self._track(client)
                continue
            try:
                upstream = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            self._track(client, upstream)
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _track(self, *sockets):
        with self._lock:
            self._sockets.update(sockets)

    def _pump(self, a, b):
        peers = {a: b, b: a}
        try:
            while True:
                readable, _, _ = select.select([a, b], [], [], 1.0)
                if a.fileno() < 0 or b.fileno() < 0:
                    return
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    peers[sock].sendall(data)
        except (OSError, ValueError):
            return
        finally:
            for sock in (a, b):
                with contextlib.suppress(OSError):
                    sock.close()
            with self._lock:
                self._sockets.discard(a)
                self._sockets.discard(b)
