"""The notification and scheduler settings: defaults, every variable read, and the refusals."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.config import SECTION_KEYS, ConfigError, Settings
from engine.models.cases import SECTIONS
from engine.notices.rules import Rules
from tests.conftest import TEST_FERNET_KEY, TEST_INDEX_KEY

SMTP = {"REINTEGRA_SMTP_HOST": "mail.example.org", "REINTEGRA_SMTP_FROM": "reintegra@example.org"}


def test_defaults():
    s = Settings(env="test")
    assert (s.overdue_grace_days, s.reminder_cadence_days, s.record_reminder_cadence_days) == (3, 7, 30)
    assert (s.lost_contact_days, s.daily_digest_time, s.weekly_digest_day) == (90, dt.time(7), "monday")
    assert (s.base_url, s.smtp_port, s.smtp_tls, s.channels) == ("http://127.0.0.1:5000", 587, "starttls",
                                                                  frozenset({"inbox"}))  # fmt: skip
    assert s.section_max_age("medical") == s.record_max_age_days == 90


def test_every_notification_variable_is_read():
    s = Settings.from_env({
        "REINTEGRA_ENV": "test", "REINTEGRA_BASE_URL": "https://reintegra.example/app/", **SMTP,
        "REINTEGRA_SMTP_PORT": "465", "REINTEGRA_SMTP_TLS": "SSL", "REINTEGRA_SMTP_USER": "bot",
        "REINTEGRA_SMTP_PASSWORD": " pass word ", "REINTEGRA_SMTP_TIMEOUT_SECONDS": "3",
        "REINTEGRA_CHAT_BOT_URL": "https://bot.example/send", "REINTEGRA_CHAT_BOT_TOKEN": "synthetic",
        "REINTEGRA_OVERDUE_GRACE_DAYS": "2", "REINTEGRA_REMINDER_CADENCE_DAYS": "1",
        "REINTEGRA_RECORD_REMINDER_CADENCE_DAYS": "14", "REINTEGRA_SECTION_MAX_AGE_DAYS": "medical=30, case_plan=60",
        "REINTEGRA_LOST_CONTACT_DAYS": "60", "REINTEGRA_DAILY_DIGEST_TIME": "6:45",
        "REINTEGRA_WEEKLY_DIGEST_DAY": "Friday", "REINTEGRA_WEEKLY_DIGEST_TIME": "16:00",
        "REINTEGRA_DELIVERY_MAX_ATTEMPTS": "5", "REINTEGRA_DELIVERY_BACKOFF_SECONDS": "30",
        "REINTEGRA_SCHEDULER_TICK_SECONDS": "20", "REINTEGRA_SCHEDULER_SCAN_MINUTES": "5",
        "REINTEGRA_SCHEDULER_POLL_SECONDS": "0.5", "REINTEGRA_TIMER_BATCH_SIZE": "25",
    })  # fmt: skip
    assert s.base_url == "https://reintegra.example/app"
    assert (s.smtp_host, s.smtp_port, s.smtp_tls, s.smtp_user, s.smtp_password) == (
        "mail.example.org", 465, "ssl", "bot", " pass word ")  # fmt: skip
    assert s.channels == frozenset({"inbox", "email", "chat"})
    assert (s.section_max_age("medical"), s.section_max_age("case_plan"), s.section_max_age("identity")) == (30, 60, 90)
    rules = Rules.from_settings(s)
    assert (rules.grace, rules.cadence, rules.record_cadence) == (dt.timedelta(days=2), dt.timedelta(days=1),
                                                                  dt.timedelta(days=14))  # fmt: skip
    assert (rules.daily_digest_at, rules.weekly_digest_weekday, rules.weekly_digest_at) == (dt.time(6, 45), 4,
                                                                                            dt.time(16))  # fmt: skip
    assert (rules.max_attempts, rules.backoff, rules.lost_contact) == (5, dt.timedelta(seconds=30),
                                                                       dt.timedelta(days=60))  # fmt: skip
    assert (s.scheduler_tick_seconds, s.scheduler_scan_minutes, s.scheduler_poll_seconds, s.timer_batch_size) == (
        20, 5, 0.5, 25)  # fmt: skip


@pytest.mark.parametrize(("env", "message"), [
    ({"REINTEGRA_BASE_URL": "reintegra.example"}, "REINTEGRA_BASE_URL"),
    ({"REINTEGRA_DAILY_DIGEST_TIME": "7am"}, "REINTEGRA_DAILY_DIGEST_TIME must be a time of day"),
    ({"REINTEGRA_WEEKLY_DIGEST_DAY": "someday"}, "REINTEGRA_WEEKLY_DIGEST_DAY"),
    ({"REINTEGRA_SECTION_MAX_AGE_DAYS": "medical"}, "write section=days"),
    ({"REINTEGRA_SECTION_MAX_AGE_DAYS": "photos=30"}, "unknown section"),
    ({"REINTEGRA_OVERDUE_GRACE_DAYS": "0"}, "positive"),
    ({"REINTEGRA_SCHEDULER_POLL_SECONDS": "soon"}, "REINTEGRA_SCHEDULER_POLL_SECONDS must be a number"),
    ({"REINTEGRA_CHAT_BOT_URL": "ftp://bot.example"}, "REINTEGRA_CHAT_BOT_URL"),
    ({"REINTEGRA_SMTP_HOST": "mail.example.org"}, "REINTEGRA_SMTP_FROM"),
    ({**SMTP, "REINTEGRA_SMTP_TLS": "maybe"}, "REINTEGRA_SMTP_TLS"),
    ({**SMTP, "REINTEGRA_SMTP_PORT": "70000"}, "REINTEGRA_SMTP_PORT"),
    ({**SMTP, "REINTEGRA_SMTP_USER": "bot"}, "go together"),
])  # fmt: skip
def test_settings_that_cannot_work_are_refused(env, message):
    with pytest.raises(ConfigError, match=message):
        Settings.from_env({"REINTEGRA_ENV": "test", **env})


def test_production_refuses_unencrypted_smtp_to_another_machine(tmp_path):
    production = {"REINTEGRA_ENV": "production", "REINTEGRA_INSTANCE_PATH": str(tmp_path),
                  "REINTEGRA_SECRET_KEY": "s" * 32, "REINTEGRA_ENCRYPTION_KEYS": TEST_FERNET_KEY,
                  "REINTEGRA_INDEX_KEY": TEST_INDEX_KEY, **SMTP, "REINTEGRA_SMTP_TLS": "none"}  # fmt: skip
    with pytest.raises(ConfigError, match="SMTP_TLS=none is refused in production"):
        Settings.from_env(production)
    assert Settings.from_env({**production, "REINTEGRA_SMTP_HOST": "127.0.0.1"}).smtp_tls == "none"


def test_the_settings_know_every_case_file_section():
    assert tuple(key for key, _model in SECTIONS) == SECTION_KEYS
