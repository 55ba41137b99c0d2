"""Who may use which route: every route of the app, each of its methods, eight kinds of actor,
checked against one declarative table, ``RULES``. A new route fails here until someone decides who may use it.

Each cell sends one request and :func:`verdict` sorts the answer:

- refused: 401, 403 or 404; for a visitor who is not signed in, a redirect to the sign-in page; or a
  redirect that carries an error message for the next page (the view caught the service's refusal,
  e.g. "Only the person a task is assigned to can give it back", and changed nothing);
- admitted: any other answer below 500. A form carries a valid CSRF token and nothing else, so a 400,
  409 or 422 about the empty form means that the request got past authorisation into the view.

Refused answers never carry the survivor's name, address or narrative, and neither does any answer to
someone outside the case's scope. The world (two shelters, the actors, three cases of one synthetic
survivor, a family member, consents, a photo, publication requests, the case plan transferred to the DoSVY
office, inbox messages, a failed delivery) is built once for the module
and built again after every request other than GET that got in, since it may have changed the world
(completed or claimed a step, marked a message read); so no cell depends on the order the cells run in.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from engine.accounts import totp
from engine.config import Settings
from engine.crypto import KeyRing
from engine.db import make_session_factory, transaction
from engine.models.accounts import Organisation, OrganisationKind, Role, User
from engine.models.cases import Case, FamilyMember, History
from engine.models.notices import Channel, Delivery, DeliveryStatus
from engine.models.workflow import WorkItem
from engine.notices.outbox import add_notice
from engine.notices.rules import Rules
from engine.security import photos, publication
from engine.security.consent import NewConsent, record_consent, transfer_case
from engine.security.fields import FieldGroup
from tests.conftest import NOW, TEST_FERNET_KEY, TEST_INDEX_KEY, _wipe, csrf_from
from tests.factories import PASSWORD, Factory
from tests.privacy_support import jpeg_with_gps
from tests.web.casework_support import CLOCK, admit, complete, open_items

# The actors. Every case of the world is the team's, and the first one is assigned to ``caseworker``.
ANONYMOUS = "anonymous"
CASEWORKER = "caseworker"  # assigned to the case
COLLEAGUE = "colleague"  # a caseworker of the same team, not assigned to the case
SUPERVISOR = "supervisor"  # the team's supervisor
OTHER_SUPERVISOR = "other_supervisor"  # the supervisor of another shelter (another organisation)
ADMINISTRATOR = "administrator"
DOSVY_OFFICER = "dosvy_officer"  # of a DoSVY office that no case is transferred to
REPORTING = "reporting"
ACTORS = (ANONYMOUS, CASEWORKER, COLLEAGUE, SUPERVISOR, OTHER_SUPERVISOR, ADMINISTRATOR, DOSVY_OFFICER, REPORTING)

Allowed = frozenset[str]

PUBLIC: Allowed = frozenset(ACTORS)
ANYONE_SIGNED_IN = PUBLIC - {ANONYMOUS}
CASE_STAFF = frozenset({CASEWORKER, COLLEAGUE, SUPERVISOR, OTHER_SUPERVISOR})  # each within their own scope
STEP_WORKERS = CASE_STAFF | {DOSVY_OFFICER}  # everyone who may have steps to do
SUPERVISORS = frozenset({SUPERVISOR, OTHER_SUPERVISOR})  # each sees their own team
TWO_FACTOR_ROLES = SUPERVISORS | {ADMINISTRATOR}
CASE_STAFF_OF_CASE = frozenset({CASEWORKER, SUPERVISOR})  # the assigned caseworker and the team's supervisor
TEAM_CASEWORKERS = frozenset({CASEWORKER, COLLEAGUE})  # an unassigned step of the team is theirs to take
SUPERVISOR_OF_TEAM = frozenset({SUPERVISOR})
ASSIGNEE_ONLY = frozenset({CASEWORKER})
ADMIN_ONLY = frozenset({ADMINISTRATOR})
DOSVY_ONLY = frozenset({DOSVY_OFFICER})
REPORT_READERS = SUPERVISORS | {REPORTING}

# (endpoint, method) -> who gets past authorisation. URL values come from ``URL_VALUES`` (the case, its
# step assigned to the caseworker, ...); ``ITEM_OF`` says which step a route is asked about.
RULES: dict[tuple[str, str], Allowed] = {
    # Signing in and out; the language switch works before signing in.
    ("auth.login", "GET"): PUBLIC,  # a signed-in user is sent home
    ("auth.login", "POST"): PUBLIC,
    ("auth_short.login_short", "GET"): PUBLIC,  # /login: the short address of the sign-in page
    ("auth.second_factor", "GET"): PUBLIC,  # the visitor has just typed a two-factor account's password
    ("auth.second_factor", "POST"): PUBLIC,
    ("auth.two_factor_setup", "GET"): TWO_FACTOR_ROLES,
    ("auth.two_factor_setup", "POST"): TWO_FACTOR_ROLES,
    ("auth.logout", "POST"): ANYONE_SIGNED_IN,
    ("auth.change_password", "GET"): ANYONE_SIGNED_IN,  # one's own password
    ("auth.change_password", "POST"): ANYONE_SIGNED_IN,
    ("home.language", "POST"): PUBLIC,
    ("health.healthz", "GET"): PUBLIC,  # for load balancers: says only "ok" or which part is down
    # Every role has a landing page and an inbox of its own messages.
    ("home.index", "GET"): ANYONE_SIGNED_IN,
    ("inbox.index", "GET"): ANYONE_SIGNED_IN,
    ("inbox.read", "POST"): ANYONE_SIGNED_IN,  # the actor's own message (someone else's: see the test below)
    ("inbox.read_all", "POST"): ANYONE_SIGNED_IN,
    ("inbox.preferences", "GET"): ANYONE_SIGNED_IN,
    ("inbox.preferences", "POST"): ANYONE_SIGNED_IN,
    # Cases: case staff list their own and open cases for their own team; a case file is its
    # caseworker's and its team supervisor's.
    ("cases.index", "GET"): CASE_STAFF,
    ("cases.search", "POST"): CASE_STAFF,
    ("cases.new", "GET"): CASE_STAFF,
    ("cases.new", "POST"): CASE_STAFF,
    ("cases.show", "GET"): CASE_STAFF_OF_CASE,
    ("cases.diagram", "GET"): CASE_STAFF_OF_CASE,
    ("cases.edit_section", "GET"): CASE_STAFF_OF_CASE,
    ("cases.edit_section", "POST"): CASE_STAFF_OF_CASE,
    ("cases.add_family_member", "GET"): CASE_STAFF_OF_CASE,
    ("cases.add_family_member", "POST"): CASE_STAFF_OF_CASE,
    ("cases.edit_family_member", "GET"): CASE_STAFF_OF_CASE,
    ("cases.edit_family_member", "POST"): CASE_STAFF_OF_CASE,
    ("cases.consent", "GET"): CASE_STAFF_OF_CASE,
    ("cases.consent", "POST"): CASE_STAFF_OF_CASE,
    ("cases.withdraw_consent", "POST"): CASE_STAFF_OF_CASE,
    ("cases.withdraw_consent", "GET"): CASE_STAFF_OF_CASE,
    # The case's photo and publication requests (the pages that need no photo or request on file).
    ("privacy.show", "GET"): CASE_STAFF_OF_CASE,
    ("privacy.upload_photo", "POST"): CASE_STAFF_OF_CASE,
    ("privacy.publication_requests", "GET"): CASE_STAFF_OF_CASE,
    ("privacy.publication_requests", "POST"): CASE_STAFF_OF_CASE,
    ("privacy.photo", "GET"): CASE_STAFF_OF_CASE,
    ("privacy.remove_photo", "POST"): CASE_STAFF_OF_CASE,
    ("privacy.decide", "GET"): SUPERVISOR_OF_TEAM,  # never the requester (the caseworker here)
    ("privacy.decide", "POST"): SUPERVISOR_OF_TEAM,
    ("privacy.extract", "GET"): CASE_STAFF_OF_CASE,
    # The survivor's own record: start a review, print it; who viewed the file is the supervisor's.
    ("review.start", "POST"): CASE_STAFF_OF_CASE,
    ("review.record_pdf", "GET"): CASE_STAFF_OF_CASE,
    ("review.viewers", "GET"): SUPERVISOR_OF_TEAM,
    # My work and the task page: a step assigned to the caseworker is seen by them and the team's
    # supervisor, done by them only; a step nobody has yet is taken by any caseworker of the team.
    ("work.index", "GET"): STEP_WORKERS,
    ("work.task", "GET"): CASE_STAFF_OF_CASE,
    ("work.task", "POST"): ASSIGNEE_ONLY,
    ("work.claim", "POST"): TEAM_CASEWORKERS,
    ("work.unclaim", "POST"): ASSIGNEE_ONLY,
    # The team area: every supervisor has one for their own team; a step or case in it is the team's.
    ("team.index", "GET"): SUPERVISORS,
    ("team.queue", "GET"): SUPERVISORS,
    ("team.dashboard", "GET"): SUPERVISORS,
    ("team.approvals", "GET"): SUPERVISORS,
    ("team.members", "GET"): SUPERVISORS,  # each their own team's, read-only
    ("team.decide", "GET"): SUPERVISOR_OF_TEAM,
    ("team.decide", "POST"): SUPERVISOR_OF_TEAM,
    ("team.reassign_item", "GET"): SUPERVISOR_OF_TEAM,
    ("team.reassign_item", "POST"): SUPERVISOR_OF_TEAM,
    ("team.item_row", "GET"): SUPERVISOR_OF_TEAM,
    ("team.reassign_case", "GET"): SUPERVISOR_OF_TEAM,
    ("team.reassign_case", "POST"): SUPERVISOR_OF_TEAM,
    # A DoSVY office's transferred cases: the world's case is transferred to the officer's office with its
    # case plan only, so the officer gets in and still sees no name, address or narrative (the leak check).
    ("transfers.index", "GET"): DOSVY_ONLY,
    ("transfers.show", "GET"): DOSVY_ONLY,
    # Reports: reporting staff (here national) and supervisors (each their own shelter); the de-identified
    # case-level records are the national secretariat's only.
    ("reports.index", "GET"): REPORT_READERS,
    ("reports.export", "GET"): REPORT_READERS,
    ("reports.case_export", "GET"): frozenset({REPORTING}),
    # Administration.
    ("admin.status", "GET"): ADMIN_ONLY,
    ("admin.retry", "POST"): ADMIN_ONLY,
    ("admin.users", "GET"): ADMIN_ONLY,
    ("admin.new_user", "GET"): ADMIN_ONLY,
    ("admin.new_user", "POST"): ADMIN_ONLY,
    ("admin.user", "GET"): ADMIN_ONLY,
    ("admin.edit_user", "GET"): ADMIN_ONLY,
    ("admin.edit_user", "POST"): ADMIN_ONLY,
    ("admin.deactivate", "POST"): ADMIN_ONLY,
    ("admin.reactivate", "POST"): ADMIN_ONLY,
    ("admin.unlock", "POST"): ADMIN_ONLY,
    ("admin.reset_password", "POST"): ADMIN_ONLY,
    ("admin.organisations", "GET"): ADMIN_ONLY,
    ("admin.new_organisation", "GET"): ADMIN_ONLY,
    ("admin.new_organisation", "POST"): ADMIN_ONLY,
    ("admin.organisation", "GET"): ADMIN_ONLY,
    ("admin.edit_organisation", "GET"): ADMIN_ONLY,
    ("admin.edit_organisation", "POST"): ADMIN_ONLY,
    ("admin.new_team", "POST"): ADMIN_ONLY,
    ("admin.edit_team", "GET"): ADMIN_ONLY,
    ("admin.edit_team", "POST"): ADMIN_ONLY,
    # The training register: administrators for every organisation, supervisors for their own shelter's
    # staff (the colleague is the supervisor's, not the other shelter's).
    ("training.index", "GET"): SUPERVISORS | ADMIN_ONLY,
    ("training.record", "GET"): SUPERVISORS | ADMIN_ONLY,
    ("training.record", "POST"): SUPERVISORS | ADMIN_ONLY,
    ("training.staff", "GET"): SUPERVISOR_OF_TEAM | ADMIN_ONLY,
}

# Cells where the app admits someone RULES refuses (or the other way round): a known defect, reported,
# kept visible here until the app is fixed. (endpoint, method, actor) -> what is wrong.
SUSPECTS: dict[tuple[str, str, str], str] = {}

# Which step of the world a route with an ``item_id`` is asked about (default: "assigned").
ITEM_OF = {"work.claim": "unassigned", "team.decide": "approval"}
# Which account a route with a ``user_id`` is asked about (default: "active", the colleague).
ACCOUNT_OF = {"admin.reactivate": "inactive", "admin.unlock": "locked"}
# Which publication request a route with a ``request_id`` is asked about.
REQUEST_OF = {"privacy.decide": "pending", "privacy.extract": "approved"}

SURVIVOR: dict[str, Any] = {
    "given_name_latin": "Matrix",
    "family_name_latin": "Survivor",
    "given_name_km": "ម៉ាទ្រីស",
    "date_of_birth": dt.date(1990, 6, 1),
}  # an adult: a photo may be on file
HISTORY = {"address_before": "Zyx-matrix-village", "narrative": "Zyx-matrix-narrative of the synthetic survivor"}
# What would give the survivor away in a page: the names, the address, the narrative.
SECRETS = ("Matrix", "ម៉ាទ្រីស", *HISTORY.values())
# The steps that bring a case to its supervisor's approval of the case plan.
PLAN_STEPS: tuple[tuple[str, dict[str, str]], ...] = (
    ("registration", {}), ("consent", {}), ("risk_screen", {"risk_level": "low"}), ("needs_assessment", {}),
    ("case_plan", {}),
)  # fmt: skip
REDIRECTS = (301, 302, 303, 307, 308)
IGNORED_METHODS = {"HEAD", "OPTIONS"}


@dataclass(frozen=True)
class World:
    """What the URLs are built from: plain values, valid until the world is built again."""

    usernames: dict[str, str]  # actor -> username
    two_factor_username: str  # an administrator with two-factor sign-in on (not one of the actors)
    code: str  # the case assigned to the caseworker
    items: dict[str, int]  # "assigned" (the case's open step), "unassigned" (team queue), "approval"
    member_id: int
    consent_id: int  # the survivor's consent to services, recorded on the case
    entries: dict[str, int]  # actor -> an inbox message of their own
    delivery_id: int  # a failed e-mail delivery
    requests: dict[str, int]  # "pending" and "approved" publication requests of the case (by the caseworker)
    accounts: dict[str, int]  # "active" (the colleague), "inactive" and "locked" accounts of the team
    organisation_id: int  # the team's shelter
    team_id: int


URL_VALUES: dict[str, Callable[[World, str, str], Any]] = {
    "code": lambda world, endpoint, actor: world.code,
    "item_id": lambda world, endpoint, actor: world.items[ITEM_OF.get(endpoint, "assigned")],
    "member_id": lambda world, endpoint, actor: world.member_id,
    "key": lambda world, endpoint, actor: "identity",
    "consent_id": lambda world, endpoint, actor: world.consent_id,
    "entry_id": lambda world, endpoint, actor: world.entries.get(actor, world.entries[CASEWORKER]),
    "delivery_id": lambda world, endpoint, actor: world.delivery_id,
    "request_id": lambda world, endpoint, actor: world.requests[REQUEST_OF[endpoint]],
    "fmt": lambda world, endpoint, actor: "csv",
    "user_id": lambda world, endpoint, actor: world.accounts[ACCOUNT_OF.get(endpoint, "active")],
    "organisation_id": lambda world, endpoint, actor: world.organisation_id,
    "team_id": lambda world, endpoint, actor: world.team_id,
}


def _settings(database_url: str, instance_path: Path) -> Settings:
    return Settings(
        env="test", instance_path=instance_path, database_url=database_url,
        secret_key="test-secret-key-not-for-production-0000", encryption_keys=(TEST_FERNET_KEY,),
        index_key=TEST_INDEX_KEY, password_hash_profile="fast",
    )  # fmt: skip


def routes_of(app: Flask) -> set[tuple[str, str]]:
    """Every (endpoint, method) the app answers, but its static files."""
    return {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in (rule.methods or set()) - IGNORED_METHODS
    }


@cache
def _app_routes() -> frozenset[tuple[str, str]]:
    """The routes as the app registers them, read at collection (the app never touches its database)."""
    from web import create_app

    instance = Path(tempfile.gettempdir()) / "reintegra-route-matrix"
    return frozenset(routes_of(create_app(_settings("sqlite://", instance))))


def _cells() -> list[object]:
    """One cell per actor for every route that has a rule (a route without one fails a test of its own)."""
    cells: list[object] = []
    for endpoint, method in sorted(_app_routes() & RULES.keys()):
        for actor in ACTORS:
            reason = SUSPECTS.get((endpoint, method, actor))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            cells.append(pytest.param(endpoint, method, actor, marks=marks, id=f"{endpoint}-{method}-{actor}"))
    return cells


class Worlds:
    """The module's one world: built on first use, and again after anything may have changed it."""

    def __init__(self, app: Flask, engine: Engine) -> None:
        self.app, self.engine = app, engine
        self._world: World | None = None

    def current(self) -> World:
        if self._world is None:
            try:
                with make_session_factory(self.engine)() as session:
                    self._world = build_world(self.app, session)
            except BaseException:
                self.spoil()  # no half-built world for the next cell
                raise
        return self._world

    def spoil(self) -> None:
        """Forget the world (a POST got in and may have changed it); the next cell builds a fresh one."""
        _wipe(self.engine)
        self._world = None


