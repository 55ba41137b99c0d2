"""What completing a step does besides writing the case file: the few steps that are also a use case.

- "Record case transfer" (form ``case_transfer``) transfers the case to the chosen DoSVY office through
  ``engine.security.consent.transfer_case``: only the chosen field groups, only with a covering consent
  or an override reason (audited, the team's supervisors told at once). A refusal is a form error on
  the step, so the caseworker sees why and what to do, and nothing is written.
- "Notice to DoSVY" (``dosvy_notice``) tells an office who the survivor is and where they live: only with
  a consent covering identity and addresses for that office, or an override reason (as above).
- "Accept case transfer" (``transfer_acceptance``) answered "no" ends the open transfer: the office
  that declined no longer sees the case, and the shelter records a transfer to another office.

- "Reintegration plan and agreement" (``reintegration_plan``) with the survivor's consent to notify DoSVY
  records that consent as what it is: a data-sharing consent to the named office covering identity and
  addresses (the survivor's, or for a child the guardian's), so the "Notice to DoSVY" step finds it. A
  resubmission after a return records nothing twice while a consent covering that notice holds.
- "Rights explained and informed consent" (``consent``) with consent to services records it as a consent
  (the survivor's, or for a child the guardian's, which the step then requires), so it is listed on the
  case's consent page beside the sharing, photo and publication consents recorded there.

Runs inside ``complete_work_item``'s transaction, before the workflow state is saved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.clock import local_today
from engine.errors import N_, InvalidInput
from engine.models.accounts import Organisation, OrganisationKind, User
from engine.models.cases import Case, CaseEvent
from engine.notices.rules import Rules
from engine.security.consent import (
    ConsentMissing,
    NewConsent,
    covering_consent,
    end_transfers,
    is_minor,
    notify_office,
    record_consent_in_step,
    transfer_case,
)
from engine.security.fields import FieldGroup

# Khmer wording written for these messages; it needs a native speaker's review (see GLOSSARY-km.md).
MESSAGES: dict[str, dict[str, str]] = {
    "no_consent": {
        "en": "No valid consent from the survivor covers sharing these parts with this office. Record the consent on "
        "the case's consent page first, choose fewer parts, or give a reason to override.",
        "km": "មិនមានការយល់ព្រមត្រឹមត្រូវពីជនរងគ្រោះ សម្រាប់ការចែករំលែកផ្នែកទាំងនេះជាមួយការិយាល័យនេះទេ។ "
        "សូមកត់ត្រាការយល់ព្រមជាមុនសិន ជ្រើសរើសផ្នែកតិចជាងនេះ ឬផ្តល់ហេតុផល។",
    },
    "guardian_needed": {
        "en": "The survivor is under 18 (or the date of birth is unknown): a guardian must consent.",
        "km": "ជនរងគ្រោះមានអាយុក្រោម ១៨ឆ្នាំ (ឬមិនដឹងថ្ងៃកំណើត)៖ អាណាព្យាបាលត្រូវតែយល់ព្រម។",
    },
    "no_notice_consent": {
        "en": "No valid consent from the survivor covers telling this office who they are and where they live. "
        "Record the consent on the case's consent page first, or give a reason to override.",
        "km": "មិនមានការយល់ព្រមត្រឹមត្រូវពីជនរងគ្រោះ សម្រាប់ការជូនដំណឹងអត្តសញ្ញាណ និងអាសយដ្ឋានរបស់ពួកគេទៅការិយាល័យនេះទេ។ "
        "សូមកត់ត្រាការយល់ព្រមជាមុនសិន ឬផ្តល់ហេតុផល។",
    },
    "not_transferable": {
        "en": "Only identity, addresses, the case plan and family data can be transferred.",
        "km": "មានតែអត្តសញ្ញាណ អាសយដ្ឋាន ផែនការករណី និងទិន្នន័យគ្រួសារប៉ុណ្ណោះ ដែលអាចផ្ទេរបាន។",
    },
}
_FIELDS = {"to_org_id": "to_office", "groups": "shared_groups"}
NOTICE_GROUPS = frozenset({FieldGroup.IDENTITY, FieldGroup.ADDRESSES})  # who, and where they now live
NOTICE_PURPOSE = "Notice of reintegration (consent given in the reintegration agreement)"


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
    if form_key == "consent" and values.get("consent_to_services") is True:
        _services_consent(session, actor, now, case, values, lang)
    elif form_key == "reintegration_plan" and values.get("dosvy_notice_consent") is True:
        _notice_consent(session, actor, now, case, values, lang)
    elif form_key == "case_transfer":
        _transfer(session, rules, actor, now, case, values, lang)
    elif form_key == "dosvy_notice":
        _notice(session, rules, actor, now, case, values, lang)
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
                      rules=rules, in_step=True)  # fmt: skip
    except ConsentMissing:
        raise InvalidInput(MESSAGES["no_consent"][lang], {"override_reason": MESSAGES["no_consent"][lang]}) from None
    except InvalidInput as exc:
        fields = {_FIELDS.get(k, k): MESSAGES["not_transferable"][lang] if k == "groups" else v
                  for k, v in exc.fields.items()}  # fmt: skip
        raise InvalidInput(N_("Please correct the marked fields."), fields) from None


def _notice(session: Session, rules: Rules, actor: User, now: dt.datetime, case: Case,
            values: Mapping[str, object], lang: str) -> None:  # fmt: skip
    reason = values.get("override_reason")
    try:
        notify_office(session=session, actor=actor, now=now, case=case, office_id=int(str(values["office"])),
                      groups=NOTICE_GROUPS, override_reason=reason if isinstance(reason, str) else None,
                      rules=rules, in_step=True)  # fmt: skip
    except ConsentMissing:
        message = MESSAGES["no_notice_consent"][lang]
        raise InvalidInput(message, {"override_reason": message}) from None


def _services_consent(session: Session, actor: User, now: dt.datetime, case: Case, values: Mapping[str, object],
                      lang: str) -> None:  # fmt: skip
    minor = is_minor(session, case, local_today(now))
    if minor and values.get("guardian_consent") is not True:
        message = MESSAGES["guardian_needed"][lang]
        raise InvalidInput(message, {"guardian_consent": message})
    consent = NewConsent(kind="services", given_by="guardian" if minor else "survivor", method=str(values["method"]),
                         given_on=local_today(now))  # fmt: skip
    try:
        record_consent_in_step(session=session, actor=actor, now=now, case=case, consent=consent, lang=lang)
    except InvalidInput as exc:  # e.g. a method the service refuses: shown next to the method
        raise InvalidInput(exc.message, {"method": " ".join(exc.fields.values()) or str(exc)}, **exc.params) from None


def _notice_consent(session: Session, actor: User, now: dt.datetime, case: Case, values: Mapping[str, object],
                    lang: str) -> None:  # fmt: skip
    office_id, today = int(str(values["dosvy_office"])), local_today(now)
    if covering_consent(session=session, case=case, recipient_org_id=office_id, groups=NOTICE_GROUPS, on=today):
        return
    consent = NewConsent(
        kind="data_sharing", given_by="guardian" if is_minor(session, case, today) else "survivor",
        method=str(values["dosvy_consent_method"]), given_on=today, recipient_org_id=office_id,
        purpose=NOTICE_PURPOSE, groups=NOTICE_GROUPS,
    )  # fmt: skip
    try:
        record_consent_in_step(session=session, actor=actor, now=now, case=case, consent=consent, lang=lang)
    except InvalidInput as exc:
        raise InvalidInput(
            exc.message, {"dosvy_consent_method": " ".join(exc.fields.values()) or str(exc)}, **exc.params
        ) from None


def _declined(session: Session, actor: User, now: dt.datetime, case: Case) -> None:
    if end_transfers(session=session, now=now, case=case, actor=actor, why="declined by the office"):
        session.add(CaseEvent(case_id=case.id, at=now, actor_id=actor.id, kind="transfer_declined",
                              summary="The DoSVY office declined the transfer"))  # fmt: skip
