"""Consent gates every share: transfers to DoSVY need a covering consent, or an audited override."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from engine import audit
from engine.cases.service import get_case, list_cases
from engine.clock import FixedClock, using_clock
from engine.db import transaction
from engine.errors import Forbidden, InvalidInput, NotFound
from engine.models.accounts import Organisation, OrganisationKind, Role, Team
from engine.models.notices import Delivery, Notice
from engine.models.security import AuditEvent, ConsentRecord
from engine.security.consent import (
    ConsentMissing,
    NewConsent,
    Withdrawal,
    record_consent,
    transfer_case,
    withdraw_consent,
)
from engine.security.fields import FieldGroup
from engine.security.policy import active_transfer_groups
from tests.conftest import NOW
from tests.factories import withdrawn_today

GROUPS = frozenset({FieldGroup.IDENTITY, FieldGroup.ADDRESSES})


@pytest.fixture
def setting(session, factory):
    team = factory.team()
    worker = factory.user(Role.CASEWORKER, team)
    supervisor = factory.user(Role.SUPERVISOR, team)
    with transaction(session):
        office = Organisation(name="Test DoSVY office", kind=OrganisationKind.DOSVY_OFFICE, province_code="02")
        session.add(office)
    officer = factory.user(Role.DOSVY_OFFICER, username="dosvy.test")
    with transaction(session):
        officer.organisation_id = office.id
    case = factory.case(worker, date_of_birth=dt.date(1995, 5, 1))
    return worker, supervisor, office, officer, case


def _sharing(office, groups=GROUPS, **extra):
    fields = {"kind": "data_sharing", "given_by": "survivor", "method": "thumbprint", "given_on": NOW.date(),
              "recipient_org_id": office.id, "purpose": "Type 2 follow-up", "groups": groups}  # fmt: skip
    fields.update(extra)
    return NewConsent(**fields)


def test_a_transfer_without_consent_is_refused_with_a_clear_message(session, setting):
    _worker, supervisor, office, _officer, case = setting
    with pytest.raises(ConsentMissing, match="no valid consent"):
        transfer_case(session=session, actor=supervisor, now=NOW, case=case, to_org_id=office.id, groups=GROUPS)
    assert active_transfer_groups(session, case.id, office.id) == frozenset()


def test_a_transfer_with_a_covering_consent_goes_through_and_the_office_sees_only_those_groups(session, setting):
    worker, supervisor, office, officer, case = setting
    record_consent(session=session, actor=worker, now=NOW, case=case, consent=_sharing(office))
    transfer_case(session=session, actor=supervisor, now=NOW, case=case, to_org_id=office.id, groups=GROUPS)
    assert active_transfer_groups(session, case.id, office.id) == GROUPS
    assert get_case(session=session, actor=officer, code=case.code).id == case.id
    assert [c.id for c in list_cases(session=session, actor=officer)[0]] == [case.id]


def test_a_consent_not_covering_every_group_does_not_count(session, setting):
    worker, supervisor, office, _officer, case = setting
    record_consent(session=session, actor=worker, now=NOW, case=case,
                   consent=_sharing(office, frozenset({FieldGroup.IDENTITY})))  # fmt: skip
    with pytest.raises(ConsentMissing):
        transfer_case(session=session, actor=supervisor, now=NOW, case=case, to_org_id=office.id, groups=GROUPS)


def test_a_withdrawn_or_expired_consent_does_not_count(session, setting):
    worker, supervisor, office, _officer, case = setting
    row = record_consent(session=session, actor=worker, now=NOW, case=case, consent=_sharing(office))
    withdraw_consent(session=session, actor=worker, now=NOW, consent_id=row.id, withdrawal=withdrawn_today(NOW))
    with pytest.raises(ConsentMissing):
        transfer_case(session=session, actor=supervisor, now=NOW + dt.timedelta(days=1), case=case,
                      to_org_id=office.id, groups=GROUPS)  # fmt: skip
    record_consent(session=session, actor=worker, now=NOW, case=case,
                   consent=_sharing(office, expires_on=NOW.date() + dt.timedelta(days=10)))  # fmt: skip
    with pytest.raises(ConsentMissing):
        transfer_case(session=session, actor=supervisor, now=NOW + dt.timedelta(days=11), case=case,
                      to_org_id=office.id, groups=GROUPS)  # fmt: skip


def test_an_override_needs_a_reason_and_is_audited(session, setting):
    _worker, supervisor, office, _officer, case = setting
    transfer_case(session=session, actor=supervisor, now=NOW, case=case, to_org_id=office.id, groups=GROUPS,
                  override_reason="Synthetic: survivor in danger, consent cannot be obtained today")  # fmt: skip
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case.id)).all()
    assert "consent_override" in actions
    assert audit.verify(session=session).ok


def test_medical_or_psychological_data_is_never_transferable(session, setting):
    worker, supervisor, office, _officer, case = setting
    groups = frozenset({FieldGroup.MEDICAL})
    record_consent(session=session, actor=worker, now=NOW, case=case, consent=_sharing(office, groups))
    with pytest.raises(InvalidInput):
        transfer_case(session=session, actor=supervisor, now=NOW, case=case, to_org_id=office.id, groups=groups)


def test_only_the_case_staff_transfer(session, setting, factory):
    worker, _supervisor, office, officer, case = setting
    colleague = factory.user(Role.CASEWORKER, factory.session.get(Team, worker.team_id))
    for outsider in (colleague, officer):
        with pytest.raises(Forbidden):
            transfer_case(session=session, actor=outsider, now=NOW, case=case, to_org_id=office.id, groups=GROUPS,
                          override_reason="Synthetic reason")  # fmt: skip


def test_a_caseworkers_override_tells_the_teams_supervisors_at_once_with_the_case_code_only(session, setting):
    worker, supervisor, office, _officer, case = setting
    transfer_case(session=session, actor=worker, now=NOW, case=case, to_org_id=office.id, groups=GROUPS,
                  override_reason="Synthetic: consent cannot be obtained today")  # fmt: skip
    notice = session.scalar(select(Notice).where(Notice.kind == "consent_override"))
    assert notice is not None
    assert notice.case_id == case.id
    assert json.loads(notice.payload) == {"case_code": case.code, "what": "transfer", "by": worker.display_name}
    told = session.scalars(select(Delivery.recipient_id).where(Delivery.notice_id == notice.id)).all()
    assert told == [supervisor.id]


def test_a_consented_transfer_raises_no_override_notice(session, setting):
    worker, _supervisor, office, _officer, case = setting
    record_consent(session=session, actor=worker, now=NOW, case=case, consent=_sharing(office))
    transfer_case(session=session, actor=worker, now=NOW, case=case, to_org_id=office.id, groups=GROUPS)
    assert session.scalar(select(Notice).where(Notice.kind == "consent_override")) is None


def test_an_officer_of_another_office_sees_nothing(session, setting, factory):
    worker, supervisor, office, _officer, case = setting
    stranger = factory.user(Role.DOSVY_OFFICER, username="dosvy.other")
    record_consent(session=session, actor=worker, now=NOW, case=case, consent=_sharing(office))
    transfer_case(session=session, actor=supervisor, now=NOW, case=case, to_org_id=office.id, groups=GROUPS)
    with pytest.raises(NotFound):
        get_case(session=session, actor=stranger, code=case.code)


def test_a_minor_needs_a_guardian_and_never_a_photo_consent(session, setting, factory):
    worker, _supervisor, office, _officer, _case = setting
    minor = factory.case(worker, date_of_birth=NOW.date().replace(year=NOW.year - 15))
    with pytest.raises(InvalidInput, match="consent was not recorded") as refused:
        record_consent(session=session, actor=worker, now=NOW, case=minor, consent=_sharing(office))
    assert "guardian" in refused.value.fields["given_by"]
    photo = NewConsent(kind="photo", given_by="guardian", method="signature", given_on=NOW.date())
    with pytest.raises(InvalidInput) as no_photo:
        record_consent(session=session, actor=worker, now=NOW, case=minor, consent=photo)
    assert "never" in no_photo.value.fields["kind"]


def test_a_consent_to_another_office_does_not_cover_this_one(session, setting, factory):
    worker, _supervisor, office, _officer, case = setting
    record_consent(session=session, actor=worker, now=NOW, case=case, consent=_sharing(factory.office()))
    with pytest.raises(ConsentMissing):
        transfer_case(session=session, actor=worker, now=NOW, case=case, to_org_id=office.id, groups=GROUPS)


def test_withdrawing_ends_the_transfers_resting_on_the_consent(session, setting):
    worker, _supervisor, office, officer, case = setting
    row = record_consent(session=session, actor=worker, now=NOW, case=case, consent=_sharing(office))
    transfer_case(session=session, actor=worker, now=NOW, case=case, to_org_id=office.id, groups=GROUPS)
    withdraw_consent(session=session, actor=worker, now=NOW, consent_id=row.id, withdrawal=withdrawn_today(NOW))
    with pytest.raises(NotFound):
        get_case(session=session, actor=officer, code=case.code)
    ended = session.scalars(select(AuditEvent.action).where(AuditEvent.action == "transfer_ended")).all()
    assert ended == ["transfer_ended"]


def test_an_expired_consent_stops_the_offices_access(session, setting):
    worker, _supervisor, office, officer, case = setting
    row = record_consent(session=session, actor=worker, now=NOW, case=case, consent=_sharing(office))
    transfer_case(session=session, actor=worker, now=NOW, case=case, to_org_id=office.id, groups=GROUPS)
    with transaction(session):
        row.expires_on = NOW.date() + dt.timedelta(days=2)
    clock = FixedClock(NOW)
    with using_clock(clock):  # the request's clock, whatever the machine's or the database's date
        assert get_case(session=session, actor=officer, code=case.code).id == case.id
        clock.advance(dt.timedelta(days=3))
        with pytest.raises(NotFound):
            get_case(session=session, actor=officer, code=case.code)


def test_a_consent_id_of_another_case_is_not_withdrawn_through_this_one(session, setting, factory):
    worker, _supervisor, office, _officer, case = setting
    other = factory.case(worker, date_of_birth=dt.date(1994, 2, 2))
    row = record_consent(session=session, actor=worker, now=NOW, case=other, consent=_sharing(office))
    with pytest.raises(NotFound):
        withdraw_consent(
            session=session, actor=worker, now=NOW, consent_id=row.id, case_id=case.id, withdrawal=withdrawn_today(NOW)
        )
    assert session.get(ConsentRecord, row.id).withdrawn_on is None


def test_an_adult_consents_for_themself(session, setting):
    worker, _supervisor, office, _officer, case = setting
    with pytest.raises(InvalidInput) as refused:
        record_consent(session=session, actor=worker, now=NOW, case=case, consent=_sharing(office, given_by="guardian"))
    assert "adult" in refused.value.fields["given_by"]


def test_a_consent_given_today_in_phnom_penh_is_not_in_the_future(session, setting):
    worker, _supervisor, office, _officer, case = setting
    evening_utc = dt.datetime(2026, 11, 29, 20, 0, tzinfo=dt.UTC)  # already 30 November, 03:00, in Phnom Penh
    consent = _sharing(office, given_on=dt.date(2026, 11, 30))
    assert record_consent(session=session, actor=worker, now=evening_utc, case=case, consent=consent).id


def test_a_withdrawal_needs_a_reason_in_the_readers_language_and_writes_nothing(session, setting):
    worker, _supervisor, office, _officer, case = setting
    row = record_consent(session=session, actor=worker, now=NOW, case=case, consent=_sharing(office))
    with pytest.raises(InvalidInput) as refused:
        withdraw_consent(session=session, actor=worker, now=NOW, consent_id=row.id,
                         withdrawal=Withdrawal(NOW.date(), "   "), lang="km")  # fmt: skip
    assert refused.value.fields["reason"] == "សូមបញ្ជាក់មូលហេតុនៃការដកការយល់ព្រមវិញ។"
    session.rollback()
    assert session.get(ConsentRecord, row.id).withdrawn_on is None


def test_a_withdrawal_dated_before_the_consent_or_ahead_is_refused(session, setting):
    worker, _supervisor, office, _officer, case = setting
    row = record_consent(session=session, actor=worker, now=NOW, case=case, consent=_sharing(office))
    for day in (NOW.date() - dt.timedelta(days=1), NOW.date() + dt.timedelta(days=1)):
        with pytest.raises(InvalidInput) as refused:
            withdraw_consent(session=session, actor=worker, now=NOW, consent_id=row.id,
                             withdrawal=Withdrawal(day, "Synthetic reason"))  # fmt: skip
        assert "withdrawn_on" in refused.value.fields
    session.rollback()
    assert session.get(ConsentRecord, row.id).withdrawn_on is None


def test_a_withdrawal_records_who_when_and_why(session, setting):
    worker, _supervisor, office, _officer, case = setting
    row = record_consent(session=session, actor=worker, now=NOW, case=case, consent=_sharing(office))
    assert withdraw_consent(session=session, actor=worker, now=NOW, consent_id=row.id,
                            withdrawal=Withdrawal(NOW.date(), "Synthetic: changed her mind"))  # fmt: skip
    session.expire_all()
    stored = session.get(ConsentRecord, row.id)
    assert (stored.withdrawn_on, stored.withdrawal_reason, stored.withdrawn_by_id) == (
        NOW.date(), "Synthetic: changed her mind", worker.id)  # fmt: skip
    assert not withdraw_consent(session=session, actor=worker, now=NOW, consent_id=row.id,
                                withdrawal=Withdrawal(NOW.date(), "Synthetic: again"))  # fmt: skip
    session.expire_all()
    assert session.get(ConsentRecord, row.id).withdrawal_reason == "Synthetic: changed her mind"
