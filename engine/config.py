"""Typed settings, read from ``REINTEGRA_*`` environment variables once and validated at start-up."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

ENVIRONMENTS = ("development", "test", "production")
LANGUAGES = ("en", "km")
SMTP_TLS_MODES = ("starttls", "ssl", "none")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# The case-file sections whose age drives record-update reminders (engine.cases.service.SECTIONS; a test
# keeps the two in step). Listed here because the settings module imports nothing from the domain.
SECTION_KEYS = ("identity", "history", "family_members", "family_assessment", "case_plan", "medical", "psychological")
# Every staff member must hold these (seed: the Universal Declaration of Human Rights, and the Policy and
# Minimum Standards on Protection of the Rights of Victims of Human Trafficking, 2009); the others may be
# recorded too. Listed here, like SECTION_KEYS, because the settings import nothing from the domain.
REQUIRED_COURSES = ("udhr", "minimum_standards")
STANDARD_COURSES = (*REQUIRED_COURSES, "case_management", "psychosocial_support", "child_protection")
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


class ConfigError(ValueError):
    """The configuration is missing a value or holds one that cannot work."""


def _default_instance_path() -> Path:
    return Path.cwd() / "instance"


@dataclass(frozen=True)
class Settings:
    """Everything the product can be configured with; see the README for each variable."""

    env: str = "development"
    instance_path: Path = field(default_factory=_default_instance_path)
    database_url: str = ""
    secret_key: str = ""
    encryption_keys: tuple[str, ...] = ()
    index_key: str = ""
    audit_keys: tuple[str, ...] = ()  # HMAC keys of the audit chain, newest first (REINTEGRA_AUDIT_KEYS)
    key_file: Path | None = None
    default_language: str = "en"
    session_timeout_minutes: int = 60
    max_failed_logins: int = 6
    lockout_minutes: int = 30
    login_address_limit: int = 20  # failed sign-ins from one address within the window before it must wait
    login_address_window_minutes: int = 15
    password_hash_profile: str = "default"  # noqa: S105 - a profile name, not a password
    case_code_prefix: str = "RG"
    record_max_age_days: int = 90
    # Notifications and the scheduler (README, "Scheduler and notifications").
    base_url: str = "http://127.0.0.1:5000"
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_tls: str = "starttls"
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = ""
    smtp_timeout_seconds: int = 10
    chat_bot_url: str = ""
    chat_bot_token: str = ""
    overdue_grace_days: int = 3
    reminder_cadence_days: int = 7
    record_reminder_cadence_days: int = 30
    section_max_age_days: tuple[tuple[str, int], ...] = ()
    lost_contact_days: int = 90
    daily_digest_time: dt.time = dt.time(7, 0)
    weekly_digest_day: str = "monday"
    weekly_digest_time: dt.time = dt.time(7, 30)
    delivery_max_attempts: int = 8
    delivery_backoff_seconds: int = 60
    scheduler_tick_seconds: int = 60
    scheduler_scan_minutes: int = 15
    scheduler_poll_seconds: float = 5.0
    timer_batch_size: int = 100
    # Largest photo upload accepted (bytes), checked before the image is even opened.
    photo_max_bytes: int = 5 * 1024 * 1024
    # Every quasi-identifier combination in the case-level export occurs at least this often (IOM CTDC: 11).
    report_k_anonymity: int = 11
    # The staff training register: courses that may be recorded (the required ones always among them),
    # how long a training counts when no expiry is given, and how early the register warns of an expiry.
    training_courses: tuple[str, ...] = STANDARD_COURSES
    training_validity_days: int = 730
    training_warning_days: int = 60

    def __post_init__(self) -> None:
        if self.env not in ENVIRONMENTS:
            raise ConfigError(f"REINTEGRA_ENV must be one of {', '.join(ENVIRONMENTS)}, not {self.env!r}")
        if self.default_language not in LANGUAGES:
            raise ConfigError(f"REINTEGRA_DEFAULT_LANGUAGE must be one of {', '.join(LANGUAGES)}")
        if self.password_hash_profile not in ("default", "fast"):
            raise ConfigError("REINTEGRA_PASSWORD_HASH_PROFILE must be 'default' or 'fast'")
        if (
            min(
                self.session_timeout_minutes,
                self.max_failed_logins,
                self.lockout_minutes,
                self.record_max_age_days,
                self.login_address_limit,
                self.login_address_window_minutes,
            )
            < 1
        ):
            raise ConfigError("timeouts, limits and ages must be positive numbers")
        if self.photo_max_bytes < 1:
            raise ConfigError("REINTEGRA_PHOTO_MAX_BYTES must be a positive number of bytes")
        if self.report_k_anonymity < 2:
            raise ConfigError("REINTEGRA_REPORT_K_ANONYMITY must be 2 or more")
        _check_notifications(self)
        _check_training(self)
        if not self.database_url:
            db_file = Path(self.instance_path) / "reintegra.sqlite"
            object.__setattr__(self, "database_url", f"sqlite:///{db_file}")
        if self.key_file is None:
            object.__setattr__(self, "key_file", Path(self.instance_path) / "keys.json")
        if self.is_production:
            if self.password_hash_profile != "default":  # noqa: S105 - a profile name
                raise ConfigError("the fast password hash profile is for tests only")
            if len(self.secret_key) < 32:
                raise ConfigError("REINTEGRA_SECRET_KEY must be set (32 characters or more) in production")
            if not self.encryption_keys and not Path(str(self.key_file)).is_file():
                raise ConfigError(
                    "REINTEGRA_ENCRYPTION_KEYS (or an existing REINTEGRA_KEY_FILE) is required in production"
                )
            if self.encryption_keys and not self.index_key:
                raise ConfigError("REINTEGRA_INDEX_KEY is required with REINTEGRA_ENCRYPTION_KEYS")

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def section_max_age(self, section: str) -> int:
        """Days after which ``section`` of a case file is stale: its own setting, else the general one."""
        return dict(self.section_max_age_days).get(section, self.record_max_age_days)

    @property
    def channels(self) -> frozenset[str]:
        """The delivery channels that are configured (the in-app inbox always is)."""
        enabled = {"inbox"}
        if self.smtp_host:
            enabled.add("email")
        if self.chat_bot_url:
            enabled.add("chat")
        return frozenset(enabled)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``REINTEGRA_*`` variables; unknown variables are an error."""
        env = os.environ if environ is None else environ
        known = {
            "ENV", "INSTANCE_PATH", "DATABASE_URL", "SECRET_KEY", "ENCRYPTION_KEYS", "INDEX_KEY",
            "KEY_FILE", "DEFAULT_LANGUAGE", "SESSION_TIMEOUT_MINUTES", "MAX_FAILED_LOGINS",
            "LOCKOUT_MINUTES", "LOGIN_ADDRESS_LIMIT", "LOGIN_ADDRESS_WINDOW_MINUTES",
            "PASSWORD_HASH_PROFILE", "CASE_CODE_PREFIX", "RECORD_MAX_AGE_DAYS",
            "BASE_URL", "SMTP_HOST", "SMTP_PORT", "SMTP_TLS", "SMTP_USER", "SMTP_PASSWORD", "SMTP_FROM",
            "SMTP_TIMEOUT_SECONDS", "CHAT_BOT_URL", "CHAT_BOT_TOKEN", "OVERDUE_GRACE_DAYS", "REMINDER_CADENCE_DAYS",
            "RECORD_REMINDER_CADENCE_DAYS", "SECTION_MAX_AGE_DAYS", "LOST_CONTACT_DAYS", "DAILY_DIGEST_TIME",
            "WEEKLY_DIGEST_DAY", "WEEKLY_DIGEST_TIME", "DELIVERY_MAX_ATTEMPTS", "DELIVERY_BACKOFF_SECONDS",
            "SCHEDULER_TICK_SECONDS", "SCHEDULER_SCAN_MINUTES", "SCHEDULER_POLL_SECONDS", "TIMER_BATCH_SIZE",
            "PHOTO_MAX_BYTES", "REPORT_K_ANONYMITY", "TRAINING_COURSES", "TRAINING_VALIDITY_DAYS",
            "TRAINING_WARNING_DAYS",
        }  # fmt: skip
        unknown = sorted(k for k in env if k.startswith("REINTEGRA_") and k[10:] not in known)
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(unknown)}")

        def get(name: str, default: str = "") -> str:
            return env.get(f"REINTEGRA_{name}", default).strip()

        def get_int(name: str, default: int) -> int:
            raw = get(name, str(default))
            try:
                return int(raw)
            except ValueError:
                raise ConfigError(f"REINTEGRA_{name} must be a whole number, not {raw!r}") from None

        keys = tuple(k.strip() for k in get("ENCRYPTION_KEYS").split(",") if k.strip())
        key_file = get("KEY_FILE")
        instance = get("INSTANCE_PATH")
        return cls(
            env=get("ENV", "development"),
            instance_path=Path(instance).resolve() if instance else _default_instance_path(),
            database_url=get("DATABASE_URL"),
            secret_key=get("SECRET_KEY"),
            encryption_keys=keys,
            index_key=get("INDEX_KEY"),
            audit_keys=tuple(k.strip() for k in get("AUDIT_KEYS").split(",") if k.strip()),
            key_file=Path(key_file) if key_file else None,
            default_language=get("DEFAULT_LANGUAGE", "en"),
            session_timeout_minutes=get_int("SESSION_TIMEOUT_MINUTES", 60),
            max_failed_logins=get_int("MAX_FAILED_LOGINS", 6),
            lockout_minutes=get_int("LOCKOUT_MINUTES", 30),
            login_address_limit=get_int("LOGIN_ADDRESS_LIMIT", 20),
            login_address_window_minutes=get_int("LOGIN_ADDRESS_WINDOW_MINUTES", 15),
            password_hash_profile=get("PASSWORD_HASH_PROFILE", "default"),
            case_code_prefix=get("CASE_CODE_PREFIX", "RG"),
            record_max_age_days=get_int("RECORD_MAX_AGE_DAYS", 90),
            base_url=get("BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
            smtp_host=get("SMTP_HOST"),
            smtp_port=get_int("SMTP_PORT", 587),
            smtp_tls=get("SMTP_TLS", "starttls").lower(),
            smtp_user=get("SMTP_USER"),
            smtp_password=env.get("REINTEGRA_SMTP_PASSWORD", ""),  # kept as given: spaces may be part of it
            smtp_from=get("SMTP_FROM"),
            smtp_timeout_seconds=get_int("SMTP_TIMEOUT_SECONDS", 10),
            chat_bot_url=get("CHAT_BOT_URL").rstrip("/"),
            chat_bot_token=get("CHAT_BOT_TOKEN"),
            overdue_grace_days=get_int("OVERDUE_GRACE_DAYS", 3),
            reminder_cadence_days=get_int("REMINDER_CADENCE_DAYS", 7),
            record_reminder_cadence_days=get_int("RECORD_REMINDER_CADENCE_DAYS", 30),
            section_max_age_days=_parse_section_ages(get("SECTION_MAX_AGE_DAYS")),
            lost_contact_days=get_int("LOST_CONTACT_DAYS", 90),
            daily_digest_time=_parse_time("DAILY_DIGEST_TIME", get("DAILY_DIGEST_TIME", "07:00")),
            weekly_digest_day=get("WEEKLY_DIGEST_DAY", "monday").lower(),
            weekly_digest_time=_parse_time("WEEKLY_DIGEST_TIME", get("WEEKLY_DIGEST_TIME", "07:30")),
            delivery_max_attempts=get_int("DELIVERY_MAX_ATTEMPTS", 8),
            delivery_backoff_seconds=get_int("DELIVERY_BACKOFF_SECONDS", 60),
            scheduler_tick_seconds=get_int("SCHEDULER_TICK_SECONDS", 60),
            scheduler_scan_minutes=get_int("SCHEDULER_SCAN_MINUTES", 15),
            scheduler_poll_seconds=_parse_float("SCHEDULER_POLL_SECONDS", get("SCHEDULER_POLL_SECONDS", "5")),
            timer_batch_size=get_int("TIMER_BATCH_SIZE", 100),
            photo_max_bytes=get_int("PHOTO_MAX_BYTES", 5 * 1024 * 1024),
            report_k_anonymity=get_int("REPORT_K_ANONYMITY", 11),
            training_courses=_parse_courses(get("TRAINING_COURSES")),
            training_validity_days=get_int("TRAINING_VALIDITY_DAYS", 730),
            training_warning_days=get_int("TRAINING_WARNING_DAYS", 60),
        )


def _parse_time(name: str, raw: str) -> dt.time:
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", raw)
    if not match:
        raise ConfigError(f"REINTEGRA_{name} must be a time of day like 07:00, not {raw!r}")
    return dt.time(int(match.group(1)), int(match.group(2)))


def _parse_float(name: str, raw: str) -> float:
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"REINTEGRA_{name} must be a number, not {raw!r}") from None


