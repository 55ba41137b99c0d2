"""The administration pages for organisations, teams and accounts, the own-password page, the forced
change after a reset, and the supervisor's team list: access control, validation messages, audit rows."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from engine.models.accounts import Organisation, OrganisationKind, Role, Team, User
from engine.models.security import AuditEvent
from tests.conftest import csrf_from
from tests.factories import PASSWORD

ADMIN_ROUTES = [
    ("get", "/admin/users"), ("get", "/admin/users/new"), ("post", "/admin/users/new"), ("get", "/admin/users/{uid}"),
    ("get", "/admin/users/{uid}/edit"), ("post", "/admin/users/{uid}/edit"), ("post", "/admin/users/{uid}/deactivate"),
    ("post", "/admin/users/{uid}/reactivate"), ("post", "/admin/users/{uid}/unlock"),
    ("post", "/admin/users/{uid}/reset-password"), ("get", "/admin/organisations"), ("get", "/admin/organisations/new"),
    ("post", "/admin/organisations/new"), ("get", "/admin/organisations/{oid}"),
    ("get", "/admin/organisations/{oid}/edit"), ("post", "/admin/organisations/{oid}/edit"),
    ("post", "/admin/organisations/{oid}/teams"), ("get", "/admin/teams/{tid}/edit"),
    ("post", "/admin/teams/{tid}/edit"),
]  # fmt: skip
NEW_PASSWORD = "sample-own-password-2026"


@pytest.fixture
def team(factory) -> Team:
    return factory.team()


@pytest.fixture
def admin(factory) -> User:
    return factory.user(Role.ADMINISTRATOR, username="admin.web")


def token(client: FlaskClient) -> str:
    return csrf_from(client.get("/inbox/").get_data(as_text=True))


def committed(session) -> None:
    """End the test's read snapshot and forget loaded rows, to see what the app committed meanwhile."""
    session.rollback()
    session.expire_all()


def audit_actions(session, action: str) -> list[tuple[int | None, str]]:
    committed(session)
    query = select(AuditEvent.actor_id, AuditEvent.detail).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return [(a, d) for a, d in session.execute(query)]


def fresh(session, user_id: int) -> User:
    committed(session)
    user = session.get(User, user_id)
    assert user is not None
    return user


def shown_password(html: str) -> str:
    match = re.search(r'<code id="temporary-password">([^<]+)</code>', html)
    assert match, "no temporary password on the page"
    return match.group(1)


# --- access control ---


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMINISTRATOR])
def test_non_administrators_get_403_on_every_administration_page(client, factory, login, session, team, role):
    someone = factory.user(role, team if role in (Role.CASEWORKER, Role.SUPERVISOR) else None, username="no.admin")
    login("no.admin")
    csrf = token(client)
    for method, pattern in ADMIN_ROUTES:
        url = pattern.format(uid=someone.id, oid=team.organisation_id, tid=team.id)
        response = client.get(url) if method == "get" else client.post(url, data={"csrf_token": csrf})
        assert response.status_code == 403, (method, url)
    assert fresh(session, someone.id).active is True
    assert audit_actions(session, "user_deactivated") == []


def test_anonymous_visitors_are_sent_to_sign_in(client, team):
    assert client.get("/admin/users").headers["Location"].startswith("/auth/login")
    assert client.get("/auth/password").headers["Location"].startswith("/auth/login")


def test_an_administration_form_without_its_csrf_token_is_refused(client, admin, login, session, factory, team):
    worker = factory.user(Role.CASEWORKER, team)
    login("admin.web")
    response = client.post(f"/admin/users/{worker.id}/deactivate", data={})
    assert response.status_code == 400
    assert fresh(session, worker.id).active is True
    created = client.post("/admin/organisations/new", data={"name": "Sample Shelter", "kind": "dosvy_office",
                                                             "province_code": "02"})  # fmt: skip
    assert created.status_code == 400
    assert session.scalar(select(Organisation).where(Organisation.name == "Sample Shelter")) is None


