"""Every free-text column is encrypted at rest. A column stored in clear must be listed here with what
it holds (codes, hashes, our own words), so a new free-text column fails until someone encrypts it; the
demo's consent purposes and transfer reasons are found nowhere in clear; values written in clear before
their column was encrypted are encrypted by ``reintegra migrate``."""

from __future__ import annotations

from sqlalchemy import String, Text, literal, select, text, update
from sqlalchemy.orm import Session

import engine.models  # noqa: F401  (every table on the metadata)
from engine.accounts.passwords import make_hasher
from engine.crypto import current_keyring
from engine.db import Base, EncryptedDate, EncryptedText, transaction
from engine.demo import seed_demo
from engine.models.security import CaseTransfer, ConsentRecord
from engine.security.rotation import ONCE_PLAINTEXT, encrypt_leftovers
from engine.workflow.service import load_runtime
from tests.conftest import NOW
from tests.factories import Factory

# Columns in clear, and why that is safe: none holds words a person typed about a survivor.
IN_CLEAR = {
    "audit_head": {"last_hash"},  # a seal
    "login_attempts": {"address"},  # a keyed hash
    "provinces": {"code", "name_en", "name_km"},  # reference data
    "scheduler_jobs": {"job_id", "last_outcome", "last_result", "last_error"},  # job names, counts, exception types
    "scheduler_nodes": {"name"},  # host:pid
    "workflow_specs": {"key", "process_id", "files"},  # our diagrams
    "organisations": {"name", "kind", "province_code"},  # shelters and offices are public bodies
    "teams": {"name"},
    "users": {"username", "display_name", "email", "password_hash", "role", "language"},  # staff, not survivors
    "cases": {"code", "phase", "status", "risk_level"},  # codes and enums
    "notification_preferences": {"email_address", "chat_id"},  # staff contact points
    "training_records": {"course"},
    "audit_events": {"action", "detail", "address", "prev_hash", "hash"},  # names of what was touched, never values
    "case_events": {"kind", "summary"},  # our own phrases ("Case opened at admission", step names)
    "case_histories": {"origin_province_code", "form_of_exploitation", "destination_country", "referral_source"},
    "case_identities": {"name_index", "sex"},  # a keyed hash, an enum
    "case_records": {"form_key", "step"},
    "consent_records": {"kind", "scope", "given_by", "method"},  # enums and field-group names
    "family_assessments": {"safety_rating"},
    "family_members": {"relationship"},  # a code ("mother")
    "notices": {"kind", "subject", "period", "payload"},  # codes and step names, never case-file content
    "workflow_instances": {"process_id", "spec_key", "status", "outcome", "next_process", "state"},
    "case_name_tokens": {"token"},  # keyed hashes
    "case_photos": {"content_type"},
    "case_plan_goals": {"domain"},
    "case_transfers": {"field_groups"},
    "notice_deliveries": {"channel", "status", "last_error"},
    "publication_requests": {"field_groups", "status"},
    "work_items": {"task_id", "task_name", "title", "form_key", "process_id", "role", "status"},
    "workflow_timers": {"task_id", "name"},
}


def _clear_text_columns() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for table in Base.metadata.sorted_tables:
        encrypted = (EncryptedText, EncryptedDate)
        names = {
            c.name for c in table.columns if isinstance(c.type, String | Text) and not isinstance(c.type, encrypted)
        }
        if names:
            found[table.name] = names
    return found


def test_every_text_column_in_clear_is_one_we_decided_may_be() -> None:
    unexpected = {t: cols - IN_CLEAR.get(t, set()) for t, cols in _clear_text_columns().items()}
    assert {t: cols for t, cols in unexpected.items() if cols} == {}


def test_consent_purposes_and_transfer_reasons_are_encrypted_columns() -> None:
    assert isinstance(ConsentRecord.__table__.c.purpose.type, EncryptedText)
    assert isinstance(CaseTransfer.__table__.c.override_reason.type, EncryptedText)


def _raw_text(session: Session) -> str:
    """Every text value of every table, read as stored (without the decrypting types)."""
    parts = []
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text | EncryptedText | EncryptedDate)]
        if columns:
            for row in session.execute(select(*(c.cast(Text()) for c in columns))):
                parts.extend(str(v) for v in row if v is not None)
    return "\n".join(parts)


def test_no_seeded_purpose_or_reason_is_stored_in_clear(session: Session) -> None:
    seed_demo(session=session, hasher=make_hasher("fast"), now=NOW, runtime=load_runtime())
    purposes = [p for p in session.scalars(select(ConsentRecord.purpose)) if p]
    reasons = [r for r in session.scalars(select(CaseTransfer.override_reason)) if r]
    assert purposes  # the demo has both, read back through the ORM
    assert reasons
    raw = _raw_text(session)
    assert [value for value in {*purposes, *reasons} if value in raw] == []


def test_migrate_encrypts_what_was_written_in_clear_and_leaves_tokens_alone(session: Session, factory: Factory) -> None:
    from engine.models.accounts import Role

    team, office = factory.team(), factory.office()
    worker = factory.user(Role.CASEWORKER, team)
    case = factory.case(worker)
    factory.sharing_consent(worker, case, office)
    consent = session.scalar(select(ConsentRecord))
    assert consent is not None
    plain = "Synthetic purpose written before encryption"
    with transaction(session):  # what a database migrated from the old schema holds
        session.execute(update(ConsentRecord.__table__).where(ConsentRecord.__table__.c.id == consent.id)
                        .values(purpose=literal(plain, type_=Text())))  # fmt: skip
    assert encrypt_leftovers(session=session, keyring=current_keyring()) == 1
    raw = session.execute(text("SELECT purpose FROM consent_records WHERE id = :i"), {"i": consent.id}).scalar_one()
    assert plain not in raw
    session.expire_all()
    assert session.get(ConsentRecord, consent.id).purpose == plain
    assert encrypt_leftovers(session=session, keyring=current_keyring()) == 0  # re-running changes nothing
    assert ("consent_records", "purpose") in ONCE_PLAINTEXT
