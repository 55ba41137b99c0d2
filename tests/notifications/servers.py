"""Real servers on loopback for the channel tests: SMTP (aiosmtpd) and a chat bot (http.server)."""

from __future__ import annotations

import json
import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (yet)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Mailbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd on 127.0.0.1:``port`` (plain SMTP; with ``login``, AUTH without TLS, for tests only)."""

    def __init__(self, port: int, login: tuple[str, str] | None = None) -> None:
        self.mailbox = Mailbox()
        self.logins: list[str] = []
        options: dict[str, Any] = {}
        if login is not None:
            options = {"authenticator": self._authenticator(login), "auth_require_tls": False}
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=port, **options)

    def _authenticator(self, login: tuple[str, str]) -> Any:
        def check(_server: Any, _session: Any, _envelope: Any, _mechanism: str, data: Any) -> AuthResult:
            ok = isinstance(data, LoginPassword) and (data.login.decode(), data.password.decode()) == login
            if ok:
                self.logins.append(data.login.decode())
            return AuthResult(success=ok)

        return check

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.controller.stop()


class ChatBot:
    """A chat-bot endpoint on 127.0.0.1 that records each POST and answers ``status``."""

    def __init__(self, status: int = 200) -> None:
        self.received: list[tuple[dict[str, Any], str | None]] = []
        self.status = status
        bot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                bot.received.append((json.loads(body), self.headers.get("Authorization")))
                self.send_response(bot.status)
                self.end_headers()
                self.wfile.write(b'{"ok": true}')

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> ChatBot:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
