"""Message templates: every kind in English and Khmer, dates on Cambodia's clock, links by role, and
never a survivor's name, alias, family name, place or narrative (checked against the demo data)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from engine.accounts.passwords import make_hasher
from engine.demo import seed_demo
from engine.jobs.digests import queue_daily_digests, queue_weekly_digests
from engine.jobs.lost_contact import detect_lost_contact
from engine.jobs.reminders import remind_overdue_work, remind_stale_records
from engine.jobs.training import remind_training
from engine.models.cases import FamilyMember, History, Identity
from engine.models.notices import Channel, Delivery, Notice
from engine.notices.rules import Rules
from engine.workflow.service import fire_due_timers
from notifications.messages import KINDS, LANGUAGES, form_step_labels, render
from tests.conftest import NOW

DUE = "2026-11-29T03:00:00+00:00"  # 10:00 in Phnom Penh
TASK = {"case_code": "RG-7KQ3MX", "step": "Follow-up visit", "due_at": DUE}
SAMPLES = {
    "overdue": {**TASK, "grace_days": 3},
    "overdue_supervisor": {**TASK, "grace_days": 3},
    "stale_record": {"case_code": "RG-7KQ3MX", "section": "medical", "updated_at": DUE, "max_age_days": 90},
    "lost_contact": {"case_code": "RG-7KQ3MX", "last_contact_at": DUE, "days": 91},
    "urgent": {"case_code": "RG-7KQ3MX", "step": "Urgent psychological support", "due_at": DUE},
    "consent_override": {"case_code": "RG-7KQ3MX", "what": "transfer", "by": "Demo Caseworker A1"},
    "returned": {"case_code": "RG-7KQ3MX", "step": "Individual case plan", "by": "Demo Supervisor A",
                 "work_item_id": 12},
    "daily_digest": {"date": "2026-11-29", "overdue_count": 1, "due_soon_count": 0, "overdue": [TASK], "due_soon": []},
    "weekly_overdue": {"week": "2026-W48", "overdue_count": 2, "caseworkers": [
        {"caseworker": "Demo Caseworker A1", "count": 1, "items": [TASK]},
        {"caseworker": None, "count": 1, "items": [TASK]}]},
    "training_expiring": {"course": "udhr", "expires_on": "2026-12-29", "staff": "Demo Caseworker A2",
                          "warning_days": 60},
    "training_expired": {"course": "minimum_standards", "expires_on": "2026-11-19", "staff": "Demo Caseworker A2",
                         "warning_days": 60},
    "training_assignment": {"case_code": "RG-7KQ3MX", "staff": "Demo Caseworker B1", "step": None, "gaps": [
        {"course": "udhr", "expires_on": None}, {"course": "minimum_standards", "expires_on": "2026-11-19"}]},
}  # fmt: skip
ABOUT_STAFF = {"training_expiring", "training_expired"}  # about a staff member's training, not about a case
# Terms fixed by the glossary (../shared/GLOSSARY-km.md).
KHMER = {"overdue": "ហួសកំណត់", "due date": "កាលបរិច្ឆេទកំណត់", "task": "កិច្ចការ", "reminder": "ការរំលឹក",
         "case code": "លេខកូដករណី"}  # fmt: skip


def text(kind, language="en", role="caseworker", payload=None):
    message = render(kind, payload or SAMPLES[kind], language=language, base_url="https://reintegra.example",
                     recipient_role=role)  # fmt: skip
    return message.subject, message.body


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_renders_a_subject_and_a_body_with_the_case_code(kind, language):
    subject, body = text(kind, language)
    assert subject
    assert "\n" not in subject
    assert ("Demo Caseworker A2" if kind in ABOUT_STAFF else "RG-7KQ3MX") in subject + body
    assert "{" not in subject + body  # nothing left unrendered


def test_an_overdue_message_says_case_code_step_due_date_and_link():
    subject, body = text("overdue")
    assert subject == "Overdue task: Follow-up visit (case RG-7KQ3MX)"
    assert "Due date: 29 Nov 2026, 10:00" in body  # 03:00 UTC is 10:00 in Phnom Penh
    assert "https://reintegra.example/cases/RG-7KQ3MX" in body


@pytest.mark.parametrize("kind", ["overdue", "overdue_supervisor"])
def test_khmer_messages_use_the_glossary_terms(kind):
    subject, body = text(kind, "km")
    for term in KHMER.values():
        assert term in subject + body, term
    assert "វិច្ឆិកា" in body  # the month, in Khmer


def test_a_reader_who_cannot_open_cases_gets_a_link_to_the_inbox():
    _subject, body = text("overdue", role="dosvy_officer")
    assert "/cases/" not in body
    assert "https://reintegra.example/inbox/" in body


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="no template"):
        render("birthday", {}, language="en", base_url="", recipient_role="caseworker")


def _identifying_values(session):
    values = set()
    for row in session.scalars(select(Identity)):
        values |= {
            row.given_name_km,
            row.family_name_km,
            row.given_name_latin,
            row.family_name_latin,
            row.alias,
            row.place_of_birth,
            " ".join(filter(None, [row.given_name_latin, row.family_name_latin])),
        }
    for member in session.scalars(select(FamilyMember)):
        values |= {member.name, member.address, member.occupation}
    for history in session.scalars(select(History)):
        values |= {history.narrative, history.address_before, history.address_after, history.destination_detail}
    values.add("Synthetic demo entry")  # every free-text answer of the demo's forms
    return {v for v in values if v}


def test_no_message_about_the_demo_data_names_a_survivor_or_a_place(session, runtime):
    seed_demo(session=session, hasher=make_hasher("fast"), runtime=runtime, now=NOW)
    rules = Rules()
    for days in (0, 4, 40, 100):
        now = NOW + dt.timedelta(days=days)
        fire_due_timers(session=session, runtime=runtime, now=now, limit=500)
        remind_overdue_work(session=session, now=now, rules=rules)
        remind_stale_records(session=session, now=now, rules=rules)
        detect_lost_contact(session=session, runtime=runtime, now=now, rules=rules)
        queue_daily_digests(session=session, now=now, rules=rules)
        queue_weekly_digests(session=session, now=now, rules=rules)
        remind_training(session=session, now=now, rules=rules, warning_days=60)
    forbidden = _identifying_values(session)
    assert len(forbidden) > 100  # names, aliases and family names of all 36 demo cases
    rendered = set()
    rows = session.execute(select(Notice, Delivery).join(Delivery).where(Delivery.channel == Channel.INBOX)).all()
    for notice, delivery in rows:
        for language in LANGUAGES:
            subject, body = text(notice.kind, language, delivery.recipient.role.value, json.loads(notice.payload))
            leaked = [value for value in forbidden if value in subject + body]
            assert leaked == [], f"{notice.kind} ({language}) shows {leaked}"
            rendered.add(notice.kind)
    assert rendered == set(KINDS)  # the demo data exercised every template


def test_a_training_message_names_the_course_and_the_date_in_both_languages():
    subject, body = text("training_expired")
    assert subject == ("Training expired: Policy and Minimum Standards on Protection of the Rights of Victims of "
                       "Human Trafficking (Demo Caseworker A2)")  # fmt: skip
    assert "expired on 19 Nov 2026" in body
    assert "https://reintegra.example/training/" in body
    _subject, body = text("training_assignment", "km")
    assert "សេចក្តីប្រកាសជាសកលស្តីពីសិទ្ធិមនុស្ស៖ មិនទាន់បានបណ្តុះបណ្តាល" in body
    assert "លេខកូដករណី" in body


def test_the_inbox_version_leaves_out_the_links_and_the_footer():
    message = render("overdue", SAMPLES["overdue"], language="en", base_url="", recipient_role="caseworker",
                     channel="inbox")  # fmt: skip
    assert "Due date: 29 Nov 2026, 10:00" in message.body
    assert "Open the case" not in message.body
    assert "preferences" not in message.body


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_urgent_message_names_the_step_in_the_inbox_only(language):
    payload = SAMPLES["urgent"]
    inbox = render("urgent", payload, language=language, base_url="", recipient_role="supervisor", channel="inbox")
    mail = render("urgent", payload, language=language, base_url="https://reintegra.example",
                  recipient_role="supervisor")  # fmt: skip
    assert "psychological" in inbox.subject + inbox.body
    assert "psychological" not in mail.subject + mail.body  # an e-mail must not tell of mental health
    assert "RG-7KQ3MX" in mail.subject


def test_a_khmer_message_names_the_step_by_its_forms_khmer_title(app):
    forms = app.extensions["reintegra"]["runtime"].forms
    label = form_step_labels(forms)
    plan = next(f for f in forms.values() if f.title.en == "Individual case plan")
    payload = SAMPLES["returned"]
    km = render("returned", payload, language="km", base_url="", recipient_role="caseworker", step_label=label)
    en = render("returned", payload, language="en", base_url="", recipient_role="caseworker", step_label=label)
    assert plan.title.km in km.subject + km.body
    assert "Individual case plan" not in km.subject + km.body
    assert "Individual case plan" in en.subject
    digest = render("daily_digest", {**SAMPLES["daily_digest"], "overdue": [{**TASK, "step": "Individual case plan"}]},
                    language="km", base_url="", recipient_role="caseworker", step_label=label)  # fmt: skip
    assert plan.title.km in digest.body
    weekly = render("weekly_overdue", {**SAMPLES["weekly_overdue"], "caseworkers": [
        {"caseworker": None, "count": 1, "items": [{**TASK, "step": "Individual case plan"}]}]},
        language="km", base_url="", recipient_role="supervisor", step_label=label)  # fmt: skip
    assert plan.title.km in weekly.body
    unknown = render("overdue", {**SAMPLES["overdue"], "step": "A step with no form"}, language="km", base_url="",
                     recipient_role="caseworker", step_label=label)  # fmt: skip
    assert "A step with no form" in unknown.subject  # kept as the diagram names it


@pytest.mark.parametrize(("what", "en", "km"), [("transfer", "a transfer", "ការផ្ទេរ"),
                                                ("notice", "a notice to DoSVY", "មន្ទីរសង្គមកិច្ចខេត្ត")])  # fmt: skip
def test_a_consent_override_says_what_was_done_in_the_readers_language(what, en, km):
    payload = {**SAMPLES["consent_override"], "what": what}
    assert f"({en})" in text("consent_override", "en", payload=payload)[1]
    khmer = text("consent_override", "km", payload=payload)[1]
    assert km in khmer
    assert f"({what})" not in khmer
