"""Graceful shutdown of ``reintegra serve --server gunicorn --workers 2``: SIGTERM while a request is in
progress lets the request finish with its answer, then gunicorn exits cleanly."""

from __future__ import annotations

import http.client
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from engine import migrate
from tests.conftest import TEST_FERNET_KEY, TEST_INDEX_KEY
from tests.notifications.servers import free_port
from tests.notifications.test_scheduler import WAIT, wait_for


def _get(port: int, path: str, headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
    conn.request("GET", path, headers=headers or {})
    return conn.getresponse()


def _up(port: int) -> bool:
    try:
        return _get(port, "/auth/login").status == 200
    except OSError:
        return False


@pytest.mark.real_time
def test_sigterm_lets_a_request_in_progress_finish(tmp_path: Path, keyring) -> None:
    database = tmp_path / "serve.sqlite"
    migrate.upgrade(f"sqlite:///{database}")
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", ""), "REINTEGRA_ENV": "test", "REINTEGRA_DATABASE_URL": f"sqlite:///{database}",
        "REINTEGRA_INSTANCE_PATH": str(tmp_path / "instance"), "REINTEGRA_ENCRYPTION_KEYS": TEST_FERNET_KEY,
        "REINTEGRA_INDEX_KEY": TEST_INDEX_KEY, "REINTEGRA_PASSWORD_HASH_PROFILE": "fast",
    }  # fmt: skip
    command = [str(Path(sys.executable).with_name("reintegra")), "serve", "--server", "gunicorn", "--workers", "2",
               "--port", str(port)]  # fmt: skip
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=log)  # noqa: S603
    try:
        assert wait_for(lambda: _up(port)), log_path.read_text()
        page = _get(port, "/auth/login")
        cookie = page.getheader("Set-Cookie", "").split(";")[0]
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.read().decode())
        assert token
        # A sign-in writes (the failed attempt, the audit line): it waits while the test holds the write lock.
        holder = sqlite3.connect(database, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        answers: list[int] = []

        def sign_in() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
            body = f"username=nobody.here&password=wrong-password-1&csrf_token={token.group(1)}"
            conn.request("POST", "/auth/login", body=body, headers={
                "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})  # fmt: skip
            answers.append(conn.getresponse().status)

        request = threading.Thread(target=sign_in)
        request.start()
        time.sleep(1.0)  # the request is inside the app, waiting for the database
        assert answers == []
        server.send_signal(signal.SIGTERM)
        time.sleep(1.0)
        assert server.poll() is None, "gunicorn must wait for the request in progress"
        holder.execute("ROLLBACK")
        holder.close()
        request.join(WAIT)
        assert answers == [401]  # the answer to a wrong password: the request ran to its end
        assert server.wait(WAIT) == 0
        assert not _up(port)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(WAIT)
