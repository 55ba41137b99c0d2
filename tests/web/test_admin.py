"""The administrators' status page: each job's last run, next run and last error; the active scheduler;
messages that failed after their last retry, and putting them back. Administrators only."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from engine.db import transaction
from engine.errors import N_
from engine.models.accounts import Role, User
from engine.models.notices import Channel, Delivery, DeliveryStatus, SchedulerJob
from engine.notices.outbox import Report, add_notice
from engine.notices.rules import Rules
from engine.notices.status import heartbeat, record_job_run
from notifications.jobs import JOBS
from tests.conftest import NOW, csrf_from


@pytest.fixture
def team(factory):
    return factory.team()


def admin_client(client, factory, login):
    factory.user(Role.ADMINISTRATOR, username="admin.status")
    login("admin.status")
    return client


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMINISTRATOR])
@pytest.mark.parametrize(("method", "url"), [("get", "/admin/"), ("post", "/admin/deliveries/1/retry")])
def test_only_administrators_may_use_the_admin_area(client, factory, team, login, role, method, url):
    factory.user(role, team if role in (Role.CASEWORKER, Role.SUPERVISOR) else None, username=f"no.{role.value}")
    login(f"no.{role.value}")
    token = csrf_from(client.get("/inbox/").get_data(as_text=True))
    response = client.get(url) if method == "get" else client.post(url, data={"csrf_token": token})
    assert response.status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    assert client.get("/admin/").headers["Location"].startswith("/auth/login")


def test_the_navigation_links_the_status_page_for_administrators(client, factory, login):
    html = admin_client(client, factory, login).get("/inbox/").get_data(as_text=True)
    assert 'href="/admin/"' in html


def test_every_job_is_listed_with_its_last_run_error_and_next_run(client, factory, login, session):
    now = NOW
    record_job_run(session=session, job_id="fire_timers", started_at=now, finished_at=now, result=None,
                   error="WorkflowFailed: the diagram failed")  # fmt: skip
    with transaction(session):
        session.get(SchedulerJob, "fire_timers").next_run_at = now + dt.timedelta(minutes=1)
    page = admin_client(client, factory, login).get("/admin/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for job in JOBS:
        assert job.title in html
    row = html.split('id="job-fire_timers"')[1].split("</tr>")[0]
    assert "WorkflowFailed: the diagram failed" in row
    assert "<mark>error</mark>" in row
    assert "never" in html.split('id="job-weekly_digests"')[1].split("</tr>")[0]


def test_a_missing_scheduler_is_flagged_and_a_running_one_named(client, factory, login, session):
    admin = admin_client(client, factory, login)
    assert "No scheduler is running" in admin.get("/admin/").get_data(as_text=True)
    now = NOW
    heartbeat(session=session, name="host:4242", now=now, started_at=now, active=True)
    heartbeat(session=session, name="host:4343", now=now, started_at=now, active=False)
    html = admin.get("/admin/").get_data(as_text=True)
    assert "Active scheduler: host:4242" in html
    assert "standing by" in html


def test_failed_deliveries_are_listed_and_can_be_put_back(client, factory, login, session, team):
    worker = factory.user(Role.CASEWORKER, team, username="cw.failed")
    with transaction(session):
        worker.email = "cw@example.org"
        add_notice(session, key=("overdue", "work_item:9", "p/0"), case_id=None, recipients=[worker],
                   payload={"case_code": "RG-FAIL01", "step": "Step", "due_at": None, "grace_days": 3},
                   rules=Rules(channels=frozenset({"inbox", "email"})), now=NOW)  # fmt: skip
        failed = session.scalar(select(Delivery).where(Delivery.channel == Channel.EMAIL))
        failed.status, failed.attempts, failed.last_error = DeliveryStatus.FAILED, 8, "ChannelUnavailable: refused"
    admin = admin_client(client, factory, login)
    html = admin.get("/admin/").get_data(as_text=True)
    row = html.split(f'id="delivery-{failed.id}"')[1].split("</tr>")[0]
    assert "cw.failed" in row
    assert "ChannelUnavailable: refused" in row
    token = csrf_from(html)
    response = admin.post(f"/admin/deliveries/{failed.id}/retry", data={"csrf_token": token})
    assert response.status_code == 303
    session.commit()
    session.expire_all()
    assert session.get(Delivery, failed.id).status is DeliveryStatus.PENDING
    assert "Every message was delivered or is still being retried." in admin.get("/admin/").get_data(as_text=True)


def test_a_jobs_status_line_is_said_in_the_administrators_language(client, factory, login, session):
    report = Report(2, 1, detail=N_("%(count)s overdue tasks"), params={"count": 5})
    record_job_run(session=session, job_id="overdue_reminders", started_at=NOW, finished_at=NOW,
                   result=report.record(), error=None)  # fmt: skip
    record_job_run(session=session, job_id="lost_contact", started_at=NOW, finished_at=NOW,
                   result="3 new; written before status lines were kept as records", error=None)  # fmt: skip
    admin = admin_client(client, factory, login)
    row = admin.get("/admin/").get_data(as_text=True).split('id="job-overdue_reminders"')[1].split("</tr>")[0]
    assert "2 new, 1 failed; 5 overdue tasks" in row
    with transaction(session):
        session.scalar(select(User).where(User.username == "admin.status")).language = "km"
    html = admin.get("/admin/").get_data(as_text=True)
    row = html.split('id="job-overdue_reminders"')[1].split("</tr>")[0]
    assert "ថ្មី 2, បរាជ័យ 1; កិច្ចការហួសកំណត់ 5" in row
    assert "ការរំលឹក" in html.split('id="job-record_reminders"')[1].split("</tr>")[0]  # the job's title
    assert "Record-update reminders" not in html
    assert "written before status lines were kept" in html.split('id="job-lost_contact"')[1].split("</tr>")[0]
    assert "<code>reintegra scheduler</code>" in html  # the command, in a Khmer sentence


def test_a_status_line_too_long_for_a_record_is_kept_as_its_english_summary():
    report = Report(1, detail=N_("%(count)s due; unreachable: %(channels)s"),
                    params={"count": 1, "channels": "x" * 300})  # fmt: skip
    kept = report.record()
    assert len(kept) <= 200
    assert kept.startswith("1 new; 1 due; unreachable: xxx")
    assert Report.from_record(kept) is None
