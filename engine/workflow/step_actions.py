"""What completing a step does besides writing the case file: the few steps that are also a use case.

- "Record case transfer" (form ``case_transfer``) transfers the case to the chosen DoSVY office through
  ``engine.security.consent.transfer_case``: only the chosen field groups, only with a covering consent
  or an override reason (audited, the team's supervisors told at once). A refusal is a form error on
  the step, so the caseworker sees why and what to do, and nothing is written.
- "Accept case transfer" (``transfer_acceptance``) answered "no" ends the open transfer: the office
  that declined no longer sees the case, and the shelter records a transfer to another office.

Runs inside ``complete_work_item``'s transaction, before the workflow state is saved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.accounts.models import Organisation, OrganisationKind, User
from engine.cases.models import Case, CaseEvent
from engine.errors import InvalidInput
from engine.notices.rules import Rules
from engine.security import audit
from engine.security.consent import ConsentMissing, transfer_case
from engine.security.fields import FieldGroup
from engine.security.models import CaseTransfer

# Khmer wording written for these messages; it needs a native speaker's review (see GLOSSARY-km.md).
MESSAGES: dict[str, dict[str, str]] = {
    "no_consent": {
        "en": "No valid consent from the survivor covers sharing these parts with this office. Record the consent on "
        "the case's consent page first, choose fewer parts, or give a reason to override.",
        "km": "មិនមានការយល់ព្រមត្រឹមត្រូវពីជនរងគ្រោះ សម្រាប់ការចែករំលែកផ្នែកទាំងនេះជាមួយការិយាល័យនេះទេ។ "
        "សូមកត់ត្រាការយល់ព្រមជាមុនសិន ជ្រើសរើសផ្នែកតិចជាងនេះ ឬផ្តល់ហេតុផល។",
    },
    "not_transferable": {
        "en": "Only identity, addresses, the case plan and family data can be transferred.",
        "km": "មានតែអត្តសញ្ញាណ អាសយដ្ឋាន ផែនការករណី និងទិន្នន័យគ្រួសារប៉ុណ្ណោះ ដែលអាចផ្ទេរបាន។",
    },
}
_FIELDS = {"to_org_id": "to_office", "groups": "shared_groups"}


def offices(session: Session) -> dict[str, str]:
    """The DoSVY offices an "office" field may name: id (as a form string) -> name."""
    rows = session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.kind == OrganisationKind.DOSVY_OFFICE)
        .order_by(Organisation.name)
    ).all()  # fmt: skip
    return {str(org_id): name for org_id, name in rows}


def perform(*, session: Session, rules: Rules, actor: User, now: dt.datetime, case: Case, form_key: str,
            values: Mapping[str, object], lang: str) -> None:  # fmt: skip
    """Carry out what the step ``form_key`` stands for, if anything (see the module's docstring)."""
    if form_key == "case_transfer":
        _transfer(session, rules, actor, now, case, values, lang)
    elif form_key == "transfer_acceptance" and values.get("accepted") is False:
        _declined(session, actor, now, case)


def _transfer(session: Session, rules: Rules, actor: User, now: dt.datetime, case: Case,
              values: Mapping[str, object], lang: str) -> None:  # fmt: skip
    chosen = values.get("shared_groups")
    groups = frozenset(FieldGroup(g) for g in chosen) if isinstance(chosen, list) else frozenset()
    reason = values.get("override_reason")
    try:
        transfer_case(session=session, actor=actor, now=now, case=case, to_org_id=int(str(values["to_office"])),
                      groups=groups, override_reason=reason if isinstance(reason, str) else None,
                      rules=rules)  # fmt: skip
    except ConsentMissing:
        raise InvalidInput(MESSAGES["no_consent"][lang], {"override_reason": MESSAGES["no_consent"][lang]}) from None
    except InvalidInput as exc:
        fields = {_FIELDS.get(k, k): MESSAGES["not_transferable"][lang] if k == "groups" else v
                  for k, v in exc.fields.items()}  # fmt: skip
        raise InvalidInput("Please correct the marked fields.", fields) from None


def _declined(session: Session, actor: User, now: dt.datetime, case: Case) -> None:
    open_transfers = session.scalars(
        select(CaseTransfer).where(CaseTransfer.case_id == case.id, CaseTransfer.ended_at.is_(None))
    ).all()  # fmt: skip
    for transfer in open_transfers:
        transfer.ended_at = now
        audit.record(session=session, now=now, actor_id=actor.id, action="transfer_declined", case_id=case.id,
                     detail=f"transfer={transfer.id}")  # fmt: skip
    if open_transfers:
        session.add(CaseEvent(case_id=case.id, at=now, actor_id=actor.id, kind="transfer_declined",
                              summary="The DoSVY office declined the transfer"))  # fmt: skip