def _parse_section_ages(raw: str) -> tuple[tuple[str, int], ...]:
    """``"case_plan=60, medical=180"`` -> ``(("case_plan", 60), ("medical", 180))``."""
    pairs = []
    for part in filter(None, (p.strip() for p in raw.split(","))):
        key, _, days = part.partition("=")
        if not days.strip().isdigit():
            raise ConfigError(f"REINTEGRA_SECTION_MAX_AGE_DAYS: write section=days, not {part!r}")
        pairs.append((key.strip(), int(days)))
    return tuple(pairs)


def _parse_courses(raw: str) -> tuple[str, ...]:
    """``"first_aid, child_protection"`` -> the required courses followed by these (in this order)."""
    extra = [part.strip().lower() for part in raw.split(",") if part.strip()]
    if not extra:
        return STANDARD_COURSES
    return tuple(dict.fromkeys((*REQUIRED_COURSES, *extra)))


def _check_training(s: Settings) -> None:
    """Refuse a course list without the required courses, odd course keys, and periods that are not positive."""
    if s.training_validity_days < 1 or s.training_warning_days < 1:
        raise ConfigError("REINTEGRA_TRAINING_VALIDITY_DAYS and REINTEGRA_TRAINING_WARNING_DAYS must be positive")
    missing = [c for c in REQUIRED_COURSES if c not in s.training_courses]
    if missing:
        raise ConfigError(f"REINTEGRA_TRAINING_COURSES must include the required course(s) {', '.join(missing)}")
    odd = [c for c in s.training_courses if not re.fullmatch(r"[a-z][a-z0-9_]{1,39}", c)]
    if odd:
        raise ConfigError(f"REINTEGRA_TRAINING_COURSES: use short keys of letters, digits and _, not {odd[0]!r}")


