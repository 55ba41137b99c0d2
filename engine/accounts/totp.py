"""Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30 s steps, 6 digits), standard library only.

Compatible with the usual authenticator apps. A code is accepted one step early or late (clock drift)
and never twice (the last used step is remembered by the caller).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
import struct
from urllib.parse import quote

STEP = 30
DIGITS = 6


def new_secret() -> str:
    """A random 160-bit secret, base32 as authenticator apps expect."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii")


def provisioning_uri(secret: str, account: str, issuer: str = "Reintegra") -> str:
    """The otpauth:// URI an authenticator app imports (as a QR code or typed in)."""
    return f"otpauth://totp/{quote(issuer)}:{quote(account)}?secret={secret}&issuer={quote(issuer)}&digits={DIGITS}"


def code_at(secret: str, now: dt.datetime, offset: int = 0) -> str:
    """The code for the step containing ``now`` (plus ``offset`` steps)."""
    counter = int(now.timestamp()) // STEP + offset
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    start = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[start : start + 4])[0] & 0x7FFFFFFF
    return str(number % 10**DIGITS).zfill(DIGITS)


def matching_step(secret: str, code: str, now: dt.datetime, last_step: int | None) -> int | None:
    """The step ``code`` belongs to (within one step of ``now``), unless already used; else ``None``."""
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    base = int(now.timestamp()) // STEP
    for offset in (0, -1, 1):
        step = base + offset
        if (last_step is None or step > last_step) and hmac.compare_digest(code_at(secret, now, offset), code):
            return step
    return None
