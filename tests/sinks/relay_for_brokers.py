"""A TCP relay in front of a real broker (Redis, Mosquitto) that a fault test
pauses and cuts, so the machine's server is never stopped.

pause() holds every byte in both directions (a server that stopped
answering, the connections still open); hold_replies() holds only the
server's (it did the work, its answers are late); cut() drops every
connection, losing what was held, and turns new ones away at once (a server
restarting) until restore().
"""

from __future__ import annotations

import socket
import threading


class Relay:
    """127.0.0.1:`port` -> 127.0.0.1:`target_port`, byte for byte."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._server.getsockname()[1]
        #: Bytes to the server flow while [0] is set, bytes back while [1] is.
        self._flowing = (threading.Event(), threading.Event())
        self.resume()
        self._up = True
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self.connections = 0  # connections relayed to the server, for asserts
        threading.Thread(target=self._accept, daemon=True).start()

    def pause(self) -> None:
        """Hold the bytes: nothing reaches either side until resume()."""
        for flowing in self._flowing:
            flowing.clear()

    def hold_replies(self) -> None:
        """Let requests through, hold what the server sends back."""
        self._flowing[1].clear()

    def resume(self) -> None:
        for flowing in self._flowing:
            flowing.set()

    def cut(self) -> None:
        """Drop every open connection (bytes held by a pause are lost) and
        turn new ones away until restore()."""
        with self._lock:
            self._up = False
            sockets, self._sockets = self._sockets, []
        for end in sockets:
            _close(end)
        self.resume()  # pipes held by a pause end too, dropping their bytes

    def restore(self) -> None:
        with self._lock:
            self._up = True

    def drop_connections(self) -> None:
        """Drop every open connection, losing the bytes held, and let new
        ones in at once (a server's answers lost with its connection)."""
        self.cut()
        self.restore()

    @property
    def address(self) -> str:
        """'127.0.0.1:PORT' for a sink's URL, in place of the server's."""
        return f"127.0.0.1:{self.port}"

    def close(self) -> None:
        self.cut()
        _close(self._server)

    def __enter__(self) -> Relay:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            with self._lock:
                up = self._up
            if not up:
                _close(client)
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                _close(client)
                continue
            with self._lock:
                self._sockets += [client, upstream]
                self.connections += 1
            for direction, ends in enumerate(((client, upstream), (upstream, client))):
                threading.Thread(
                    target=self._pipe,
                    args=(*ends, self._flowing[direction]),
                    daemon=True,
                ).start()

    def _pipe(
        self, source: socket.socket, sink: socket.socket, flowing: threading.Event
    ) -> None:
        try:
            while data := source.recv(65536):
                flowing.wait()
                with self._lock:
                    if source not in self._sockets:
                        return  # cut while held: the bytes are lost
                sink.sendall(data)
        except OSError:
            pass
        finally:
            _close(source)
            _close(sink)


def _close(end: socket.socket) -> None:
    try:
        end.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    end.close()
