"""Key rotation: re-encrypt every sensitive column under the newest key, in small transactions.

Without downtime: (1) give every process a key ring with the new key added *after* the current one
(all can read both), (2) put the new key first everywhere (new writes use it), (3) run
``reintegra keys rotate`` while the app keeps serving; (4) drop the old key once it reports nothing
left to rotate. Values already under the newest key are skipped, so the command can be re-run.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import Table, Text, literal, select, update
from sqlalchemy.orm import Session

from engine.db import Base, EncryptedDate, EncryptedText, transaction
from engine.security.crypto import KeyMissing, KeyRing


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
    rotated = current = 0
    columns = encrypted_columns()
    for table, name in columns:
        pk = next(iter(table.primary_key.columns))
        column = table.c[name]
        last = None
        while True:
            query = select(pk, column).where(column.is_not(None)).order_by(pk).limit(batch)
            if last is not None:
                query = query.where(pk > last)
            with transaction(session):
                # Raw tokens: the column is read through the table, without the decrypting type.
                rows = session.execute(query.with_only_columns(pk, column.cast(Text()))).all()
                for key, token in rows:
                    try:
                        newest.decrypt(token.encode("ascii"))
                        current += 1
                        continue
                    except InvalidToken:
                        pass
                    fresh = keyring.rotate(token)
                    # A literal of plain Text stores the token as it is (the column type would encrypt again).
                    session.execute(update(table).where(pk == key).values({name: literal(fresh, type_=Text())}))
                    rotated += 1
            if len(rows) < batch:
                break
            last = rows[-1][0]
    return RotationReport(rotated, current, len(columns))


# Columns that were stored in clear before they were encrypted (the migration that changed their type
# holds no keys): ``encrypt_leftovers`` encrypts what they still hold in clear.
ONCE_PLAINTEXT = (("consent_records", "purpose"), ("case_transfers", "override_reason"))


def encrypt_leftovers(*, session: Session, keyring: KeyRing, batch: int = 200) -> int:
    """Encrypt the values of :data:`ONCE_PLAINTEXT` columns that are not yet tokens of any loaded key;
    return how many. Safe to re-run: a value that decrypts is left alone."""
    encrypted = 0
    for table_name, name in ONCE_PLAINTEXT:
        table = Base.metadata.tables[table_name]
        pk = next(iter(table.primary_key.columns))
        column = table.c[name]
        last = None
        while True:
            query = select(pk, column.cast(Text())).where(column.is_not(None)).order_by(pk).limit(batch)
            if last is not None:
                query = query.where(pk > last)
            with transaction(session):
                rows = session.execute(query).all()
                for key, raw in rows:
                    try:
                        keyring.decrypt(raw)
                        continue
                    except KeyMissing:
                        pass
                    token = keyring.encrypt(raw)
                    session.execute(update(table).where(pk == key).values({name: literal(token, type_=Text())}))
                    encrypted += 1
            if len(rows) < batch:
                break
            last = rows[-1][0]
    return encrypted