def build_world(app: Flask, session: Session) -> World:
    """Two shelters, the actors, three cases of one survivor, a family member, messages, a failed delivery."""
    factory = Factory(session, NOW)
    shelter, elsewhere = factory.team(), factory.team(kind=OrganisationKind.NGO_SHELTER)
    users = {
        CASEWORKER: factory.user(Role.CASEWORKER, shelter, username="cw.assigned"),
        COLLEAGUE: factory.user(Role.CASEWORKER, shelter, username="cw.colleague"),
        SUPERVISOR: factory.user(Role.SUPERVISOR, shelter, username="sup.team"),
        OTHER_SUPERVISOR: factory.user(Role.SUPERVISOR, elsewhere, username="sup.elsewhere"),
        ADMINISTRATOR: factory.user(Role.ADMINISTRATOR, username="admin.all"),
        DOSVY_OFFICER: factory.user(Role.DOSVY_OFFICER, username="dosvy.office"),
        REPORTING: factory.user(Role.REPORTING, username="report.totals"),
    }
    two_factor = factory.user(Role.ADMINISTRATOR, username="admin.twofactor")
    worker, supervisor = users[CASEWORKER], users[SUPERVISOR]
    inactive, locked = factory.user(Role.CASEWORKER, shelter), factory.user(Role.CASEWORKER, shelter)
    with transaction(session):
        # the matrix app runs on the real clock (and `make test-later` moves it): a lock that outlasts both
        inactive.active, locked.locked_until = False, NOW + dt.timedelta(days=365 * 20)
        office = Organisation(name="Test DoSVY Office", kind=OrganisationKind.DOSVY_OFFICE, province_code="02")
        session.add(office)
        session.flush()
        users[DOSVY_OFFICER].organisation_id = office.id
        two_factor.totp_secret, two_factor.totp_enabled = totp.new_secret(), True
    runtime = app.extensions["reintegra"]["runtime"]
    case = admit(session, runtime, supervisor, caseworker=worker, **SURVIVOR)
    (assigned,) = open_items(session, case)
    unassigned = _only_step(session, admit(session, runtime, supervisor, **SURVIVOR))  # in the team queue
    planned = admit(session, runtime, supervisor, caseworker=worker, **SURVIVOR)
    for task_name, values in PLAN_STEPS:
        complete(session, runtime, worker, _step(session, planned, task_name), **values)
    approval = _step(session, planned, "approve_case_plan")
    return World(
        usernames={actor: user.username for actor, user in users.items()},
        two_factor_username=two_factor.username, code=case.code,
        items={"assigned": assigned.id, "unassigned": unassigned.id, "approval": approval.id},
        member_id=_case_file(session, case, worker), consent_id=_consent(session, case, worker),
        entries=_messages(session, users, case), delivery_id=_failed_delivery(session, worker),
        requests=_photo_and_publication(session, case, worker, supervisor),
        accounts={"active": users[COLLEAGUE].id, "inactive": inactive.id, "locked": locked.id},
        organisation_id=shelter.organisation_id, team_id=shelter.id,
    )  # fmt: skip


