"""Typed settings, read from ``REINTEGRA_*`` environment variables once and validated at start-up."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

ENVIRONMENTS = ("development", "test", "production")
LANGUAGES = ("en", "km")


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
    key_file: Path | None = None
    default_language: str = "en"
    session_timeout_minutes: int = 60
    max_failed_logins: int = 6
    lockout_minutes: int = 30
    password_hash_profile: str = "default"  # noqa: S105 - a profile name, not a password
    case_code_prefix: str = "RG"
    record_max_age_days: int = 90

    def __post_init__(self) -> None:
        if self.env not in ENVIRONMENTS:
            raise ConfigError(f"REINTEGRA_ENV must be one of {', '.join(ENVIRONMENTS)}, not {self.env!r}")
        if self.default_language not in LANGUAGES:
            raise ConfigError(f"REINTEGRA_DEFAULT_LANGUAGE must be one of {', '.join(LANGUAGES)}")
        if self.password_hash_profile not in ("default", "fast"):
            raise ConfigError("REINTEGRA_PASSWORD_HASH_PROFILE must be 'default' or 'fast'")
        if (
            min(self.session_timeout_minutes, self.max_failed_logins, self.lockout_minutes, self.record_max_age_days)
            < 1
        ):
            raise ConfigError("timeouts, limits and ages must be positive numbers")
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

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``REINTEGRA_*`` variables; unknown variables are an error."""
        env = os.environ if environ is None else environ
        known = {
            "ENV", "INSTANCE_PATH", "DATABASE_URL", "SECRET_KEY", "ENCRYPTION_KEYS", "INDEX_KEY",
            "KEY_FILE", "DEFAULT_LANGUAGE", "SESSION_TIMEOUT_MINUTES", "MAX_FAILED_LOGINS",
            "LOCKOUT_MINUTES", "PASSWORD_HASH_PROFILE", "CASE_CODE_PREFIX", "RECORD_MAX_AGE_DAYS",
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
            key_file=Path(key_file) if key_file else None,
            default_language=get("DEFAULT_LANGUAGE", "en"),
            session_timeout_minutes=get_int("SESSION_TIMEOUT_MINUTES", 60),
            max_failed_logins=get_int("MAX_FAILED_LOGINS", 6),
            lockout_minutes=get_int("LOCKOUT_MINUTES", 30),
            password_hash_profile=get("PASSWORD_HASH_PROFILE", "default"),
            case_code_prefix=get("CASE_CODE_PREFIX", "RG"),
            record_max_age_days=get_int("RECORD_MAX_AGE_DAYS", 90),
        )
