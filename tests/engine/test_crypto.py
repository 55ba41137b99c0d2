"""Field encryption (KeyRing), blind indexes, key files and the process-wide key ring."""

from __future__ import annotations

import stat
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from engine import crypto, db
from engine.config import ConfigError, Settings
from engine.crypto import (
    KeyMissing,
    KeyRing,
    current_keyring,
    generate_keyring,
    install_keyring,
    load_keyring,
    load_secret_key,
    read_key_file,
    write_key_file,
)
from engine.models.accounts import Role
from engine.models.cases import Identity
from tests.conftest import TEST_INDEX_KEY
from tests.factories import Factory

KHMER = "សាកល្បង ឈ្មោះ"  # "test name"
OTHER_INDEX_KEY = "another-index-key-for-tests-only-0000000"


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")


@pytest.fixture
def ring() -> KeyRing:
    return KeyRing(fernet_keys=(new_key(),), index_key=TEST_INDEX_KEY)


@pytest.fixture
def foreign_ring_installed(keyring: KeyRing) -> Iterator[KeyRing]:
    """Install an unrelated key ring for one test; the session-wide test ring comes back afterwards."""
    other = generate_keyring()
    install_keyring(other)
    try:
        yield other
    finally:
        install_keyring(keyring)


@pytest.mark.parametrize("plaintext", ["Zyxwvut-Sentinel-Name", KHMER, "", "line one\nline two ✓"])
def test_encrypt_then_decrypt_returns_the_plaintext(ring: KeyRing, plaintext: str) -> None:
    assert ring.decrypt(ring.encrypt(plaintext)) == plaintext


def test_ciphertext_does_not_contain_the_plaintext(ring: KeyRing) -> None:
    token = ring.encrypt("Zyxwvut-Sentinel-Name")
    assert "Zyxwvut" not in token
    assert token != "Zyxwvut-Sentinel-Name"


def test_two_encryptions_of_the_same_value_differ(ring: KeyRing) -> None:
    assert ring.encrypt(KHMER) != ring.encrypt(KHMER)


def test_token_of_an_old_key_decrypts_after_a_new_key_is_put_first() -> None:
    old = new_key()
    token = KeyRing(fernet_keys=(old,), index_key=TEST_INDEX_KEY).encrypt(KHMER)
    rotated = KeyRing(fernet_keys=(new_key(), old), index_key=TEST_INDEX_KEY)
    assert rotated.decrypt(token) == KHMER


def test_new_tokens_are_made_with_the_first_key() -> None:
    new, old = new_key(), new_key()
    token = KeyRing(fernet_keys=(new, old), index_key=TEST_INDEX_KEY).encrypt(KHMER)
    assert KeyRing(fernet_keys=(new,), index_key=TEST_INDEX_KEY).decrypt(token) == KHMER


def test_rotate_gives_a_token_the_new_key_alone_decrypts() -> None:
    new, old = new_key(), new_key()
    token = KeyRing(fernet_keys=(old,), index_key=TEST_INDEX_KEY).encrypt(KHMER)
    rotated = KeyRing(fernet_keys=(new, old), index_key=TEST_INDEX_KEY).rotate(token)
    assert KeyRing(fernet_keys=(new,), index_key=TEST_INDEX_KEY).decrypt(rotated) == KHMER


def test_decrypting_with_a_wrong_key_raises_key_missing(ring: KeyRing) -> None:
    token = ring.encrypt("Zyxwvut-Sentinel-Name")
    stranger = KeyRing(fernet_keys=(new_key(),), index_key=TEST_INDEX_KEY)
    with pytest.raises(KeyMissing):
        stranger.decrypt(token)


def test_tampered_token_raises_key_missing(ring: KeyRing) -> None:
    token = ring.encrypt("Zyxwvut-Sentinel-Name")
    tampered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with pytest.raises(KeyMissing):
        ring.decrypt(tampered)


@pytest.mark.parametrize("bad_key", ["not-a-fernet-key", "", "a2V5LWZvci10ZXN0cy1vbmx5"])
def test_invalid_fernet_key_raises_config_error(bad_key: str) -> None:
    with pytest.raises(ConfigError, match="not a valid Fernet key"):
        KeyRing(fernet_keys=(bad_key,), index_key=TEST_INDEX_KEY)


def test_a_key_ring_without_keys_raises_config_error() -> None:
    with pytest.raises(ConfigError, match="at least one encryption key"):
        KeyRing(fernet_keys=(), index_key=TEST_INDEX_KEY)


def test_a_short_index_key_raises_config_error() -> None:
    with pytest.raises(ConfigError, match="index key"):
        KeyRing(fernet_keys=(new_key(),), index_key="i" * 31)


@pytest.mark.parametrize("variant", ["zyxwvut sample", "  ZYXWVUT   Sample ", "Zyxwvut\tSAMPLE\n"])
def test_blind_index_ignores_case_and_whitespace(ring: KeyRing, variant: str) -> None:
    assert ring.blind_index(variant) == ring.blind_index("Zyxwvut Sample")


def test_blind_index_ignores_unicode_composition(ring: KeyRing) -> None:
    composed = unicodedata.normalize("NFC", "Zoé Sample")
    decomposed = unicodedata.normalize("NFD", "Zoé Sample")
    assert composed != decomposed
    assert ring.blind_index(composed) == ring.blind_index(decomposed)


def test_blind_index_differs_for_different_names(ring: KeyRing) -> None:
    assert ring.blind_index("Zyxwvut Sample") != ring.blind_index("Zyxwvut Samples")


