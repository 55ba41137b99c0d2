"""Graceful shutdown of ``reintegra scheduler``: SIGTERM in the middle of a slow SMTP send lets the send
finish and records it, so the message is neither lost nor sent again."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.db import make_session_factory, transaction
from engine.models.accounts import Role
from engine.models.notices import Channel, Delivery, DeliveryStatus
from engine.notices.outbox import add_notice
from engine.notices.rules import Rules
from tests.conftest import TEST_FERNET_KEY, TEST_INDEX_KEY
from tests.factories import Factory
from tests.notifications import test_scheduler
from tests.notifications.servers import SmtpServer, free_port
from tests.notifications.test_scheduler import WAIT

shared_database = test_scheduler.shared_database
LONG_AGO = dt.datetime(2020, 1, 6, 3, 0, tzinfo=dt.UTC)  # due whatever the machine's clock says


class SlowMailbox:
    """Accepts each message only after ``delay`` seconds; ``receiving`` is set when a message starts."""

    def __init__(self, mailbox, delay: float) -> None:
        self.mailbox, self.delay = mailbox, delay
        self.receiving = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.receiving.set()
        await asyncio.sleep(self.delay)
        return await self.mailbox.handle_DATA(server, session, envelope)


@pytest.mark.real_time
def test_sigterm_during_a_slow_send_finishes_and_records_it(shared_database, tmp_path: Path, keyring) -> None:
    database_url, db_engine = shared_database
    with make_session_factory(db_engine)() as session:
        factory = Factory(session, LONG_AGO)
        worker = factory.user(Role.CASEWORKER, factory.team(), username="cw.shutdown")
        with transaction(session):
            session.get(type(worker), worker.id).email = "cw.shutdown@example.org"
            add_notice(session, key=("overdue", "work_item:shutdown", "p/0"), case_id=None, recipients=[worker],
                       payload={"case_code": "RG-SHUT01", "step": "Step", "due_at": None, "grace_days": 3},
                       rules=Rules(channels=frozenset({"inbox", "email"})), now=LONG_AGO)  # fmt: skip
    port = free_port()
    with SmtpServer(port) as smtp:
        slow = SlowMailbox(smtp.mailbox, delay=2.0)
        smtp.controller.handler = slow
        env = {
            "PATH": os.environ.get("PATH", ""), "REINTEGRA_ENV": "test", "REINTEGRA_DATABASE_URL": database_url,
            "REINTEGRA_INSTANCE_PATH": str(tmp_path / "instance"), "REINTEGRA_ENCRYPTION_KEYS": TEST_FERNET_KEY,
            "REINTEGRA_INDEX_KEY": TEST_INDEX_KEY, "REINTEGRA_SCHEDULER_POLL_SECONDS": "0.2",
            "REINTEGRA_SMTP_HOST": "127.0.0.1", "REINTEGRA_SMTP_PORT": str(port), "REINTEGRA_SMTP_TLS": "none",
            "REINTEGRA_SMTP_FROM": "reintegra@example.org",
        }  # fmt: skip
        command = [str(Path(sys.executable).with_name("reintegra")), "scheduler"]
        with (tmp_path / "scheduler.log").open("w") as log:
            process = subprocess.Popen(command, env=env, stdout=log, stderr=log)  # noqa: S603
        try:
            assert slow.receiving.wait(WAIT), (tmp_path / "scheduler.log").read_text()
            process.send_signal(signal.SIGTERM)  # while the mail server is still taking the message
            assert process.wait(WAIT) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(WAIT)
    assert [rcpt for rcpt, _message in smtp.mailbox.messages] == [["cw.shutdown@example.org"]]
    with make_session_factory(db_engine)() as session:
        email = session.scalar(select(Delivery).where(Delivery.channel == Channel.EMAIL))
        assert email is not None
        assert (email.status, email.attempts) == (DeliveryStatus.SENT, 1)  # recorded: no later run sends it again
