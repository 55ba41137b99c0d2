"""A database outage on demand: a TCP forwarder between the app and PostgreSQL that the test cuts and
restores, and the same for SQLite by moving the database's folder away."""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from engine import migrate
from engine.config import Settings
from engine.crypto import KeyRing
from engine.db import make_engine, make_session_factory


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


@dataclass
class Outage:
    """A database the test can take away: its URL for the app, a session straight to it, and the switch."""

    url: str
    session: Session
    switch: Forwarder | MovedAway
    apps: list[Flask] = field(default_factory=list)
    engines: list[Engine] = field(default_factory=list)

    def app(self, settings: Settings, clock: object) -> Flask:
        from web import create_app

        app = create_app(dataclasses.replace(settings, database_url=self.url), clock=clock)  # type: ignore[arg-type]
        app.config["TESTING"] = True
        self.watch(app.extensions["reintegra"]["engine"])
        self.apps.append(app)
        return app

    def watch(self, engine: Engine) -> Engine:
        """Let ``engine`` (of the app or the scheduler under test) lose its connections when the database goes."""
        self.engines.append(engine)
        if isinstance(self.switch, MovedAway):
            self.switch.engines.append(engine)
        return engine

    def close(self) -> None:
        """Put the database back and close every connection the test's app and scheduler opened."""
        if isinstance(self.switch, Forwarder) or self.switch.away.exists():
            self.switch.restore()
        for engine in self.engines:
            engine.dispose()


@pytest.fixture
def outage(request: pytest.FixtureRequest, database_url: str, tmp_path: Path, keyring: KeyRing) -> Iterator[Outage]:
    """The test database behind a forwarder (PostgreSQL), or a SQLite database of the test's own in a folder."""
    if database_url.startswith("postgresql"):
        session: Session = request.getfixturevalue("session")  # wiped after the test
        with Forwarder() as forwarder:
            held = Outage(forwarder.url(database_url), session, forwarder)
            try:
                yield held
            finally:
                held.close()
        return
    folder = tmp_path / "data"
    folder.mkdir()
    url = f"sqlite:///{folder / 'reintegra.sqlite'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as own:
        held = Outage(url, own, MovedAway(folder))
        held.watch(engine)
        try:
            yield held
        finally:
            own.close()
            held.close()