def test_blind_index_depends_on_the_index_key(ring: KeyRing) -> None:
    other = KeyRing(fernet_keys=ring.fernet_keys, index_key=OTHER_INDEX_KEY)
    assert ring.blind_index("Zyxwvut Sample") != other.blind_index("Zyxwvut Sample")


def test_blind_index_does_not_depend_on_the_fernet_keys(ring: KeyRing) -> None:
    other = KeyRing(fernet_keys=(new_key(),), index_key=ring.index_key)
    assert ring.blind_index("Zyxwvut Sample") == other.blind_index("Zyxwvut Sample")


def test_blind_index_fits_its_column(ring: KeyRing) -> None:
    assert len(ring.blind_index(KHMER)) == db.BlindIndex.length == 64


@pytest.mark.parametrize("empty", [None, "", "   "])
def test_blind_index_of_nothing_is_none(keyring: KeyRing, empty: str | None) -> None:
    assert db.blind_index(empty) is None


def test_key_file_round_trip(tmp_path: Path) -> None:
    ring = generate_keyring()
    write_key_file(tmp_path / "keys.json", ring)
    assert read_key_file(tmp_path / "keys.json") == ring


def test_unreadable_key_file_raises_config_error(tmp_path: Path) -> None:
    (tmp_path / "keys.json").write_text('{"fernet_keys": []}', encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot be read"):
        read_key_file(tmp_path / "keys.json")


def test_load_keyring_uses_configured_keys_and_writes_no_file(tmp_path: Path) -> None:
    key = new_key()
    settings = Settings(env="development", instance_path=tmp_path, encryption_keys=(key,), index_key=TEST_INDEX_KEY)
    assert load_keyring(settings) == KeyRing(fernet_keys=(key,), index_key=TEST_INDEX_KEY)
    assert not (tmp_path / "keys.json").exists()


def test_load_keyring_in_development_creates_an_owner_only_key_file(tmp_path: Path) -> None:
    settings = Settings(env="development", instance_path=tmp_path / "instance")
    load_keyring(settings)
    key_file = tmp_path / "instance" / "keys.json"
    assert key_file.is_file()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_load_keyring_in_development_reads_the_same_keys_next_time(tmp_path: Path) -> None:
    settings = Settings(env="development", instance_path=tmp_path)
    first = load_keyring(settings)
    second = load_keyring(settings)
    assert second == first
    assert second.decrypt(first.encrypt(KHMER)) == KHMER


def test_load_keyring_in_production_without_keys_raises_config_error(tmp_path: Path) -> None:
    key_file = tmp_path / "keys.json"
    write_key_file(key_file, generate_keyring())  # present at start-up, so the settings are accepted ...
    settings = Settings(env="production", instance_path=tmp_path, secret_key="s" * 32, key_file=key_file)
    key_file.unlink()  # ... and gone when the keys are loaded
    with pytest.raises(ConfigError, match="no encryption keys"):
        load_keyring(settings)
    assert not key_file.exists()


def test_production_settings_without_keys_are_refused_before_any_key_is_made(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        Settings(env="production", instance_path=tmp_path, secret_key="s" * 32)
    assert not (tmp_path / "keys.json").exists()


def test_load_secret_key_returns_the_configured_key(tmp_path: Path) -> None:
    settings = Settings(env="development", instance_path=tmp_path, secret_key="synthetic-configured-secret")
    assert load_secret_key(settings) == "synthetic-configured-secret"
    assert not (tmp_path / "secret_key").exists()


def test_load_secret_key_in_development_generates_and_persists_one(tmp_path: Path) -> None:
    settings = Settings(env="development", instance_path=tmp_path / "instance")
    first = load_secret_key(settings)
    assert len(first) >= 32
    assert load_secret_key(settings) == first
    assert (tmp_path / "instance" / "secret_key").read_text(encoding="utf-8").strip() == first
    assert stat.S_IMODE((tmp_path / "instance" / "secret_key").stat().st_mode) == 0o600


def test_generated_secret_keys_differ_between_instances(tmp_path: Path) -> None:
    one = load_secret_key(Settings(env="development", instance_path=tmp_path / "one"))
    two = load_secret_key(Settings(env="development", instance_path=tmp_path / "two"))
    assert one != two


def test_current_keyring_fails_loudly_when_none_is_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(crypto, "_current", None)
    with pytest.raises(KeyMissing, match="install_keyring"):
        current_keyring()


def test_encrypted_columns_use_the_installed_key_ring(keyring: KeyRing, factory: Factory, session: Session) -> None:
    factory.case(factory.user(Role.CASEWORKER, factory.team()), given_name_latin="Zyxwvut-Sentinel-Name")
    stored = session.connection().execute(text("SELECT given_name_latin FROM case_identities")).scalar_one()
    assert keyring.decrypt(stored) == "Zyxwvut-Sentinel-Name"


def test_values_under_a_key_that_is_not_loaded_raise_key_missing(
    keyring: KeyRing, factory: Factory, session: Session, foreign_ring_installed: KeyRing
) -> None:
    # Written under the foreign ring, read back under the test ring, which does not hold that key.
    case = factory.case(factory.user(Role.CASEWORKER, factory.team()), given_name_latin="Zyxwvut-Sentinel-Name")
    install_keyring(keyring)
    session.expunge_all()
    with pytest.raises(KeyMissing):
        session.scalars(select(Identity).where(Identity.case_id == case.id)).one()
