"""Settings: defaults, ``REINTEGRA_*`` parsing, and the refusals that stop a broken start-up."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.config import ConfigError, Settings
from tests.conftest import TEST_FERNET_KEY, TEST_INDEX_KEY

GOOD_SECRET = "s" * 32


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """A complete, valid production environment; ``overrides`` replace (or, when empty, drop) variables."""
    env = {
        "REINTEGRA_ENV": "production",
        "REINTEGRA_INSTANCE_PATH": str(tmp_path),
        "REINTEGRA_SECRET_KEY": GOOD_SECRET,
        "REINTEGRA_ENCRYPTION_KEYS": TEST_FERNET_KEY,
        "REINTEGRA_INDEX_KEY": TEST_INDEX_KEY,
    }
    for name, value in overrides.items():
        if value:
            env[f"REINTEGRA_{name}"] = value
        else:
            env.pop(f"REINTEGRA_{name}", None)
    return env


def test_defaults_without_any_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env({})
    assert (settings.env, settings.default_language, settings.password_hash_profile) == ("development", "en", "default")
    assert (settings.session_timeout_minutes, settings.max_failed_logins, settings.lockout_minutes) == (60, 6, 30)
    assert (settings.case_code_prefix, settings.record_max_age_days) == ("RG", 90)
    assert settings.instance_path == tmp_path / "instance"


def test_default_database_is_a_sqlite_file_inside_the_instance_folder(tmp_path: Path) -> None:
    settings = Settings.from_env({"REINTEGRA_INSTANCE_PATH": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path.resolve() / 'reintegra.sqlite'}"
    assert settings.is_sqlite


def test_default_key_file_is_inside_the_instance_folder(tmp_path: Path) -> None:
    settings = Settings.from_env({"REINTEGRA_INSTANCE_PATH": str(tmp_path)})
    assert settings.key_file == tmp_path.resolve() / "keys.json"


def test_every_variable_is_read(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "REINTEGRA_ENV": "test",
            "REINTEGRA_INSTANCE_PATH": str(tmp_path),
            "REINTEGRA_DATABASE_URL": "postgresql+psycopg://synthetic@db.invalid/synthetic",
            "REINTEGRA_SECRET_KEY": " synthetic-secret ",
            "REINTEGRA_ENCRYPTION_KEYS": f" {TEST_FERNET_KEY} , , other-key ",
            "REINTEGRA_INDEX_KEY": TEST_INDEX_KEY,
            "REINTEGRA_KEY_FILE": str(tmp_path / "elsewhere.json"),
            "REINTEGRA_DEFAULT_LANGUAGE": "km",
            "REINTEGRA_SESSION_TIMEOUT_MINUTES": "15",
            "REINTEGRA_MAX_FAILED_LOGINS": "3",
            "REINTEGRA_LOCKOUT_MINUTES": "45",
            "REINTEGRA_LOGIN_ADDRESS_LIMIT": "12",
            "REINTEGRA_LOGIN_ADDRESS_WINDOW_MINUTES": "5",
            "REINTEGRA_PASSWORD_HASH_PROFILE": "fast",
            "REINTEGRA_CASE_CODE_PREFIX": "TS",
            "REINTEGRA_RECORD_MAX_AGE_DAYS": "30",
        }
    )
    assert settings == Settings(
        env="test",
        instance_path=tmp_path.resolve(),
        database_url="postgresql+psycopg://synthetic@db.invalid/synthetic",
        secret_key="synthetic-secret",
        encryption_keys=(TEST_FERNET_KEY, "other-key"),
        index_key=TEST_INDEX_KEY,
        key_file=tmp_path / "elsewhere.json",
        default_language="km",
        session_timeout_minutes=15,
        max_failed_logins=3,
        lockout_minutes=45,
        login_address_limit=12,
        login_address_window_minutes=5,
        password_hash_profile="fast",
        case_code_prefix="TS",
        record_max_age_days=30,
    )
    assert not settings.is_sqlite


def test_variables_of_other_programs_are_ignored() -> None:
    settings = Settings.from_env({"PATH": "/synthetic/bin", "REINTEGRATION": "x", "REINTEGRA_ENV": "test"})
    assert settings.env == "test"


def test_unknown_reintegra_variable_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"unknown setting.*REINTEGRA_DATABASE_ULR"):
        Settings.from_env({"REINTEGRA_DATABASE_ULR": "sqlite:///synthetic.sqlite"})


@pytest.mark.parametrize(
    "name",
    ["SESSION_TIMEOUT_MINUTES", "MAX_FAILED_LOGINS", "LOCKOUT_MINUTES", "RECORD_MAX_AGE_DAYS", "LOGIN_ADDRESS_LIMIT"],
)
def test_non_integer_value_is_refused_with_a_clear_message(name: str) -> None:
    with pytest.raises(ConfigError, match=f"^REINTEGRA_{name} must be a whole number, not 'ten'$"):
        Settings.from_env({f"REINTEGRA_{name}": "ten"})


@pytest.mark.parametrize(
    "field",
    [
        "session_timeout_minutes", "max_failed_logins", "lockout_minutes", "record_max_age_days",
        "login_address_limit", "login_address_window_minutes",
    ],
)  # fmt: skip
def test_zero_limit_is_refused(field: str) -> None:
    with pytest.raises(ConfigError, match="positive"):
        Settings(env="test", **{field: 0})  # type: ignore[arg-type]


def test_bad_environment_is_refused() -> None:
    with pytest.raises(ConfigError, match="REINTEGRA_ENV must be one of development, test, production"):
        Settings.from_env({"REINTEGRA_ENV": "staging"})


def test_bad_language_is_refused() -> None:
    with pytest.raises(ConfigError, match="REINTEGRA_DEFAULT_LANGUAGE"):
        Settings.from_env({"REINTEGRA_DEFAULT_LANGUAGE": "fr"})


def test_bad_password_profile_is_refused() -> None:
    with pytest.raises(ConfigError, match="REINTEGRA_PASSWORD_HASH_PROFILE"):
        Settings.from_env({"REINTEGRA_PASSWORD_HASH_PROFILE": "quick"})


def test_complete_production_settings_are_accepted(tmp_path: Path) -> None:
    settings = Settings.from_env(production_env(tmp_path))
    assert settings.is_production
    assert settings.encryption_keys == (TEST_FERNET_KEY,)


def test_production_refuses_a_missing_secret_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="REINTEGRA_SECRET_KEY"):
        Settings.from_env(production_env(tmp_path, SECRET_KEY=""))


def test_production_refuses_a_short_secret_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="REINTEGRA_SECRET_KEY"):
        Settings.from_env(production_env(tmp_path, SECRET_KEY="s" * 31))


def test_production_refuses_missing_encryption_keys_without_a_key_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="REINTEGRA_ENCRYPTION_KEYS"):
        Settings.from_env(production_env(tmp_path, ENCRYPTION_KEYS="", INDEX_KEY=""))


def test_production_accepts_an_existing_key_file_instead_of_keys(tmp_path: Path) -> None:
    key_file = tmp_path / "synthetic-keys.json"
    key_file.write_text("{}", encoding="utf-8")
    settings = Settings.from_env(production_env(tmp_path, ENCRYPTION_KEYS="", INDEX_KEY="", KEY_FILE=str(key_file)))
    assert settings.key_file == key_file


def test_production_refuses_encryption_keys_without_an_index_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="REINTEGRA_INDEX_KEY"):
        Settings.from_env(production_env(tmp_path, INDEX_KEY=""))


def test_production_refuses_the_fast_password_profile(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="fast password hash profile"):
        Settings.from_env(production_env(tmp_path, PASSWORD_HASH_PROFILE="fast"))


def test_development_needs_no_secrets(tmp_path: Path) -> None:
    settings = Settings.from_env({"REINTEGRA_ENV": "development", "REINTEGRA_INSTANCE_PATH": str(tmp_path)})
    assert (settings.secret_key, settings.encryption_keys, settings.is_production) == ("", (), False)


def test_photo_size_limit_defaults_to_5_mb_and_is_read_from_the_environment() -> None:
    assert Settings.from_env({}).photo_max_bytes == 5 * 1024 * 1024
    assert Settings.from_env({"REINTEGRA_PHOTO_MAX_BYTES": " 2000000 "}).photo_max_bytes == 2_000_000


def test_photo_size_limit_must_be_a_positive_whole_number() -> None:
    with pytest.raises(ConfigError, match=r"^REINTEGRA_PHOTO_MAX_BYTES must be a whole number, not '5MB'$"):
        Settings.from_env({"REINTEGRA_PHOTO_MAX_BYTES": "5MB"})
    with pytest.raises(ConfigError, match="REINTEGRA_PHOTO_MAX_BYTES must be a positive number"):
        Settings.from_env({"REINTEGRA_PHOTO_MAX_BYTES": "0"})
