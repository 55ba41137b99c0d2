"""Publication (Article 49): a request resting on a signed publication consent, a supervisor's decision (never
the requester's), and an extract of only the named groups' fields while the consent holds; nothing
identifying about a child, ever; every step audited."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text

from engine import audit
from engine.db import transaction
from engine.errors import Forbidden, InvalidInput, NotFound
from engine.models.cases import (
    SECTIONS,
    CasePlan,
    CasePlanGoal,
    FamilyMember,
    History,
    Identity,
    MedicalRecord,
    PsychologicalRecord,
)
from engine.models.security import AuditEvent, PublicationRequest
from engine.security import photos
from engine.security.consent import ConsentMissing, withdraw_consent
from engine.security.fields import SECTION_GROUPS, FieldGroup
from engine.security.publication import (
    CHILD_IDENTIFYING,
    CHILD_PHOTO,
    CHOOSE_GROUPS,
    IDENTIFYING,
    NEED_PURPOSE,
    NOT_COVERED,
    PURPOSE_TOO_LONG,
    AlreadyDecided,
    PublicationNotAllowed,
    decide_publication,
    publication_consents,
    publication_extract,
    publication_requests,
    request_publication,
)
from engine.security.rotation import encrypted_columns
from tests.conftest import NOW
from tests.factories import withdrawn_today
from tests.privacy_support import consent, jpeg_with_gps, people, raw_consent

G = FieldGroup
PURPOSE = "Synthetic: an anonymised story in the shelter's annual report"
NARRATIVE = "Zyx-Narrative: a synthetic story."
DESTINATION = "Zyx-Destination: a synthetic place."
ADDRESS = "Zyx-Address, Demo Village"
ADVICE = "Zyx-Advice: synthetic doctor's advice."
NOTES = "Zyx-Psychological: synthetic notes."
RELATIVE = "Zyx-Relative Synthetic"
GOAL = "Zyx-Goal: synthetic schooling"
PLACE = "Zyx-Birthplace"


@pytest.fixture
def crew(session, factory):
    crew = people(session, factory)
    with transaction(session):
        identity = session.scalar(select(Identity).where(Identity.case_id == crew.case.id))
        identity.alias, identity.place_of_birth = "Zyx-Alias", PLACE
        stamp = {"case_id": crew.case.id, "updated_at": NOW, "updated_by_id": crew.worker.id}
        session.add(History(narrative=NARRATIVE, destination_detail=DESTINATION, address_before=ADDRESS,
                            form_of_exploitation="labour", **stamp))  # fmt: skip
        session.add(MedicalRecord(doctor_advice=ADVICE, **stamp))
        session.add(PsychologicalRecord(notes=NOTES, **stamp))
        session.add(FamilyMember(relationship="aunt", name=RELATIVE, **stamp))
        plan = CasePlan(**stamp)
        plan.goals.append(CasePlanGoal(domain="education", goal=GOAL))
        session.add(plan)
    return crew


def publication_consent(session, crew, groups=frozenset({G.IDENTITY, G.NARRATIVE, G.MEDICAL, G.PHOTO}), **extra):
    return consent(session, crew.worker, crew.case, kind="publication", groups=groups, purpose=PURPOSE, **extra)


@pytest.fixture
def signed(session, crew):
    return publication_consent(session, crew)


def ask(session, actor, crew, consent_id, groups, purpose=PURPOSE, now=NOW):
    return request_publication(session=session, actor=actor, now=now, case=crew.case, consent_id=consent_id,
                               purpose=purpose, groups=frozenset(groups))  # fmt: skip


def decide(session, actor, crew, request_id, approve=True, reason="Synthetic: it benefits the survivor", now=NOW):
    return decide_publication(session=session, actor=actor, now=now, case=crew.case, request_id=request_id,
                              approve=approve, reason=reason)  # fmt: skip


def extract(session, actor, crew, request_id, now=NOW):
    return publication_extract(session=session, actor=actor, now=now, case=crew.case, request_id=request_id)


def approved(session, crew, consent_id, groups):
    row = ask(session, crew.worker, crew, consent_id, groups)
    decide(session, crew.supervisor, crew, row.id)
    return row


def audited(session, action):
    return session.scalars(select(AuditEvent.detail).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


# --- the consent a request rests on ---


def test_without_a_consent_nothing_can_be_requested(session, crew):
    with pytest.raises(ConsentMissing, match="no valid publication consent"):
        ask(session, crew.worker, crew, None, {G.NARRATIVE})
    assert session.scalars(select(PublicationRequest)).all() == []


@pytest.mark.parametrize(
    "kind_or_change",
    [{"kind": "photo"}, {"kind": "services"}, {"method": "verbal_with_witness"}, {"purpose": " "}, {"scope": ""}],
    ids=["photo-consent", "services-consent", "verbal", "no-named-use", "no-groups"],
)
def test_only_a_signed_publication_consent_naming_its_use_and_groups_counts(session, crew, kind_or_change):
    fields = {"kind": "publication", "given_by": "survivor", "scope": "narrative", **kind_or_change}
    row = raw_consent(session, crew.worker, crew.case, **fields)
    with pytest.raises(ConsentMissing):
        ask(session, crew.worker, crew, row.id, {G.NARRATIVE})


def test_a_withdrawn_expired_or_future_consent_does_not_count(session, crew, signed):
    dated = publication_consent(session, crew, expires_on=NOW.date() + dt.timedelta(days=5))
    with pytest.raises(ConsentMissing):
        ask(session, crew.worker, crew, dated.id, {G.NARRATIVE}, now=NOW + dt.timedelta(days=5))
    with pytest.raises(ConsentMissing):
        ask(session, crew.worker, crew, signed.id, {G.NARRATIVE}, now=NOW - dt.timedelta(days=1))
    withdraw_consent(session=session, actor=crew.worker, now=NOW, consent_id=signed.id, withdrawal=withdrawn_today(NOW))
    with pytest.raises(ConsentMissing):
        ask(session, crew.worker, crew, signed.id, {G.NARRATIVE})


def test_a_consent_of_another_case_does_not_count(session, factory, crew):
    other = people(session, factory)
    foreign = consent(session, other.worker, other.case, kind="publication", groups=frozenset({G.NARRATIVE}))
    with pytest.raises(ConsentMissing):
        ask(session, crew.worker, crew, foreign.id, {G.NARRATIVE})


def test_the_consents_offered_are_the_valid_ones_only(session, crew, signed):
    withdrawn = publication_consent(session, crew)
    withdraw_consent(
        session=session, actor=crew.worker, now=NOW, consent_id=withdrawn.id, withdrawal=withdrawn_today(NOW)
    )
    consent(session, crew.worker, crew.case)  # a photo release: not for publication
    offered = publication_consents(session=session, actor=crew.worker, now=NOW, case=crew.case)
    assert [(c.id, c.groups) for c in offered] == [(signed.id, ("identity", "medical", "narrative", "photo"))]


# --- what a request may ask for ---


def test_the_groups_must_be_among_the_consents(session, crew, signed):
    with pytest.raises(InvalidInput) as refused:
        ask(session, crew.worker, crew, signed.id, {G.NARRATIVE, G.FAMILY})
    assert refused.value.fields == {"groups": NOT_COVERED}


def test_groups_and_a_purpose_are_required(session, crew, signed):
    with pytest.raises(InvalidInput) as refused:
        ask(session, crew.worker, crew, signed.id, set(), purpose="  ")
    assert refused.value.fields == {"groups": CHOOSE_GROUPS, "purpose": NEED_PURPOSE}
    with pytest.raises(InvalidInput) as too_long:
        ask(session, crew.worker, crew, signed.id, {G.NARRATIVE}, purpose="x" * 2001)
    assert too_long.value.fields == {"purpose": PURPOSE_TOO_LONG}


@pytest.fixture
def child(session, factory):
    crew = people(session, factory, born=NOW.date().replace(year=NOW.year - 15))
    everything = frozenset(FieldGroup)
    row = consent(session, crew.worker, crew.case, kind="publication", given_by="guardian", groups=everything)
    return crew, row


@pytest.mark.parametrize("group", sorted(IDENTIFYING - {G.PHOTO}))
def test_nothing_identifying_about_a_child_is_ever_requested(session, child, group):
    crew, row = child
    with pytest.raises(InvalidInput) as refused:
        ask(session, crew.worker, crew, row.id, {group, G.MEDICAL})
    assert refused.value.fields == {"groups": CHILD_IDENTIFYING}


def test_a_childs_photo_is_never_requested(session, child):
    crew, row = child
    with pytest.raises(InvalidInput) as refused:
        ask(session, crew.worker, crew, row.id, {G.PHOTO})
    assert refused.value.fields == {"groups": CHILD_PHOTO}


def test_what_cannot_identify_a_child_may_be_requested_with_a_guardians_consent(session, child):
    crew, row = child
    request = ask(session, crew.worker, crew, row.id, {G.MEDICAL, G.PSYCHOLOGICAL, G.PLAN})
    assert request.status == "pending"


def test_an_unknown_date_of_birth_counts_as_a_child(session, factory):
    crew = people(session, factory, born=None)
    row = raw_consent(session, crew.worker, crew.case, kind="publication", scope="identity,medical")
    with pytest.raises(InvalidInput) as refused:
        ask(session, crew.worker, crew, row.id, {G.IDENTITY})
    assert refused.value.fields == {"groups": CHILD_IDENTIFYING}


# --- the decision ---


def test_a_request_approved_by_a_supervisor_is_audited_at_each_step(session, crew, signed):
    row = ask(session, crew.worker, crew, signed.id, {G.NARRATIVE, G.MEDICAL})
    assert audited(session, "publication_requested") == [f"publication={row.id} consent={signed.id} "
                                                         "groups=medical,narrative"]  # fmt: skip
    decided = decide(session, crew.supervisor, crew, row.id)
    assert (decided.status, decided.decided_by_id, decided.decided_at) == ("approved", crew.supervisor.id, NOW)
    assert audited(session, "publication_approved") == [f"publication={row.id} groups=medical,narrative"]
    assert audit.verify(session=session).ok


def test_a_refusal_is_recorded_with_its_reason_and_audited(session, crew, signed):
    row = ask(session, crew.worker, crew, signed.id, {G.NARRATIVE})
    decide(session, crew.supervisor, crew, row.id, approve=False, reason="Synthetic: too early to tell")
    (line,) = publication_requests(session=session, actor=crew.worker, case=crew.case)
    assert (line.status, line.decision_reason, line.decided_by) == (
        "refused", "Synthetic: too early to tell", crew.supervisor.display_name
    )  # fmt: skip
    assert audited(session, "publication_refused") == [f"publication={row.id} groups=narrative"]


def test_a_caseworker_never_decides(session, crew, signed):
    row = ask(session, crew.worker, crew, signed.id, {G.NARRATIVE})
    with pytest.raises(Forbidden):
        decide(session, crew.worker, crew, row.id)
    assert session.get(PublicationRequest, row.id).status == "pending"


def test_a_supervisor_never_decides_their_own_request(session, crew, signed):
    row = ask(session, crew.supervisor, crew, signed.id, {G.NARRATIVE})
    with pytest.raises(Forbidden, match="another supervisor"):
        decide(session, crew.supervisor, crew, row.id)
    decide(session, crew.second_supervisor, crew, row.id)
    assert session.get(PublicationRequest, row.id).status == "approved"


def test_a_supervisor_of_another_team_cannot_decide(session, crew, signed):
    row = ask(session, crew.worker, crew, signed.id, {G.NARRATIVE})
    with pytest.raises(NotFound):
        decide(session, crew.stranger, crew, row.id)


def test_a_decision_needs_a_reason(session, crew, signed):
    row = ask(session, crew.worker, crew, signed.id, {G.NARRATIVE})
    with pytest.raises(InvalidInput) as refused:
        decide(session, crew.supervisor, crew, row.id, reason=" ")
    assert "reason" in refused.value.fields
    with pytest.raises(InvalidInput):
        decide(session, crew.supervisor, crew, row.id, reason="x" * 2001)


def test_a_decided_request_cannot_be_decided_again(session, crew, signed):
    row = ask(session, crew.worker, crew, signed.id, {G.NARRATIVE})
    decide(session, crew.supervisor, crew, row.id, approve=False)
    with pytest.raises(AlreadyDecided):
        decide(session, crew.second_supervisor, crew, row.id)


def test_an_approval_needs_the_consent_still_valid_but_a_refusal_does_not(session, crew, signed):
    row = ask(session, crew.worker, crew, signed.id, {G.NARRATIVE})
    withdraw_consent(session=session, actor=crew.worker, now=NOW, consent_id=signed.id, withdrawal=withdrawn_today(NOW))
    with pytest.raises(ConsentMissing):
        decide(session, crew.supervisor, crew, row.id)
    decide(session, crew.supervisor, crew, row.id, approve=False)
    assert session.get(PublicationRequest, row.id).status == "refused"


def test_a_request_of_another_case_is_not_found(session, factory, crew, signed):
    other = people(session, factory)
    row = ask(session, crew.worker, crew, signed.id, {G.NARRATIVE})
    with pytest.raises(NotFound):
        decide_publication(session=session, actor=other.supervisor, now=NOW, case=other.case, request_id=row.id,
                           approve=True, reason="Synthetic")  # fmt: skip


# --- the extract ---


def test_the_extract_holds_the_named_groups_fields_and_nothing_else(session, crew, signed):
    row = approved(session, crew, signed.id, {G.NARRATIVE, G.MEDICAL})
    found = extract(session, crew.worker, crew, row.id)
    assert found.groups == ("medical", "narrative")
    assert found.sections == {
        "history": [{"destination_detail": DESTINATION, "narrative": NARRATIVE}],
        "medical": [{"doctor_advice": ADVICE}],
    }
    everything = repr(found)
    for other in (ADDRESS, NOTES, RELATIVE, GOAL, PLACE, "Testperson", "Zyx-Alias", "labour"):
        assert other not in everything
    assert audited(session, "export") == [f"publication={row.id} consent={signed.id} groups=medical,narrative"]


def test_the_identity_group_gives_names_but_no_place_no_photo_and_no_index(session, crew, signed):
    consent(session, crew.worker, crew.case)  # a photo release: a photo is on file
    photos.upload_photo(session=session, actor=crew.worker, now=NOW, case=crew.case, data=jpeg_with_gps(),
                        max_bytes=10**6)  # fmt: skip
    row = approved(session, crew, signed.id, {G.IDENTITY, G.PHOTO})
    (identity,) = extract(session, crew.worker, crew, row.id).sections["identity"]
    assert identity["given_name_latin"] == "Testperson"
    assert identity["date_of_birth"] == "1995-05-01"
    assert identity["sex"] == "female"
    assert not {"place_of_birth", "photo_ref", "name_index", "id", "case_id", "updated_at"} & set(identity)


def test_family_members_and_plan_goals_come_row_by_row(session, crew):
    wide = publication_consent(session, crew, groups=frozenset({G.FAMILY, G.PLAN}))
    row = approved(session, crew, wide.id, {G.FAMILY, G.PLAN})
    sections = extract(session, crew.worker, crew, row.id).sections
    assert sections["family_members"] == [{"relationship": "aunt", "name": RELATIVE}]
    assert sections["case_plan_goals"] == [{"domain": "education", "goal": GOAL}]


@pytest.mark.parametrize("approve", [None, False], ids=["pending", "refused"])
def test_only_an_approved_request_is_extracted(session, crew, signed, approve):
    row = ask(session, crew.worker, crew, signed.id, {G.NARRATIVE})
    if approve is not None:
        decide(session, crew.supervisor, crew, row.id, approve=approve)
    with pytest.raises(PublicationNotAllowed, match="Only an approved"):
        extract(session, crew.worker, crew, row.id)
    assert audited(session, "export") == []


def test_a_consent_withdrawn_after_the_approval_stops_the_extract(session, crew, signed):
    row = approved(session, crew, signed.id, {G.NARRATIVE})
    withdraw_consent(session=session, actor=crew.worker, now=NOW, consent_id=signed.id, withdrawal=withdrawn_today(NOW))
    with pytest.raises(ConsentMissing, match="no longer valid"):
        extract(session, crew.worker, crew, row.id)
    assert audited(session, "export") == []


def test_a_consent_expired_after_the_approval_stops_the_extract(session, crew):
    dated = publication_consent(session, crew, expires_on=NOW.date() + dt.timedelta(days=3))
    row = approved(session, crew, dated.id, {G.NARRATIVE})
    extract(session, crew.worker, crew, row.id, now=NOW + dt.timedelta(days=2))
    with pytest.raises(ConsentMissing):
        extract(session, crew.worker, crew, row.id, now=NOW + dt.timedelta(days=3))


def test_a_date_of_birth_corrected_to_a_child_stops_an_identifying_extract(session, crew, signed):
    row = approved(session, crew, signed.id, {G.NARRATIVE})
    with transaction(session):
        session.scalar(select(Identity).where(Identity.case_id == crew.case.id)).date_of_birth = dt.date(2015, 1, 1)
    with pytest.raises(PublicationNotAllowed, match="under 18"):
        extract(session, crew.worker, crew, row.id)


def test_the_child_rule_is_checked_again_at_the_decision(session, crew, signed):
    row = ask(session, crew.worker, crew, signed.id, {G.IDENTITY})
    with transaction(session):
        session.scalar(select(Identity).where(Identity.case_id == crew.case.id)).date_of_birth = None
    with pytest.raises(PublicationNotAllowed):
        decide(session, crew.supervisor, crew, row.id)


# --- who ---

OUTSIDERS = [("colleague", NotFound), ("stranger", NotFound), ("officer", Forbidden), ("admin", Forbidden),
             ("reporting", Forbidden)]  # fmt: skip


@pytest.mark.parametrize(("who", "error"), OUTSIDERS)
def test_only_the_case_staff_request_list_or_extract(session, crew, signed, who, error):
    row = approved(session, crew, signed.id, {G.NARRATIVE})
    actor = getattr(crew, who)
    with pytest.raises(error):
        ask(session, actor, crew, signed.id, {G.NARRATIVE})
    with pytest.raises(error):
        extract(session, actor, crew, row.id)
    with pytest.raises(error):
        publication_requests(session=session, actor=actor, case=crew.case)
    with pytest.raises(error):
        publication_consents(session=session, actor=actor, now=NOW, case=crew.case)
    with pytest.raises(Forbidden if who != "stranger" else NotFound):
        decide(session, actor, crew, row.id)
    assert audited(session, "export") == []


# --- storage ---


def test_the_purpose_and_the_reason_are_encrypted_at_rest(session, crew, signed):
    row = approved(session, crew, signed.id, {G.NARRATIVE})
    purpose, reason = session.execute(text("SELECT purpose, decision_reason FROM publication_requests")).one()
    assert PURPOSE not in purpose
    assert "benefits" not in reason
    assert {("publication_requests", "purpose"), ("publication_requests", "decision_reason")} <= {
        (t.name, c) for t, c in encrypted_columns()
    }
    assert session.get(PublicationRequest, row.id).purpose == PURPOSE


def test_every_case_file_section_has_its_model_for_the_extract():
    assert {key for key, _model in SECTIONS} == set(SECTION_GROUPS)