def _only_step(session: Session, case: Case) -> WorkItem:
    (item,) = open_items(session, case)
    return item


def _step(session: Session, case: Case, task_name: str) -> WorkItem:
    found = [item for item in open_items(session, case) if item.task_name == task_name]
    assert found, f"{task_name} is not open"
    return found[0]


def _case_file(session: Session, case: Case, worker: User) -> int:
    """Fill the case's history (address, narrative) and add a family member; return the member's id."""
    with transaction(session):
        session.add(History(case_id=case.id, updated_at=CLOCK, updated_by_id=worker.id, **HISTORY))
        member = FamilyMember(case_id=case.id, relationship="mother", name="Synthetic Relative",
                              updated_at=CLOCK, updated_by_id=worker.id)  # fmt: skip
        session.add(member)
    return member.id


def _consent(session: Session, case: Case, worker: User) -> int:
    given = NewConsent(kind="services", given_by="survivor", method="signature", given_on=CLOCK.date())
    return record_consent(session=session, actor=worker, now=CLOCK, case=case, consent=given).id


def _photo_and_publication(session: Session, case: Case, worker: User, supervisor: User) -> dict[str, int]:
    """A photo on file (with its signed release), the case plan transferred to the DoSVY office, and two
    publication requests: one pending, one approved."""
    for kind, groups in (("photo", frozenset()), ("publication", frozenset({FieldGroup.PLAN}))):
        release = NewConsent(kind=kind, given_by="survivor", method="signature", given_on=CLOCK.date(),
                             purpose="Synthetic: annual report", groups=groups)  # fmt: skip
        record_consent(session=session, actor=worker, now=CLOCK, case=case, consent=release)
    photos.upload_photo(session=session, actor=worker, now=CLOCK, case=case, data=jpeg_with_gps(),
                        max_bytes=5 * 1024 * 1024)  # fmt: skip
    transfer_case(session=session, actor=worker, now=CLOCK, case=case, to_org_id=_office_of(session, case),
                  groups=frozenset({FieldGroup.PLAN}), override_reason="Synthetic: consent visit planned")  # fmt: skip
    (choice,) = publication.publication_consents(session=session, actor=worker, now=CLOCK, case=case)
    requested = [
        publication.request_publication(session=session, actor=worker, now=CLOCK, case=case, consent_id=choice.id,
                                        purpose="Synthetic: annual report", groups=frozenset({FieldGroup.PLAN})).id
        for _ in range(2)
    ]  # fmt: skip
    publication.decide_publication(session=session, actor=supervisor, now=CLOCK, case=case, request_id=requested[1],
                                   approve=True, reason="Synthetic: the plan only")  # fmt: skip
    return {"pending": requested[0], "approved": requested[1]}


