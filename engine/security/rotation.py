"""Key rotation: re-encrypt every sensitive column under the newest key, in small transactions.

Without downtime: (1) give every process a key ring with the new key added *after* the current one
(all can read both), (2) put the new key first everywhere (new writes use it), (3) run
``reintegra keys rotate`` while the app keeps serving; (4) drop the old key once it reports nothing
left to rotate. Values already under the newest key are skipped, so the command can be re-run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import Table, Text, literal, select, update
from sqlalchemy.orm import Session

from engine.crypto import KeyMissing, KeyRing
from engine.db import Base, EncryptedDate, EncryptedText, transaction


@dataclass(frozen=True)
class RotationReport:
    rotated: int
    already_current: int
    columns: int


def encrypted_columns() -> list[tuple[Table, str]]:
    """Every (table, column) stored encrypted."""
    return [
        (table, column.name)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, EncryptedText | EncryptedDate)
    ]


def rotate_all(*, session: Session, keyring: KeyRing, batch: int = 200) -> RotationReport:
    """Re-encrypt every value not yet under ``keyring``'s newest key."""
    newest = Fernet(keyring.fernet_keys[0])

    def fresh(token: str) -> str | None:
        try:
            newest.decrypt(token.encode("ascii"))
            return None  # already under the newest key
        except InvalidToken:
            return keyring.rotate(token)

    columns = encrypted_columns()
    rotated = current = 0
    for table, name in columns:
        changed, kept = _rewrite(session, table, name, fresh, batch)
        rotated, current = rotated + changed, current + kept
    return RotationReport(rotated, current, len(columns))


# Columns that were stored in clear before they were encrypted (the migration that changed their type
# holds no keys): ``encrypt_leftovers`` encrypts what they still hold in clear.
ONCE_PLAINTEXT = (("consent_records", "purpose"), ("case_transfers", "override_reason"))


def encrypt_leftovers(*, session: Session, keyring: KeyRing, batch: int = 200) -> int:
    """Encrypt the values of :data:`ONCE_PLAINTEXT` columns that are not yet tokens of any loaded key;
    return how many. Safe to re-run: a value that decrypts is left alone."""

    def encrypted(raw: str) -> str | None:
        try:
            keyring.decrypt(raw)
            return None  # a token already
        except KeyMissing:
            return keyring.encrypt(raw)

    tables = Base.metadata.tables
    return sum(_rewrite(session, tables[table], name, encrypted, batch)[0] for table, name in ONCE_PLAINTEXT)


def _rewrite(session: Session, table: Table, name: str, change: Callable[[str], str | None],
             batch: int) -> tuple[int, int]:  # fmt: skip
    """Pass every stored (raw, still encrypted) value of ``table.name`` through ``change`` in small
    transactions, storing what it returns (``None``: keep); return (changed, kept)."""
    pk = next(iter(table.primary_key.columns))
    column = table.c[name]
    changed = kept = 0
    last = None
    while True:
        # Raw values: the column is read through the table, without the decrypting type.
        query = select(pk, column.cast(Text())).where(column.is_not(None)).order_by(pk).limit(batch)
        if last is not None:
            query = query.where(pk > last)
        with transaction(session):
            rows = session.execute(query).all()
            for key, raw in rows:
                value = change(raw)
                if value is None:
                    kept += 1
                    continue
                # A literal of plain Text stores the token as it is (the column type would encrypt again).
                session.execute(update(table).where(pk == key).values({name: literal(value, type_=Text())}))
                changed += 1
        if len(rows) < batch:
            return changed, kept
        last = rows[-1][0]