def _check_notifications(s: Settings) -> None:
    """Refuse notification and scheduler settings that cannot work (called from ``Settings``)."""
    if not re.fullmatch(r"https?://[^/?#\s]+(/[^?#\s]*)?", s.base_url) or s.base_url.endswith("/"):
        raise ConfigError("REINTEGRA_BASE_URL must be an http(s) address without a trailing slash")
    numbers = (
        s.smtp_timeout_seconds, s.overdue_grace_days, s.reminder_cadence_days, s.record_reminder_cadence_days,
        s.lost_contact_days, s.delivery_max_attempts, s.delivery_backoff_seconds, s.scheduler_tick_seconds,
        s.scheduler_scan_minutes, s.timer_batch_size, *(days for _key, days in s.section_max_age_days),
    )  # fmt: skip
    if min(numbers) < 1 or s.scheduler_poll_seconds <= 0:
        raise ConfigError("reminder, digest, delivery and scheduler periods and limits must be positive numbers")
    unknown = sorted({key for key, _days in s.section_max_age_days} - set(SECTION_KEYS))
    if unknown:
        raise ConfigError(f"REINTEGRA_SECTION_MAX_AGE_DAYS: unknown section(s) {', '.join(unknown)}; "
                          f"known: {', '.join(SECTION_KEYS)}")  # fmt: skip
    if s.weekly_digest_day not in WEEKDAYS:
        raise ConfigError(f"REINTEGRA_WEEKLY_DIGEST_DAY must be one of {', '.join(WEEKDAYS)}")
    if s.chat_bot_url and not re.fullmatch(r"https?://\S+", s.chat_bot_url):
        raise ConfigError("REINTEGRA_CHAT_BOT_URL must be an http(s) address")
    if not s.smtp_host:
        return
    if s.smtp_tls not in SMTP_TLS_MODES:
        raise ConfigError(f"REINTEGRA_SMTP_TLS must be one of {', '.join(SMTP_TLS_MODES)}")
    if not 1 <= s.smtp_port <= 65535:
        raise ConfigError("REINTEGRA_SMTP_PORT must be between 1 and 65535")
    if not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+", s.smtp_from):
        raise ConfigError("REINTEGRA_SMTP_FROM must be an e-mail address when REINTEGRA_SMTP_HOST is set")
    if bool(s.smtp_user) != bool(s.smtp_password):
        raise ConfigError("REINTEGRA_SMTP_USER and REINTEGRA_SMTP_PASSWORD go together")
    if s.is_production and s.smtp_tls == "none" and s.smtp_host not in _LOOPBACK_HOSTS:
        raise ConfigError("REINTEGRA_SMTP_TLS=none is refused in production except for a relay on this machine")
