"""Field encryption at rest (MultiFernet) and keyed hashes ("blind indexes") for exact lookup.

Keys live outside the database: in ``REINTEGRA_ENCRYPTION_KEYS``/``REINTEGRA_INDEX_KEY`` or in a key
file (generated in the instance folder for development). The first Fernet key encrypts; every key
decrypts, so a new key can be put first and old rows re-encrypted later (rotation). The index key never
rotates with them: it would change every blind index. The audit keys seal the audit chain (HMAC), newest
first like the Fernet keys: the newest seals new lines and every one still verifies the lines it sealed,
so rotating them never rewrites history. Without configured audit keys (key files written before they
existed) the sealing key is derived from the index key, which lives outside the database all the same;
that derived key keeps verifying the lines it sealed after audit keys are added.

Column types are declared at import time but keys are known only at start-up, so the active key ring
is installed once per process with :func:`install_keyring`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from engine.config import ConfigError, Settings


class KeyMissing(RuntimeError):
    """No key ring is installed, or a stored value was encrypted under a key that is not loaded."""


@dataclass(frozen=True)
class KeyRing:
    """The Fernet keys (newest first) and the blind-index key."""

    fernet_keys: tuple[str, ...]
    index_key: str
    audit_keys: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.fernet_keys:
            raise ConfigError("at least one encryption key is required")
        try:
            object.__setattr__(self, "_multi", MultiFernet([Fernet(k) for k in self.fernet_keys]))
        except (ValueError, TypeError):
            raise ConfigError("an encryption key is not a valid Fernet key (32 url-safe base64 bytes)") from None
        if len(self.index_key) < 32:
            raise ConfigError("the index key must be at least 32 characters")
        if any(len(key) < 32 for key in self.audit_keys):
            raise ConfigError("an audit key must be at least 32 characters")

    @property
    def sealing_keys(self) -> tuple[bytes, ...]:
        """The audit chain's HMAC keys, newest (the one that seals) first; the key derived from the index
        key comes last, so lines sealed before any audit key was configured still verify."""
        derived = hmac.new(self.index_key.encode("utf-8"), b"reintegra audit chain", hashlib.sha256).digest()
        return (*(key.encode("utf-8") for key in self.audit_keys), derived)

    def encrypt(self, plaintext: str) -> str:
        return self._multi.encrypt(plaintext.encode("utf-8")).decode("ascii")  # type: ignore[attr-defined,no-any-return]

    def decrypt(self, token: str) -> str:
        try:
            return self._multi.decrypt(token.encode("ascii")).decode("utf-8")  # type: ignore[attr-defined,no-any-return]
        except (InvalidToken, UnicodeEncodeError):
            raise KeyMissing("a stored value cannot be decrypted with the loaded keys") from None

    def rotate(self, token: str) -> str:
        """Re-encrypt ``token`` under the newest key."""
        return self._multi.rotate(token.encode("ascii")).decode("ascii")  # type: ignore[attr-defined,no-any-return]

    def blind_index(self, value: str) -> str:
        """Keyed hash of a normalised value, for exact lookup of an encrypted column."""
        normal = unicodedata.normalize("NFC", " ".join(value.split())).casefold()
        return hmac.new(self.index_key.encode("utf-8"), normal.encode("utf-8"), hashlib.sha256).hexdigest()

    def token_hash(self, token: str) -> str:
        """Keyed hash of one normalised search token (``engine.names``); a separate domain of the
        index key, so a token's hash never equals the blind index of a whole value."""
        message = b"name-token\x00" + token.encode("utf-8")
        return hmac.new(self.index_key.encode("utf-8"), message, hashlib.sha256).hexdigest()


def generate_keyring() -> KeyRing:
    """Make a fresh key ring (one Fernet key, one index key)."""
    return KeyRing(fernet_keys=(Fernet.generate_key().decode("ascii"),), index_key=secrets.token_urlsafe(48),
                   audit_keys=(new_audit_key(),))  # fmt: skip


def new_audit_key() -> str:
    """A fresh key for sealing the audit chain."""
    return secrets.token_urlsafe(48)


def write_key_file(path: Path, keyring: KeyRing) -> None:
    """Write ``keyring`` to ``path`` readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps({"fernet_keys": list(keyring.fernet_keys), "index_key": keyring.index_key,
                       "audit_keys": list(keyring.audit_keys)}, indent=2)  # fmt: skip
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(data + "\n")


def read_key_file(path: Path) -> KeyRing:
    """Read a key ring written by :func:`write_key_file`."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return KeyRing(fernet_keys=tuple(data["fernet_keys"]), index_key=str(data["index_key"]),
                       audit_keys=tuple(data.get("audit_keys", ())))  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"the key file {path} cannot be read: {exc.__class__.__name__}") from None


def load_keyring(settings: Settings) -> KeyRing:
    """Return the configured key ring; in development, create the key file when it is missing."""
    if settings.encryption_keys:
        return KeyRing(fernet_keys=settings.encryption_keys, index_key=settings.index_key,
                       audit_keys=settings.audit_keys)  # fmt: skip
    path = Path(str(settings.key_file))
    if path.is_file():
        return read_key_file(path)
    if settings.is_production:
        raise ConfigError("no encryption keys: set REINTEGRA_ENCRYPTION_KEYS or REINTEGRA_KEY_FILE")
    keyring = generate_keyring()
    write_key_file(path, keyring)
    return keyring


def load_secret_key(settings: Settings) -> str:
    """Return the session-signing key; in development, keep a generated one in the instance folder."""
    if settings.secret_key:
        return settings.secret_key
    if settings.is_production:
        raise ConfigError("REINTEGRA_SECRET_KEY must be set in production")
    path = Path(settings.instance_path) / "secret_key"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="utf-8").strip()


_current: KeyRing | None = None


def install_keyring(keyring: KeyRing) -> None:
    """Make ``keyring`` the one the encrypted column types use in this process."""
    global _current
    _current = keyring


def current_keyring() -> KeyRing:
    """Return the installed key ring or fail loudly."""
    if _current is None:
        raise KeyMissing("no encryption key ring is installed; call install_keyring() at start-up")
    return _current