def test_the_navigation_links_users_and_organisations_for_administrators(client, admin, login):
    login("admin.web")
    html = client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/users"' in html
    assert 'href="/admin/organisations"' in html
    assert 'href="/auth/password"' in html


# --- organisations and teams ---


def test_an_administrator_adds_an_ngo_shelter_and_a_team(client, admin, login, session):
    login("admin.web")
    response = client.post("/admin/organisations/new", data={
        "csrf_token": token(client), "name": "Sample NGO Shelter", "kind": "ngo_shelter", "province_code": "17",
        "mosvy_agreement_date": "2024-05-01"})  # fmt: skip
    assert response.status_code == 303
    committed(session)
    org = session.scalar(select(Organisation).where(Organisation.name == "Sample NGO Shelter"))
    assert org is not None
    assert (org.kind, org.province_code) == (OrganisationKind.NGO_SHELTER, "17")
    assert audit_actions(session, "organisation_created") == [(admin.id, f"organisation={org.id} kind=ngo_shelter")]
    added = client.post(f"/admin/organisations/{org.id}/teams",
                        data={"csrf_token": token(client), "name": "Team North"})  # fmt: skip
    assert added.status_code == 303
    page = client.get(f"/admin/organisations/{org.id}").get_data(as_text=True)
    assert "Team North" in page
    assert [d for _a, d in audit_actions(session, "team_created")] == [
        f"team={session.scalar(select(Team.id).where(Team.name == 'Team North'))} organisation={org.id}"
    ]