def _office_of(session: Session, case: Case) -> int:
    office = session.scalar(select(Organisation.id).where(Organisation.kind == OrganisationKind.DOSVY_OFFICE))
    assert office is not None
    return office


def _messages(session: Session, users: dict[str, User], case: Case) -> dict[str, int]:
    """One inbox message for each signed-in actor."""
    with transaction(session):
        add_notice(session, key=("overdue", "work_item:matrix", "p/0"), case_id=None, recipients=list(users.values()),
                   payload={"case_code": case.code, "step": "Registration", "due_at": None, "grace_days": 3},
                   rules=Rules(), now=NOW)  # fmt: skip
    rows = session.execute(select(Delivery.recipient_id, Delivery.id).where(Delivery.channel == Channel.INBOX))
    ids = {recipient: delivery for recipient, delivery in rows}
    return {actor: ids[user.id] for actor, user in users.items()}


def _failed_delivery(session: Session, worker: User) -> int:
    with transaction(session):
        worker.email = "cw.assigned@example.org"
        add_notice(session, key=("overdue", "work_item:failed", "p/0"), case_id=None, recipients=[worker],
                   payload={"case_code": "RG-FAIL01", "step": "Step", "due_at": None, "grace_days": 3},
                   rules=Rules(channels=frozenset({"inbox", "email"})), now=NOW)  # fmt: skip
        failed = session.scalar(select(Delivery).where(Delivery.channel == Channel.EMAIL))
        assert failed is not None
        failed.status, failed.attempts, failed.last_error = DeliveryStatus.FAILED, 8, "ChannelUnavailable: refused"
    return failed.id


