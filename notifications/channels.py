"""Delivery channels: e-mail over SMTP and the optional chat-bot HTTP channel, behind one ``send``.

The in-app inbox needs no channel: its deliveries are written already delivered. A channel raises
``ChannelUnavailable`` when the server cannot be reached (the rest of the batch on that channel waits for
the retry) and any other exception when this one message was refused.
"""

from __future__ import annotations

import json
import smtplib
import ssl
import urllib.error
import urllib.request
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Protocol

from engine.config import Settings
from engine.models.notices import Channel
from engine.notices.delivery import ChannelUnavailable, Outgoing
from notifications.messages import Message, StepLabel, render

# SMTP failures that stop every message, not just this one (the server, the TLS set-up or the login).
_SMTP_DOWN = (smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected, smtplib.SMTPHeloError,
              smtplib.SMTPAuthenticationError, smtplib.SMTPNotSupportedError)  # fmt: skip


class Sender(Protocol):
    """Sends one rendered message to one address."""

    def send(self, address: str, message: Message) -> None: ...


class EmailChannel:
    """Plain-text e-mail over SMTP (STARTTLS, implicit TLS, or none for a relay on this machine)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def send(self, address: str, message: Message) -> None:
        s = self.settings
        email = EmailMessage()
        email["Subject"], email["From"], email["To"] = message.subject, s.smtp_from, address
        email["Message-ID"] = make_msgid(domain=s.smtp_from.rpartition("@")[2])
        email["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies to this
        email.set_content(message.body)
        try:
            if s.smtp_tls == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds,
                                                      context=ssl.create_default_context())  # fmt: skip
            else:
                smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds)
            with smtp:
                if s.smtp_tls == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                if s.smtp_user:
                    smtp.login(s.smtp_user, s.smtp_password)
                smtp.send_message(email)
        except _SMTP_DOWN as exc:
            raise ChannelUnavailable(f"mail server {s.smtp_host}:{s.smtp_port} unusable ({exc})") from exc
        except smtplib.SMTPException:
            raise  # this message was refused (e.g. the recipient): retried on its own
        except OSError as exc:  # refused, timed out, no route, TLS failure: the server, not the message
            raise ChannelUnavailable(f"mail server {s.smtp_host}:{s.smtp_port} unreachable ({exc})") from exc


class ChatChannel:
    """POST ``{"chat_id": ..., "text": ...}`` as JSON to the chat bot's address (bearer token if set)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def send(self, address: str, message: Message) -> None:
        s = self.settings
        body = json.dumps({"chat_id": address, "text": f"{message.subject}\n\n{message.body}"}).encode()
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if s.chat_bot_token:
            headers["Authorization"] = f"Bearer {s.chat_bot_token}"
        request = urllib.request.Request(s.chat_bot_url, data=body, headers=headers, method="POST")  # noqa: S310 - the settings allow http(s) only
        try:
            with urllib.request.urlopen(request, timeout=s.smtp_timeout_seconds) as response:  # noqa: S310 - as above
                response.read()
        except urllib.error.HTTPError as exc:
            if exc.code >= 500:
                raise ChannelUnavailable(f"chat bot answered {exc.code}") from exc
            raise RuntimeError(f"chat bot refused the message ({exc.code})") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise ChannelUnavailable(f"chat bot unreachable ({exc})") from exc


class Dispatcher:
    """The ``send`` the delivery job uses: render for the reader, then hand to the channel."""

    def __init__(self, settings: Settings, senders: dict[Channel, Sender] | None = None, *,
                 step_label: StepLabel | None = None) -> None:  # fmt: skip
        self.settings = settings
        self.step_label = step_label
        self.senders: dict[Channel, Sender] = senders or {Channel.EMAIL: EmailChannel(settings),
                                                          Channel.CHAT: ChatChannel(settings)}  # fmt: skip

    def __call__(self, out: Outgoing) -> None:
        message = render(out.kind, out.payload, language=out.language, base_url=self.settings.base_url,
                         recipient_role=out.recipient_role, channel=out.channel.value,
                         step_label=self.step_label)  # fmt: skip
        self.senders[out.channel].send(out.address, message)