def test_an_ngo_shelter_without_its_agreement_date_is_refused_next_to_the_field(client, admin, login, session):
    login("admin.web")
    response = client.post(
        "/admin/organisations/new",
        data={"csrf_token": token(client), "name": "Sample NGO Shelter", "kind": "ngo_shelter", "province_code": "17"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="mosvy_agreement_date-error"' in html
    assert "An NGO shelter needs the date of its agreement with MoSVY." in html
    assert session.scalar(select(Organisation).where(Organisation.name == "Sample NGO Shelter")) is None


def test_validation_messages_are_shown_in_khmer(client, factory, login, session):
    factory.user(Role.ADMINISTRATOR, username="admin.khmer", language="km")
    login("admin.khmer")
    response = client.post(
        "/admin/organisations/new",
        data={"csrf_token": token(client), "name": "Sample NGO Shelter", "kind": "ngo_shelter", "province_code": "17"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "An NGO shelter needs the date of its agreement with MoSVY." not in html
    assert re.search(r'id="mosvy_agreement_date-error" class="field-error">[^<]*[\u1780-\u17FF]', html)


def test_an_organisation_is_edited_and_the_change_audited(client, admin, login, session, team):
    login("admin.web")
    org = team.organisation
    response = client.post(f"/admin/organisations/{org.id}/edit", data={
        "csrf_token": token(client), "name": "Sample Shelter Renamed", "kind": org.kind.value, "province_code": "02",
        "active": "y"})  # fmt: skip
    assert response.status_code == 303
    assert audit_actions(session, "organisation_updated") == [
        (admin.id, f"organisation={org.id} fields=name,province_code")
    ]


def test_a_team_is_renamed(client, admin, login, session, team):
    login("admin.web")
    assert client.get(f"/admin/teams/{team.id}/edit").status_code == 200
    response = client.post(f"/admin/teams/{team.id}/edit", data={"csrf_token": token(client), "name": "Sample Renamed"})
    assert response.status_code == 303
    committed(session)
    assert session.get(Team, team.id).name == "Sample Renamed"
    assert audit_actions(session, "team_renamed") == [(admin.id, f"team={team.id}")]


def test_the_organisation_list_filters_by_province(client, admin, login, team, factory):
    office = factory.office()  # province 02; the team's shelter is in 12
    login("admin.web")
    html = client.get("/admin/organisations?province=02").get_data(as_text=True)
    assert f'id="organisation-{office.id}"' in html
    assert f'id="organisation-{team.organisation_id}"' not in html


# --- users ---


def test_an_administrator_creates_a_caseworker_and_sees_the_temporary_password_once(client, admin, login, session,
                                                                                     team):  # fmt: skip
    login("admin.web")
    response = client.post("/admin/users/new", data={
        "csrf_token": token(client), "username": "Sample.Worker", "display_name": "Sample Worker", "role": "caseworker",
        "team_id": str(team.id), "organisation_id": "", "language": "km", "email": ""})  # fmt: skip
    assert response.status_code == 201
    password = shown_password(response.get_data(as_text=True))
    committed(session)
    user = session.scalar(select(User).where(User.username == "sample.worker"))
    assert user is not None
    assert (user.role, user.team_id, user.organisation_id, user.language) == (
        Role.CASEWORKER, team.id, team.organisation_id, "km")  # fmt: skip
    assert user.must_change_password
    assert audit_actions(session, "user_created")[-1] == (admin.id, f"user={user.id} role=caseworker")
    assert password not in client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert not any(password in detail for _a, detail in audit_actions(session, "user_created"))


def test_a_caseworker_without_a_team_is_refused_next_to_the_team_field(client, admin, login, session):
    login("admin.web")
    response = client.post("/admin/users/new", data={
        "csrf_token": token(client), "username": "sample.worker", "display_name": "Sample Worker", "role": "caseworker",
        "team_id": "", "organisation_id": "", "language": "en"})  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="team_id-error"' in html
    assert "Caseworkers and supervisors belong to a team." in html
    assert session.scalar(select(User).where(User.username == "sample.worker")) is None


def test_a_dosvy_officer_in_a_shelter_is_refused(client, admin, login, session, team):
    login("admin.web")
    response = client.post(
        "/admin/users/new",
        data={
            "csrf_token": token(client),
            "username": "sample.officer",
            "display_name": "Sample Officer",
            "role": "dosvy_officer",
            "team_id": "",
            "organisation_id": str(team.organisation_id),
            "language": "en",
        },
    )
    assert response.status_code == 422
    assert "A DoSVY officer belongs to a DoSVY office." in response.get_data(as_text=True)


def test_a_duplicate_user_name_is_refused(client, admin, login, session):
    login("admin.web")
    response = client.post("/admin/users/new", data={
        "csrf_token": token(client), "username": "ADMIN.WEB", "display_name": "Sample", "role": "reporting",
        "team_id": "", "organisation_id": "", "language": "en"})  # fmt: skip
    assert response.status_code == 422
    assert "This user name is taken." in response.get_data(as_text=True)


def test_the_user_list_filters_by_role_and_status(client, admin, login, factory, team, session):
    worker = factory.user(Role.CASEWORKER, team)
    supervisor = factory.user(Role.SUPERVISOR, team)
    login("admin.web")
    html = client.get("/admin/users?role=caseworker").get_data(as_text=True)
    assert f'id="user-{worker.id}"' in html
    assert f'id="user-{supervisor.id}"' not in html
    client.post(f"/admin/users/{worker.id}/deactivate", data={"csrf_token": token(client)})
    inactive = client.get("/admin/users?active=no").get_data(as_text=True)
    assert f'id="user-{worker.id}"' in inactive
    assert f'id="user-{supervisor.id}"' not in inactive


def test_an_administrator_moves_a_user_and_the_change_is_audited(client, admin, login, factory, team, session):
    worker = factory.user(Role.CASEWORKER, team)
    other = factory.team()
    login("admin.web")
    assert client.get(f"/admin/users/{worker.id}/edit").status_code == 200
    response = client.post(f"/admin/users/{worker.id}/edit", data={
        "csrf_token": token(client), "display_name": worker.display_name, "role": "supervisor",
        "team_id": str(other.id), "organisation_id": "", "language": "en", "email": ""})  # fmt: skip
    assert response.status_code == 303
    user = fresh(session, worker.id)
    assert (user.role, user.team_id, user.organisation_id) == (Role.SUPERVISOR, other.id, other.organisation_id)
    assert audit_actions(session, "user_updated") == [
        (admin.id, f"user={worker.id} fields=role,organisation_id,team_id role=supervisor")
    ]


def test_the_last_administrator_cannot_deactivate_themselves(client, admin, login, session):
    login("admin.web")
    response = client.post(f"/admin/users/{admin.id}/deactivate", data={"csrf_token": token(client)})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "This is the last active administrator" in page
    assert fresh(session, admin.id).active is True


def test_deactivating_a_user_ends_their_session_and_refuses_their_sign_in(app, client, admin, login, factory, team,
                                                                          session):  # fmt: skip
    worker = factory.user(Role.CASEWORKER, team, username="cw.leaving")
    theirs = app.test_client()
    csrf = csrf_from(theirs.get("/auth/login").get_data(as_text=True))
    theirs.post("/auth/login", data={"username": "cw.leaving", "password": PASSWORD, "csrf_token": csrf})
    assert theirs.get("/inbox/").status_code == 200
    login("admin.web")
    client.post(f"/admin/users/{worker.id}/deactivate", data={"csrf_token": token(client)})
    assert theirs.get("/inbox/").headers["Location"].startswith("/auth/login")
    csrf = csrf_from(theirs.get("/auth/login").get_data(as_text=True))
    again = theirs.post("/auth/login", data={"username": "cw.leaving", "password": PASSWORD, "csrf_token": csrf})
    assert again.status_code == 401
    assert audit_actions(session, "user_deactivated") == [(admin.id, f"user={worker.id}")]
    client.post(f"/admin/users/{worker.id}/reactivate", data={"csrf_token": token(client)})
    assert fresh(session, worker.id).active is True
    assert audit_actions(session, "user_reactivated") == [(admin.id, f"user={worker.id}")]


def test_an_administrator_unlocks_a_locked_account(app, client, admin, login, factory, team, session):
    worker = factory.user(Role.CASEWORKER, team, username="cw.locked")
    theirs = app.test_client()
    for _ in range(6):
        csrf = csrf_from(theirs.get("/auth/login").get_data(as_text=True))
        theirs.post("/auth/login", data={"username": "cw.locked", "password": "wrong-horse-b", "csrf_token": csrf})
    login("admin.web")
    page = client.get(f"/admin/users/{worker.id}").get_data(as_text=True)
    assert "Unlock the account" in page
    client.post(f"/admin/users/{worker.id}/unlock", data={"csrf_token": token(client)})
    assert audit_actions(session, "user_unlocked") == [(admin.id, f"user={worker.id}")]
    csrf = csrf_from(theirs.get("/auth/login").get_data(as_text=True))
    ok = theirs.post("/auth/login", data={"username": "cw.locked", "password": PASSWORD, "csrf_token": csrf})
    assert ok.status_code == 302


def test_a_reset_password_ends_the_session_and_forces_a_change_at_the_next_sign_in(app, client, admin, login, factory,
                                                                                    team, session):  # fmt: skip
    worker = factory.user(Role.CASEWORKER, team, username="cw.reset")
    theirs = app.test_client()
    csrf = csrf_from(theirs.get("/auth/login").get_data(as_text=True))
    theirs.post("/auth/login", data={"username": "cw.reset", "password": PASSWORD, "csrf_token": csrf})
    login("admin.web")
    response = client.post(f"/admin/users/{worker.id}/reset-password", data={"csrf_token": token(client)})
    assert response.status_code == 200
    temporary = shown_password(response.get_data(as_text=True))
    assert audit_actions(session, "password_reset") == [(admin.id, f"user={worker.id}")]
    assert theirs.get("/inbox/").headers["Location"] == "/auth/login"  # the old session has ended
    csrf = csrf_from(theirs.get("/auth/login").get_data(as_text=True))
    signed = theirs.post("/auth/login", data={"username": "cw.reset", "password": temporary, "csrf_token": csrf})
    assert signed.status_code == 302
    assert theirs.get("/inbox/").headers["Location"] == "/auth/password"  # nothing else until it is changed
    form = theirs.get("/auth/password").get_data(as_text=True)
    changed = theirs.post("/auth/password", data={"csrf_token": csrf_from(form), "current_password": temporary,
                                                  "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})  # fmt: skip
    assert changed.status_code == 303
    assert theirs.get("/inbox/").status_code == 200
    assert fresh(session, worker.id).must_change_password is False


# --- own password ---


def test_changing_your_own_password_needs_the_current_one(client, login, factory, team, session):
    worker = factory.user(Role.CASEWORKER, team, username="cw.own")
    login("cw.own")
    form = client.get("/auth/password").get_data(as_text=True)
    wrong = client.post("/auth/password", data={"csrf_token": csrf_from(form), "current_password": "not-my-password",
                                                "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})  # fmt: skip
    assert wrong.status_code == 422
    assert "The current password is wrong." in wrong.get_data(as_text=True)
    assert audit_actions(session, "password_change_failed") == [(worker.id, "wrong current password")]


@pytest.mark.parametrize(("new", "confirm", "message"), [
    ("short", "short", "The password must be at least 10 characters long."),
    ("password123", "password123", "This password is too common; choose another."),
    (NEW_PASSWORD, NEW_PASSWORD + "x", "The two new passwords are not the same."),
])  # fmt: skip
def test_a_new_password_must_meet_the_policy(client, login, factory, team, new, confirm, message):
    factory.user(Role.CASEWORKER, team, username="cw.policy")
    login("cw.policy")
    form = client.get("/auth/password").get_data(as_text=True)
    response = client.post("/auth/password", data={"csrf_token": csrf_from(form), "current_password": PASSWORD,
                                                   "new_password": new, "confirm": confirm})  # fmt: skip
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_a_changed_password_ends_the_other_sessions_but_not_this_one(app, client, login, factory, team, session):
    worker = factory.user(Role.CASEWORKER, team, username="cw.twice")
    other = app.test_client()
    csrf = csrf_from(other.get("/auth/login").get_data(as_text=True))
    other.post("/auth/login", data={"username": "cw.twice", "password": PASSWORD, "csrf_token": csrf})
    login("cw.twice")
    form = client.get("/auth/password").get_data(as_text=True)
    response = client.post("/auth/password", data={"csrf_token": csrf_from(form), "current_password": PASSWORD,
                                                   "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})  # fmt: skip
    assert response.status_code == 303
    assert client.get("/inbox/").status_code == 200
    assert other.get("/inbox/").headers["Location"] == "/auth/login"
    assert audit_actions(session, "password_changed") == [(worker.id, f"user={worker.id}")]


# --- the supervisor's team ---


def test_a_supervisor_sees_their_own_team_members_only(client, login, factory, team):
    factory.user(Role.SUPERVISOR, team, username="sup.members")
    worker = factory.user(Role.CASEWORKER, team)
    stranger = factory.user(Role.CASEWORKER, factory.team())
    login("sup.members")
    html = client.get("/team/members").get_data(as_text=True)
    assert f'id="member-{worker.id}"' in html
    assert f'id="member-{stranger.id}"' not in html
    assert "<form" not in html.split("<main", 1)[1].split("</main>", 1)[0]  # read-only


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.ADMINISTRATOR, Role.DOSVY_OFFICER, Role.REPORTING])
def test_only_supervisors_see_the_team_members_page(client, login, factory, team, role):
    factory.user(role, team if role is Role.CASEWORKER else None, username="not.sup")
    login("not.sup")
    assert client.get("/team/members").status_code == 403


def test_the_engine_messages_are_marked_for_translation(app):
    from engine.accounts import organisations, passwords, placement, service, staff
    from web.admin.messages import ENGINE_MESSAGES

    with app.test_request_context():
        marked = {str(message) for message in ENGINE_MESSAGES}
    expected = {*organisations.MESSAGES, *passwords.MESSAGES, *placement.MESSAGES, *service.MESSAGES, *staff.MESSAGES}
    assert marked == expected