@pytest.fixture(scope="module")
def matrix_app(database_url: str, db_engine: Engine, keyring: KeyRing, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[Flask]:  # fmt: skip
    from web import create_app

    app = create_app(_settings(database_url, tmp_path_factory.mktemp("matrix") / "instance"))
    app.config["TESTING"] = True
    yield app
    app.extensions["reintegra"]["engine"].dispose()


@pytest.fixture(scope="module")
def worlds(matrix_app: Flask, db_engine: Engine) -> Iterator[Worlds]:
    held = Worlds(matrix_app, db_engine)
    yield held
    held.spoil()  # the next module starts from empty tables, as every test does


def sign_in(client: FlaskClient, world: World, actor: str) -> None:
    """Sign ``actor`` in through the real form (nothing for the anonymous visitor)."""
    if actor == ANONYMOUS:
        return
    token = csrf_from(client.get("/auth/login").get_data(as_text=True))
    response = client.post(
        "/auth/login", data={"username": world.usernames[actor], "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302, f"{actor} could not sign in"


def half_sign_in(client: FlaskClient, world: World) -> None:
    """Type the password of a two-factor account: the visitor now owes the second step."""
    token = csrf_from(client.get("/auth/login").get_data(as_text=True))
    data = {"username": world.two_factor_username, "password": PASSWORD, "csrf_token": token}
    response = client.post("/auth/login", data=data)
    assert urlsplit(response.location).path == "/auth/two-factor"


def url_of(app: Flask, world: World, endpoint: str, actor: str) -> str:
    """The route's URL, with its values taken from the world."""
    (rule, *_others) = app.url_map.iter_rules(endpoint)
    missing = sorted(name for name in rule.arguments if name not in URL_VALUES)
    assert not missing, f"no value for {missing} of route {endpoint}: add one to URL_VALUES"
    values = {name: URL_VALUES[name](world, endpoint, actor) for name in rule.arguments}
    with app.test_request_context():
        return url_for(endpoint, **values)


def ask(client: FlaskClient, method: str, url: str, actor: str) -> TestResponse:
    """One request; a form carries only a valid CSRF token, so that it reaches the view."""
    if method == "GET":
        return client.get(url)
    page = "/auth/login" if actor == ANONYMOUS else "/inbox/"
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.open(url, method=method, data={"csrf_token": token})


def verdict(client: FlaskClient, response: TestResponse, actor: str) -> bool:
    """True when the request got past authorisation, False when it was refused (see the module's docstring)."""
    status = response.status_code
    if response.request.path == "/healthz":
        return status in (200, 503)  # "unavailable" (no scheduler runs here) is an answer, not a crash
    if response.request.path == "/login":
        return status in REDIRECTS  # to the sign-in page for everyone: that is the answer, not a refusal
    assert status < 500, f"the app failed with {status}: a route must refuse or answer, never crash"
    if status in (401, 403, 404):
        return False
    if status not in REDIRECTS:
        return True
    if actor == ANONYMOUS and urlsplit(response.location).path == "/auth/login":
        return False
    with client.session_transaction() as session:  # Flask keeps the messages for the next page here
        return not any(category == "error" for category, _message in session.get("_flashes", []))


@pytest.mark.parametrize(("endpoint", "method", "actor"), _cells())
def test_only_the_actors_of_its_rule_get_through(
    matrix_app: Flask, worlds: Worlds, endpoint: str, method: str, actor: str
) -> None:
    allowed = RULES[endpoint, method]
    world = worlds.current()
    client = matrix_app.test_client()
    sign_in(client, world, actor)
    if endpoint == "auth.second_factor" and actor == ANONYMOUS:
        half_sign_in(client, world)
    admitted: bool | None = None
    try:
        response = ask(client, method, url_of(matrix_app, world, endpoint, actor), actor)
        admitted = verdict(client, response, actor)
    finally:
        if method != "GET" and admitted is not False:
            worlds.spoil()
    if not admitted or actor not in CASE_STAFF_OF_CASE:
        leaked = [secret for secret in SECRETS if secret.encode() in response.data]
        assert not leaked, f"{endpoint} ({method}) shows {leaked} of the case file to {actor} ({response.status_code})"
    expected = "admitted" if actor in allowed else "refused"
    got = "admitted" if admitted else "refused"
    assert got == expected, f"{endpoint} ({method}) {got} {actor} with {response.status_code}; RULES says {expected}"


def test_every_route_has_a_rule(matrix_app: Flask) -> None:
    missing = sorted(routes_of(matrix_app) - RULES.keys())
    assert not missing, "\n".join(f"route {e} ({m}) has no rule in RULES: decide who may use it" for e, m in missing)


def test_every_rule_names_a_route_that_exists(matrix_app: Flask) -> None:
    stale = sorted(RULES.keys() - routes_of(matrix_app))
    assert not stale, "\n".join(f"RULES names route {e} ({m}), which no longer exists: remove it" for e, m in stale)


def test_every_suspect_names_a_cell_of_the_matrix() -> None:
    cells = {(e, m, a) for (e, m) in RULES for a in ACTORS}
    assert not SUSPECTS.keys() - cells


def test_the_case_page_shows_what_the_leak_check_looks_for(matrix_app: Flask, worlds: Worlds) -> None:
    world = worlds.current()
    client = matrix_app.test_client()
    sign_in(client, world, CASEWORKER)
    page = client.get(f"/cases/{world.code}")
    assert page.status_code == 200
    assert [secret for secret in SECRETS if secret.encode() in page.data] == list(SECRETS)


@pytest.mark.parametrize("actor", sorted(ANYONE_SIGNED_IN - {CASEWORKER}))
def test_nobody_marks_someone_elses_message_read(matrix_app: Flask, worlds: Worlds, db_engine: Engine, actor: str
                                                 ) -> None:  # fmt: skip
    world = worlds.current()
    client = matrix_app.test_client()
    sign_in(client, world, actor)
    theirs = world.entries[CASEWORKER]
    assert ask(client, "POST", f"/inbox/{theirs}/read", actor).status_code == 404
    with make_session_factory(db_engine)() as session:
        delivery = session.get(Delivery, theirs)
        assert delivery is not None
        assert delivery.read_at is None
