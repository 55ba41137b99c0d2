"""``reintegra audit verify`` and ``reintegra keys ...``: the operator's side of confidentiality."""

from __future__ import annotations

import json
from pathlib import Path

import click
from cryptography.fernet import Fernet

from engine.config import Settings
from engine.security import audit as audit_log
from engine.security.crypto import load_keyring, read_key_file, write_key_file
from engine.security.rotation import rotate_all


def register(main: click.Group, settings: object, session: object) -> None:
    """Add the security commands to ``main``; ``settings``/``session`` are the CLI's own factories."""

    @main.group()
    def audit() -> None:
        """The hash-chained audit log."""

    @audit.command("verify")
    def verify() -> None:
        """Check that no line of the audit log was altered, inserted or deleted."""
        db = session(settings())  # type: ignore[operator]
        try:
            result = audit_log.verify(session=db)
        finally:
            db.close()
        if not result.ok:
            raise click.ClickException(
                f"the audit log was tampered with: {result.problem} ({result.checked} lines intact)"
            )
        click.echo(f"audit log intact: {result.checked} lines verified")

    @main.group()
    def keys() -> None:
        """Encryption keys of the sensitive columns."""

    @keys.command("new")
    def new_key() -> None:
        """Put a new key first in the key file (the old ones still decrypt); then run `keys rotate`."""
        conf: Settings = settings()  # type: ignore[operator]
        if conf.encryption_keys:
            click.echo("Keys come from REINTEGRA_ENCRYPTION_KEYS: put this new key first there, then run keys rotate:")
            click.echo(Fernet.generate_key().decode())
            return
        path = Path(str(conf.key_file))
        ring = read_key_file(path)
        write_key_file(path, type(ring)(fernet_keys=(Fernet.generate_key().decode(), *ring.fernet_keys),
                                        index_key=ring.index_key))  # fmt: skip
        click.echo(f"a new key is first in {path}; restart the app and the scheduler, then run `reintegra keys rotate`")

    @keys.command("rotate")
    @click.option("--batch", type=int, default=200, show_default=True)
    def rotate(batch: int) -> None:
        """Re-encrypt every sensitive value under the newest key (safe to re-run; the app keeps serving)."""
        conf: Settings = settings()  # type: ignore[operator]
        db = session(conf)  # type: ignore[operator]
        try:
            report = rotate_all(session=db, keyring=load_keyring(conf), batch=batch)
        finally:
            db.close()
        click.echo(json.dumps({"rotated": report.rotated, "already_current": report.already_current,
                               "columns": report.columns}))  # fmt: skip
