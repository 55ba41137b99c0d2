"""A database outage on demand: a TCP forwarder between the app and PostgreSQL that the test cuts and
restores, and the same for SQLite by moving the database's folder away."""

from __future__ import annotations

import contextlib
import shutil
import socket
import threading
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url


class Forwarder:
    """Listens on 127.0.0.1 (a free port) and forwards every connection to ``target``, until ``cut``: then every
    open connection is closed and new ones are closed at once (the server "went away"), until ``restore``."""

    def __init__(self, target: tuple[str, int] = ("127.0.0.1", 5432)) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self.up = threading.Event()
        self.up.set()
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._accept, name="db-forwarder", daemon=True)

    def url(self, database_url: str) -> str:
        """``database_url`` (a PostgreSQL URL on 127.0.0.1) through this forwarder."""
        return make_url(database_url).set(host="127.0.0.1", port=self.port).render_as_string(hide_password=False)

    def __enter__(self) -> Forwarder:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._closed = True
        self.cut()
        self.listener.close()

    def cut(self) -> None:
        """The database becomes unreachable: open connections die, new ones are refused."""
        self.up.clear()
        with self._lock:
            sockets, self._open = self._open, set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def restore(self) -> None:
        """The database answers again (through new connections)."""
        self.up.set()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            if not self.up.is_set():
                client.close()
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self._lock:
                self._open |= {client, server}
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


class MovedAway:
    """A SQLite database whose folder is moved away (a disk unmounted, a volume gone) and put back.

    An open SQLite connection keeps using a file whose folder moved, so ``cut`` also drops the open
    connections of ``engines``: each new connection finds no database, as a restarted process would."""

    def __init__(self, folder: Path, *engines: Engine) -> None:
        self.folder, self.engines = folder, list(engines)
        self.away = folder.with_name(folder.name + ".away")

    def cut(self) -> None:
        shutil.move(self.folder, self.away)
        for engine in self.engines:
            engine.dispose()

    def restore(self) -> None:
        shutil.move(self.away, self.folder)
