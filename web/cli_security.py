"""``reintegra audit verify`` and ``reintegra keys ...``: the operator's side of confidentiality."""

from __future__ import annotations

import json
from pathlib import Path

import click
from cryptography.fernet import Fernet

from engine import audit as audit_log
from engine.config import Settings
from engine.crypto import load_keyring, new_audit_key, read_key_file, write_key_file
from engine.security.rotation import rotate_all


def register(main: click.Group, settings: object, session: object) -> None:
    """Add the security commands to ``main``; ``settings``/``session`` are the CLI's own factories."""

    @main.group()
    def audit() -> None:
        """The hash-chained audit log."""

    @audit.command("verify")
    @click.option(
        "--anchor",
        "anchors",
        multiple=True,
        metavar="ID:SEAL",
        help="A head printed earlier by `audit anchor`; the line must still be there, sealed the same.",
    )
    @click.option("--anchor-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                  help="A file of anchors, one per line (what `audit anchor --append` writes).")  # fmt: skip
    def verify(anchors: tuple[str, ...], anchor_file: Path | None) -> None:
        """Check that no line of the audit log was altered, inserted or deleted."""
        texts = [*anchors, *(anchor_file.read_text(encoding="utf-8").split() if anchor_file else ())]
        try:
            marks = tuple(audit_log.Anchor.parse(text) for text in texts)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--anchor") from None
        db = session(settings())  # type: ignore[operator]
        try:
            result = audit_log.verify(session=db, anchors=marks)
        finally:
            db.close()
        if not result.ok:
            raise click.ClickException(
                f"the audit log was tampered with: {result.problem} ({result.checked} lines intact)"
            )
        click.echo(
            f"audit log intact: {result.checked} lines verified" + (f", {len(marks)} anchors held" if marks else "")
        )

    @audit.command("anchor")
    @click.option("--append", type=click.Path(dir_okay=False, path_type=Path),
                  help="Also append it to this file (keep it where the database's users cannot write).")  # fmt: skip
    def anchor(append: Path | None) -> None:
        """Print the chain's head (ID:SEAL) to keep outside the database; `verify --anchor` checks it later."""
        db = session(settings())  # type: ignore[operator]
        try:
            mark = audit_log.anchor(session=db)
        finally:
            db.close()
        if append is not None:
            with append.open("a", encoding="utf-8") as fh:
                fh.write(f"{mark}\n")
        click.echo(str(mark))

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
            click.echo(
                "and this new audit key first in REINTEGRA_AUDIT_KEYS (keep the old ones: they verify old lines):"
            )
            click.echo(new_audit_key())
            return
        path = Path(str(conf.key_file))
        ring = read_key_file(path)
        write_key_file(path, type(ring)(fernet_keys=(Fernet.generate_key().decode(), *ring.fernet_keys),
                                        index_key=ring.index_key,
                                        audit_keys=(new_audit_key(), *ring.audit_keys)))  # fmt: skip
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
