"""A small HTTP load driver: ``concurrency`` threads, each with its own signed-in session, bounded by time
and by request count, talking only to 127.0.0.1."""

from __future__ import annotations

import http.client
import re
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.common import summary_ms

HOST = "127.0.0.1"


@dataclass
class Client:
    """One browser: a port on 127.0.0.1 and a cookie jar of one cookie."""

    port: int
    cookie: str = ""
    csrf: str = ""

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, bytes, float]:
        """Send one request; return status, body and milliseconds."""
        conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.perf_counter()
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        elapsed = (time.perf_counter() - start) * 1000
        for value in response.headers.get_all("Set-Cookie") or []:
            self.cookie = value.split(";", 1)[0]
        conn.close()
        return response.status, payload, elapsed

    def token(self, html: bytes) -> str:
        found = re.search(rb'name="csrf_token" value="([^"]+)"', html)
        if found:
            self.csrf = found.group(1).decode()
        return self.csrf

    def sign_in(self, username: str, password: str) -> None:
        _status, page, _ms = self.request("GET", "/auth/login")
        status, _body, _ms = self.request("POST", "/auth/login", {
            "username": username, "password": password, "csrf_token": self.token(page)})  # fmt: skip
        if status != 302:
            raise SystemExit(f"sign-in of {username} failed: HTTP {status}")


@dataclass
class Outcome:
    samples: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    sizes: list[int] = field(default_factory=list)


Step = Callable[[Client, int], tuple[str, str, dict[str, Any] | None] | None]  # -> method, path, body; None: done


def run(clients: list[Client], step: Step, *, seconds: float, max_requests: int, warmup: int = 2) -> dict[str, Any]:
    """Each client runs ``step`` in its own thread until ``seconds`` pass, ``max_requests`` are sent or its
    ``step`` returns None (that client has nothing left to send)."""
    lock = threading.Lock()
    sent = [0]
    outcome = Outcome()
    deadline = time.perf_counter() + seconds

    def worker(client: Client, offset: int) -> None:
        n = 0
        for _ in range(warmup):  # the first request of a worker compiles templates and warms caches
            planned = step(client, offset + n)
            if planned is None:
                return
            client.request(*planned)
            n += 1
        while time.perf_counter() < deadline:
            with lock:
                if sent[0] >= max_requests:
                    return
                sent[0] += 1
            planned = step(client, offset + n)
            n += 1
            if planned is None:
                return
            method, path, body = planned
            status, payload, ms = client.request(method, path, body)
            with lock:
                outcome.samples.append(ms)
                outcome.statuses[status] += 1
                outcome.sizes.append(len(payload))

    start = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(c, i * 100_000)) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    return {
        **summary_ms(outcome.samples),
        "concurrency": len(clients),
        "throughput_rps": round(len(outcome.samples) / wall, 1) if wall else 0,
        "statuses": {str(k): v for k, v in sorted(outcome.statuses.items())},
        "max_bytes": max(outcome.sizes, default=0),
        "median_bytes": sorted(outcome.sizes)[len(outcome.sizes) // 2] if outcome.sizes else 0,
    }
