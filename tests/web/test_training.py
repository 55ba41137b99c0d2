"""The training register pages: recording a training, its refusals, the register, and each supervisor's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from engine.models.accounts import Role, TrainingRecord, User
from engine.models.security import AuditEvent
from tests.conftest import csrf_from
from tests.factories import Factory

TODAY = dt.date(2026, 11, 29)


@dataclass
class World:
    admin: User
    supervisor_a: User
    worker_a: User
    supervisor_b: User
    worker_b: User


@pytest.fixture
def world(factory: Factory) -> World:
    team_a, team_b = factory.team(), factory.team()
    return World(
        admin=factory.user(Role.ADMINISTRATOR, username="admin.train"),
        supervisor_a=factory.user(Role.SUPERVISOR, team_a, username="sup.a"),
        worker_a=factory.user(Role.CASEWORKER, team_a, username="worker.a"),
        supervisor_b=factory.user(Role.SUPERVISOR, team_b, username="sup.b"),
        worker_b=factory.user(Role.CASEWORKER, team_b, username="worker.b"),
    )


def post_training(client: FlaskClient, **data: object) -> object:
    token = csrf_from(client.get("/training/record").get_data(as_text=True))
    return client.post("/training/record", data={"csrf_token": token, **data})


def a_training(user: User, **changes: object) -> dict[str, object]:
    return {"user_id": user.id, "course": "udhr", "completed_on": "2026-11-01", "trainer": "Synthetic Trainer",
            "expires_on": "", **changes}  # fmt: skip


def records(session) -> list[tuple[int, str, dt.date]]:
    session.rollback()
    rows = session.execute(select(TrainingRecord.user_id, TrainingRecord.course, TrainingRecord.expires_on))
    return [tuple(row) for row in rows]  # type: ignore[misc]


def test_an_administrator_records_a_training_and_sees_it(client, login, world, session) -> None:
    login("admin.train")
    response = post_training(client, **a_training(world.worker_b))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/training/staff/{world.worker_b.id}"
    assert records(session) == [(world.worker_b.id, "udhr", dt.date(2028, 10, 31))]  # 730 days
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Training recorded: Universal Declaration of Human Rights" in html
    assert "Synthetic Trainer" in html
    assert session.scalar(select(func.count()).where(AuditEvent.action == "training_recorded")) == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"completed_on": "2026-11-30"}, "The training date cannot be in the future."),
        ({"expires_on": "2026-11-01"}, "The expiry date must be after the training date."),
        ({"trainer": "   "}, "Enter who gave the training."),
        ({"completed_on": ""}, "This field is required."),
        ({"completed_on": "1 Nov"}, "Not a valid date value."),
        ({"course": "juggling"}, "Not a valid choice."),
    ],
)
def test_a_bad_training_is_refused_next_to_its_field(client, login, world, session, changes, message) -> None:
    login("admin.train")
    response = post_training(client, **a_training(world.worker_a, **changes))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert records(session) == []


def test_a_supervisor_records_for_their_own_shelter(client, login, world, session) -> None:
    login("sup.a")
    html = client.get("/training/record").get_data(as_text=True)
    assert f'value="{world.worker_a.id}"' in html
    assert f'value="{world.worker_b.id}"' not in html
    assert post_training(client, **a_training(world.worker_a)).status_code == 303
    assert [r[0] for r in records(session)] == [world.worker_a.id]


def test_a_supervisor_cannot_record_for_another_shelter(client, login, world, session) -> None:
    login("sup.a")
    response = post_training(client, **a_training(world.worker_b))
    assert response.status_code == 422
    assert "Not a valid choice." in response.get_data(as_text=True)
    assert records(session) == []
    assert client.get(f"/training/staff/{world.worker_b.id}").status_code == 404


def test_the_register_lists_the_untrained_expired_and_expiring(client, login, world, session) -> None:
    session.add_all([
        TrainingRecord(user_id=world.worker_a.id, course="udhr", completed_on=dt.date(2024, 1, 1),
                       expires_on=TODAY - dt.timedelta(days=1)),
        TrainingRecord(user_id=world.worker_a.id, course="minimum_standards", completed_on=dt.date(2025, 1, 1),
                       expires_on=TODAY + dt.timedelta(days=45)),
    ])  # fmt: skip
    session.commit()
    login("sup.a")
    html = client.get("/training/").get_data(as_text=True)
    row = html[html.index(world.worker_a.display_name) :]
    assert "Expired" in row
    assert "Expires soon" in row
    assert world.supervisor_a.display_name in html  # untrained on both
    assert "Not trained" in html
    assert world.worker_b.display_name not in html  # another shelter
    narrow = client.get("/training/?days=30").get_data(as_text=True)
    assert "Expires soon" not in narrow


def test_a_supervisor_cannot_see_another_shelters_register(client, login, world) -> None:
    login("sup.a")
    assert client.get(f"/training/?organisation_id={world.worker_b.organisation_id}").status_code == 200
    html = client.get(f"/training/?organisation_id={world.worker_b.organisation_id}").get_data(as_text=True)
    assert world.worker_b.display_name not in html  # the filter is the administrators'; a supervisor's is fixed


def test_an_administrator_sees_every_shelter_and_filters_one(client, login, world) -> None:
    login("admin.train")
    html = client.get("/training/").get_data(as_text=True)
    assert world.worker_a.display_name in html
    assert world.worker_b.display_name in html
    one = client.get(f"/training/?organisation_id={world.worker_b.organisation_id}").get_data(as_text=True)
    assert world.worker_a.display_name not in one
    assert world.worker_b.display_name in one


def test_a_bad_number_of_days_is_refused_with_a_message(client, login, world) -> None:
    login("sup.a")
    response = client.get("/training/?days=0")
    assert response.status_code == 303
    assert "Enter a number of days between 1 and 3650." in client.get("/training/").get_data(as_text=True)


@pytest.mark.parametrize("days", ["9" * 5000, "3651", "00003651"])
def test_a_number_of_days_too_large_is_refused_with_a_message_not_an_error(client, login, world, days) -> None:
    # 5000 digits: more than int() reads (the fuzz test found the 500 this was).
    login("sup.a")
    response = client.get(f"/training/?days={days}")
    assert response.status_code == 303
    assert "Enter a number of days between 1 and 3650." in client.get("/training/").get_data(as_text=True)


def test_the_register_is_in_the_navigation(client, login, world) -> None:
    login("sup.a")
    assert 'href="/training/"' in client.get("/team/queue").get_data(as_text=True)


def test_the_pages_speak_khmer(client, login, world) -> None:
    login("sup.a")
    token = csrf_from(client.get("/training/").get_data(as_text=True))
    client.post("/language", data={"lang": "km", "csrf_token": token})
    html = client.get("/training/").get_data(as_text=True)
    assert "ការបណ្តុះបណ្តាល" in html


@pytest.mark.parametrize("username", ["worker.a"])
def test_a_caseworker_may_not_open_the_register(client, login, world, username) -> None:
    login(username)
    assert client.get("/training/").status_code == 403


def test_the_engine_messages_are_marked_for_translation(app) -> None:
    from engine.accounts import training
    from web.training.messages import ENGINE_MESSAGES

    with app.test_request_context():
        assert {str(message) for message in ENGINE_MESSAGES} == set(training.MESSAGES)
