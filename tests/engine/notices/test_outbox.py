"""The outbox: one row per key (written twice is a no-op, enforced by the database), deliveries per
recipient and channel, delivery with retries and exponential backoff, failures kept for administrators."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from engine.db import transaction
from engine.errors import Forbidden, InvalidInput
from engine.models.accounts import Role
from engine.models.notices import Channel, Delivery, DeliveryStatus, Notice
from engine.notices.delivery import ChannelUnavailable, deliver_due_notices
from engine.notices.outbox import add_notice
from engine.notices.preferences import Preferences, get_preferences, set_preferences
from engine.notices.rules import Rules
from engine.notices.status import failed_deliveries, retry_delivery
from tests.engine.notices.scenarios import at, count

EMAIL = dataclasses.replace(Rules(), channels=frozenset({"inbox", "email"}), max_attempts=3)


@pytest.fixture
def worker(factory, session):
    user = factory.user(Role.CASEWORKER, factory.team())
    with transaction(session):
        user.email = "worker@example.org"
    return user


def queue(session, user, key=("overdue", "work_item:1", "p/0"), rules=EMAIL):
    with transaction(session):
        return add_notice(session, key=key, case_id=None, payload={"case_code": "RG-TEST01", "step": "Step",
                          "due_at": None, "grace_days": 3}, recipients=[user], rules=rules, now=at(0))  # fmt: skip


def email_delivery(session):
    session.expire_all()
    return session.scalar(select(Delivery).where(Delivery.channel == Channel.EMAIL))


class Outbox:
    """A stand-in channel that records what it sent and can be switched off."""

    def __init__(self, error=None):
        self.sent, self.error = [], error

    def __call__(self, out):
        if self.error:
            raise self.error
        self.sent.append(out)


def test_the_same_key_is_written_once(session, worker):
    assert queue(session, worker) is True
    assert queue(session, worker) is False
    assert count(session, Notice) == 1
    assert count(session, Delivery) == 2  # inbox and e-mail


def test_the_database_refuses_a_duplicate_key(session, worker):
    queue(session, worker)
    with pytest.raises(IntegrityError), transaction(session):
        session.add(Notice(kind="overdue", subject="work_item:1", period="p/0", payload="{}", created_at=at(0)))


def test_the_inbox_delivery_is_delivered_when_written_and_email_waits_for_the_job(session, worker):
    queue(session, worker)
    channels = {d.channel: d.status for d in session.scalars(select(Delivery))}
    assert channels == {Channel.INBOX: DeliveryStatus.SENT, Channel.EMAIL: DeliveryStatus.PENDING}


def test_delivery_sends_once_and_marks_sent(session, worker):
    queue(session, worker)
    outbox = Outbox()
    deliver_due_notices(session=session, now=at(0), rules=EMAIL, send=outbox)
    deliver_due_notices(session=session, now=at(1), rules=EMAIL, send=outbox)
    assert [(o.address, o.kind, o.payload["case_code"]) for o in outbox.sent] == [
        ("worker@example.org", "overdue", "RG-TEST01")]  # fmt: skip
    assert email_delivery(session).status is DeliveryStatus.SENT


def test_failures_are_retried_with_exponential_backoff_then_kept_as_failed(session, worker):
    queue(session, worker)
    broken = Outbox(RuntimeError("550 mailbox unavailable"))
    deliver_due_notices(session=session, now=at(0), rules=EMAIL, send=broken)
    first = email_delivery(session)
    assert (first.status, first.attempts, first.next_attempt_at) == (DeliveryStatus.PENDING, 1, at(0, seconds=60))
    deliver_due_notices(session=session, now=at(0, seconds=59), rules=EMAIL, send=broken)
    assert email_delivery(session).attempts == 1  # not due yet
    deliver_due_notices(session=session, now=at(0, seconds=60), rules=EMAIL, send=broken)
    assert email_delivery(session).next_attempt_at == at(0, seconds=180)  # waited 60 s, now 120 s
    deliver_due_notices(session=session, now=at(0, seconds=180), rules=EMAIL, send=broken)
    last = email_delivery(session)
    assert (last.status, last.attempts, last.next_attempt_at) == (DeliveryStatus.FAILED, 3, None)
    assert last.last_error == "RuntimeError: 550 mailbox unavailable"
    assert [(f.recipient, f.channel, f.attempts) for f in failed_deliveries(session=session)] == [
        (worker.username, "email", 3)]  # fmt: skip


def test_an_unreachable_channel_postpones_the_rest_of_the_batch_without_trying_it(session, worker, factory):
    other = factory.user(Role.CASEWORKER, worker.team)
    with transaction(session):
        other.email = "other@example.org"
    queue(session, worker)
    queue(session, other, key=("overdue", "work_item:2", "p/0"))
    calls = []

    def down(out):
        calls.append(out.address)
        raise ChannelUnavailable("connection refused")

    report = deliver_due_notices(session=session, now=at(0), rules=EMAIL, send=down)
    assert (len(calls), report.failed) == (1, 2)
    session.expire_all()
    pending = session.scalars(select(Delivery).where(Delivery.channel == Channel.EMAIL)).all()
    assert {(d.status, d.next_attempt_at) for d in pending} == {(DeliveryStatus.PENDING, at(0, seconds=60))}


class Killed(BaseException):
    """The scheduler process dying in the middle of sending."""


def test_a_message_claimed_by_a_scheduler_that_died_is_sent_once_its_lease_ends(session, worker):
    queue(session, worker)

    def die(_out):
        raise Killed

    with pytest.raises(Killed):
        deliver_due_notices(session=session, now=at(0), rules=EMAIL, send=die)
    session.rollback()
    outbox = Outbox()
    deliver_due_notices(session=session, now=at(0, minutes=5), rules=EMAIL, send=outbox)
    assert outbox.sent == []
    deliver_due_notices(session=session, now=at(0, minutes=11), rules=EMAIL, send=outbox)
    assert len(outbox.sent) == 1  # at least once, never lost


def test_switching_email_off_cancels_what_is_still_waiting(session, worker):
    queue(session, worker)
    set_preferences(session=session, actor=worker, now=at(0), preferences=Preferences(email=False))
    outbox = Outbox()
    deliver_due_notices(session=session, now=at(0), rules=EMAIL, send=outbox)
    assert (outbox.sent, email_delivery(session).status) == ([], DeliveryStatus.CANCELLED)


def test_no_email_is_queued_without_an_address_or_when_switched_off(session, factory):
    user = factory.user(Role.CASEWORKER, factory.team())
    queue(session, user)
    assert {d.channel for d in session.scalars(select(Delivery))} == {Channel.INBOX}


def test_chat_goes_to_the_chat_id_chosen_in_the_preferences(session, worker):
    chat = dataclasses.replace(EMAIL, channels=frozenset({"inbox", "chat"}))
    set_preferences(session=session, actor=worker, now=at(0), preferences=Preferences(chat=True, chat_id="@cw.demo"))
    queue(session, worker, rules=chat)
    outbox = Outbox()
    deliver_due_notices(session=session, now=at(0), rules=chat, send=outbox)
    assert [(o.channel, o.address) for o in outbox.sent] == [(Channel.CHAT, "@cw.demo")]


def test_administrators_can_put_a_failed_delivery_back(session, worker, factory):
    queue(session, worker)
    for second in (0, 60, 180):
        deliver_due_notices(session=session, now=at(0, seconds=second), rules=EMAIL, send=Outbox(RuntimeError("x")))
    failed = email_delivery(session)
    with pytest.raises(Forbidden):
        retry_delivery(session=session, actor=worker, now=at(1), delivery_id=failed.id)
    admin = factory.user(Role.ADMINISTRATOR)
    retry_delivery(session=session, actor=admin, now=at(1), delivery_id=failed.id)
    again = email_delivery(session)
    assert (again.status, again.attempts, again.next_attempt_at) == (DeliveryStatus.PENDING, 0, at(1))
    with pytest.raises(InvalidInput):
        retry_delivery(session=session, actor=admin, now=at(1), delivery_id=failed.id)


def test_preferences_default_and_validation(session, worker):
    assert get_preferences(session=session, user=worker) == Preferences()
    with pytest.raises(InvalidInput) as refused:
        set_preferences(session=session, actor=worker, now=at(0),
                        preferences=Preferences(email_address="not an address", chat=True))  # fmt: skip
    assert set(refused.value.fields) == {"email_address", "chat_id"}
    session.rollback()
    chosen = Preferences(email_address="me@example.org", weekly_digest=False)
    set_preferences(session=session, actor=worker, now=at(0), preferences=chosen)
    assert get_preferences(session=session, user=worker) == chosen


def test_backoff_is_capped(session):
    rules = Rules()
    assert [rules.retry_delay(n).total_seconds() for n in (1, 2, 3)] == [60, 120, 240]
    assert rules.retry_delay(30) == dt.timedelta(hours=12)
