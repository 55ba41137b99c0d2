"""E-mail over a real SMTP server on loopback (aiosmtpd), and the chat-bot channel over a local HTTP
server. SMTP down: the message stays in the outbox and goes out when the server is back."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select

from engine.db import transaction
from engine.models.accounts import Role
from engine.models.notices import Channel, Delivery, DeliveryStatus
from engine.notices.delivery import deliver_due_notices
from engine.notices.outbox import add_notice
from engine.notices.preferences import Preferences, set_preferences
from engine.notices.rules import Rules
from notifications.channels import Dispatcher
from tests.conftest import NOW
from tests.notifications.servers import ChatBot, SmtpServer, free_port

PAYLOAD = {"case_code": "RG-7KQ3MX", "step": "Follow-up visit", "due_at": "2026-11-29T03:00:00+00:00",
           "grace_days": 3}  # fmt: skip


@pytest.fixture
def worker(factory, session):
    user = factory.user(Role.CASEWORKER, factory.team(), language="km")
    with transaction(session):
        user.email = "caseworker@example.org"
    return user


def mail_settings(settings, port, **extra):
    return dataclasses.replace(settings, smtp_host="127.0.0.1", smtp_port=port, smtp_tls="none",
                               smtp_from="reintegra@example.org", smtp_timeout_seconds=5,
                               base_url="https://reintegra.example", **extra)  # fmt: skip


def queue(session, user, settings):
    rules = Rules.from_settings(settings)
    with transaction(session):
        add_notice(session, key=("overdue", "work_item:1", "p/0"), case_id=None, payload=PAYLOAD, recipients=[user],
                   rules=rules, now=NOW)  # fmt: skip
    return rules


def deliver(session, settings, rules, now):
    return deliver_due_notices(session=session, now=now, rules=rules, send=Dispatcher(settings))


def outbox_row(session, channel):
    session.expire_all()
    return session.scalar(select(Delivery).where(Delivery.channel == channel))


def test_email_goes_through_a_real_smtp_server_in_the_readers_language(session, worker, settings):
    port = free_port()
    conf = mail_settings(settings, port, smtp_user="reintegra", smtp_password="synthetic-smtp-password")
    rules = queue(session, worker, conf)
    with SmtpServer(port, login=("reintegra", "synthetic-smtp-password")) as server:
        deliver(session, conf, rules, NOW)
    (recipients, message) = server.mailbox.messages[0]
    assert (recipients, len(server.mailbox.messages), server.logins) == (["caseworker@example.org"], 1, ["reintegra"])
    assert message["From"] == "reintegra@example.org"
    assert message["Subject"] == "ហួសកំណត់៖ Follow-up visit (លេខកូដករណី RG-7KQ3MX)"
    body = message.get_content()
    assert "https://reintegra.example/cases/RG-7KQ3MX" in body
    assert outbox_row(session, Channel.EMAIL).status is DeliveryStatus.SENT


def test_smtp_down_keeps_the_message_in_the_outbox_until_the_server_is_back(session, worker, settings):
    port = free_port()  # nothing listens here yet: the mail server is down
    conf = mail_settings(settings, port)
    rules = queue(session, worker, conf)
    report = deliver(session, conf, rules, NOW)
    waiting = outbox_row(session, Channel.EMAIL)
    assert (report.failed, waiting.status, waiting.attempts) == (1, DeliveryStatus.PENDING, 1)
    assert "unreachable" in waiting.last_error

    with SmtpServer(port) as server:
        deliver(session, conf, rules, NOW + dt.timedelta(seconds=30))  # not due again yet
        assert server.mailbox.messages == []
        deliver(session, conf, rules, waiting.next_attempt_at)
    assert [to for to, _message in server.mailbox.messages] == [["caseworker@example.org"]]
    assert outbox_row(session, Channel.EMAIL).status is DeliveryStatus.SENT


def chat_settings(settings, url, token=""):
    return dataclasses.replace(settings, chat_bot_url=url, chat_bot_token=token, smtp_timeout_seconds=5)


def test_chat_messages_are_posted_to_the_bot_with_its_token(session, worker, settings):
    with ChatBot() as bot:
        conf = chat_settings(settings, bot.url, token="synthetic-bot-token")
        set_preferences(session=session, actor=worker, now=NOW, preferences=Preferences(chat=True, chat_id="4242"))
        rules = queue(session, worker, conf)
        deliver(session, conf, rules, NOW)
    ((sent, authorization),) = bot.received
    assert sent["chat_id"] == "4242"
    assert sent["text"].startswith("ហួសកំណត់៖ Follow-up visit")
    assert authorization == "Bearer synthetic-bot-token"
    assert outbox_row(session, Channel.CHAT).status is DeliveryStatus.SENT


@pytest.mark.parametrize(("status", "error"), [(503, "ChannelUnavailable: chat bot answered 503"),
                                               (400, "RuntimeError: chat bot refused the message (400)")])  # fmt: skip
def test_a_chat_bot_error_is_retried_later(session, worker, settings, status, error):
    with ChatBot(status) as bot:
        conf = chat_settings(settings, bot.url)
        set_preferences(session=session, actor=worker, now=NOW, preferences=Preferences(chat=True, chat_id="4242"))
        rules = queue(session, worker, conf)
        deliver(session, conf, rules, NOW)
    row = outbox_row(session, Channel.CHAT)
    assert (row.status, row.attempts, row.last_error) == (DeliveryStatus.PENDING, 1, error)
