"""Finding cases by code and by name (Khmer and Latin) through keyed hashes, within scope, with filters."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from engine.cases.case_file import apply_targets
from engine.cases.search import CaseFilters, parse_filters, reindex_names, search_cases
from engine.cases.sections import read_section, update_section
from engine.cases.service import NewSurvivor
from engine.crypto import KeyRing
from engine.db import transaction
from engine.errors import Forbidden, InvalidInput
from engine.models.accounts import Role, Team, User
from engine.models.cases import Case, CaseStatus, Identity, NameToken, Phase, Sex
from engine.models.security import AuditEvent
from engine.models.workflow import WorkItem, WorkItemStatus
from engine.names import tokens
from engine.workflow.service import Runtime, admit_case, load_runtime
from tests.conftest import NOW
from tests.factories import Factory

KHMER_GIVEN = "ស្រីពៅ"  # ស ្រ ី ព ៅ, typed in the canonical order
KHMER_GIVEN_TYPED_OTHERWISE = "\u179f\u17b8\u17d2\u179a\u1796\u17c5"  # ស ី ្ រ ព ៅ: subscript after the vowel
KHMER_FAMILY = "គំរូ"


@pytest.fixture
def team(factory: Factory) -> Team:
    return factory.team()


@pytest.fixture
def worker(factory: Factory, team: Team) -> User:
    return factory.user(Role.CASEWORKER, team)


@pytest.fixture
def demo(factory: Factory, worker: User) -> Case:
    return factory.case(worker, given_name_latin="Demo Survivor 03", family_name_latin="Sample",
                        given_name_km=KHMER_GIVEN, family_name_km=KHMER_FAMILY, alias="Zedalias")  # fmt: skip


def find(session: Session, actor: User, query: str = "", **kwargs: object) -> list[Case]:
    return search_cases(session=session, actor=actor, now=NOW, query=query, **kwargs).cases  # type: ignore[arg-type]


# -- names, Latin and Khmer -------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["Sample 03", "sample", "DEMO survivor", "03 Sample Demo", "Zedalias",
                                   "Sámple", "demosurvivor03"])  # fmt: skip
def test_latin_name_words_find_the_case(session: Session, worker: User, demo: Case, query: str) -> None:
    assert find(session, worker, query) == [demo]


KHMER_QUERIES = [
    KHMER_GIVEN, KHMER_GIVEN_TYPED_OTHERWISE, KHMER_FAMILY, f"{KHMER_FAMILY} {KHMER_GIVEN}",
    f"{KHMER_FAMILY}{KHMER_GIVEN}", f"{KHMER_FAMILY}\u200b{KHMER_GIVEN_TYPED_OTHERWISE}", f"{KHMER_GIVEN} Sample",
]  # fmt: skip


@pytest.mark.parametrize("query", KHMER_QUERIES)
def test_khmer_name_finds_the_case_whatever_the_typing_order(
    session: Session, worker: User, demo: Case, query: str
) -> None:
    assert find(session, worker, query) == [demo]


@pytest.mark.parametrize("query", ["Sam", "Sample 04", "Demo Nobody", "ស្រី", "Samples"])
def test_every_word_must_be_a_whole_word_of_the_case(session: Session, worker: User, demo: Case, query: str) -> None:
    assert find(session, worker, query) == []


def test_nothing_found_is_an_empty_page(session: Session, worker: User, demo: Case) -> None:
    page = search_cases(session=session, actor=worker, now=NOW, query="Nobody Anywhere")
    assert (page.cases, page.total, page.pages) == ([], 0, 1)


def test_a_renamed_survivor_is_found_by_the_new_name_only(session: Session, worker: User, demo: Case) -> None:
    view = read_section(session=session, actor=worker, code=demo.code, key="identity")
    update_section(session=session, actor=worker, now=NOW, code=demo.code, key="identity", token=view.token,
                   raw={"given_name_latin": "Renamed Person", "family_name_latin": "Sample", "sex": "female",
                        "given_name_km": KHMER_GIVEN})  # fmt: skip
    assert find(session, worker, "Renamed") == [demo]
    assert find(session, worker, "Demo Survivor") == []
    assert find(session, worker, "Zedalias") == []  # the alias was emptied by the save
    assert find(session, worker, KHMER_FAMILY) == []


def test_a_workflow_step_writing_a_name_updates_the_index(session: Session, worker: User, demo: Case) -> None:
    with transaction(session):
        apply_targets(session=session, case=demo, actor=worker, now=NOW, targets={"identity.alias": "Newalias"})
    assert find(session, worker, "Newalias") == [demo]
    assert find(session, worker, "Zedalias") == []


def test_the_token_table_holds_keyed_hashes_and_no_plaintext(session: Session, keyring: KeyRing, demo: Case) -> None:
    stored = set(session.scalars(select(NameToken.token).where(NameToken.case_id == demo.id)))
    plain = set(tokens(f"Demo Survivor 03 Sample Zedalias {KHMER_GIVEN} {KHMER_FAMILY}"))
    assert {keyring.token_hash(t) for t in plain} <= stored
    assert all(re.fullmatch(r"[0-9a-f]{64}", t) for t in stored)
    raw = " ".join(str(v) for row in session.execute(text("SELECT * FROM case_name_tokens")) for v in row)
    words = {w for w in plain | {"Demo", "Sample"} if len(w) > 3}  # a short one could occur in hex by chance
    leaked = [word for word in words if word in raw]
    assert leaked == []


def test_the_blind_index_of_the_full_latin_name_is_kept(session: Session, keyring: KeyRing, demo: Case) -> None:
    identity = session.scalars(select(Identity).where(Identity.case_id == demo.id)).one()
    assert identity.name_index == keyring.blind_index("Demo Survivor 03 Sample")


def test_deleting_a_case_deletes_its_tokens(session: Session, demo: Case) -> None:
    with transaction(session):
        session.execute(delete(Case).where(Case.id == demo.id))
    assert session.scalar(select(NameToken.id).where(NameToken.case_id == demo.id)) is None


def test_reindex_rebuilds_the_tokens(session: Session, worker: User, demo: Case) -> None:
    with transaction(session):
        session.execute(delete(NameToken))
    assert find(session, worker, "Sample") == []
    assert reindex_names(session=session, only_missing=True).identities == 1
    assert find(session, worker, "Sample") == [demo]
    assert reindex_names(session=session, only_missing=True).identities == 0
    report = reindex_names(session=session)
    assert report.identities == 1
    assert report.tokens >= 8
    assert find(session, worker, KHMER_GIVEN_TYPED_OTHERWISE) == [demo]


def test_a_name_search_is_audited_without_the_query(session: Session, worker: User, demo: Case) -> None:
    find(session, worker, "Demo Sample")
    line = session.scalars(select(AuditEvent).where(AuditEvent.action == "case_search")).one()
    assert line.detail == "words=2; filters=; found=1"
    assert "Sample" not in line.detail


# -- codes --------------------------------------------------------------------------------------------------


def test_the_exact_code_finds_the_case(session: Session, worker: User, demo: Case) -> None:
    assert find(session, worker, demo.code) == [demo]


@pytest.mark.parametrize("cut", [4, 6])
def test_a_code_prefix_finds_the_case_in_any_case_with_or_without_hyphen(
    session: Session, worker: User, demo: Case, cut: int
) -> None:
    prefix = demo.code[:cut]
    assert find(session, worker, prefix.lower()) == [demo]
    assert find(session, worker, prefix.replace("-", "")) == [demo]


def test_the_exact_code_comes_first(session: Session, factory: Factory, worker: User, demo: Case) -> None:
    other = factory.case(worker)
    found = find(session, worker, demo.code[:2])
    assert set(found) == {demo, other}
    assert find(session, worker, demo.code)[0] == demo


# -- scope --------------------------------------------------------------------------------------------------


def test_a_caseworker_of_another_team_finds_nothing(session: Session, factory: Factory, demo: Case) -> None:
    stranger = factory.user(Role.CASEWORKER, factory.team())
    assert find(session, stranger, "Sample") == []
    assert find(session, stranger, KHMER_GIVEN) == []
    assert find(session, stranger, demo.code) == []


def test_a_colleague_not_assigned_to_the_case_does_not_find_it(
    session: Session, factory: Factory, team: Team, demo: Case
) -> None:
    colleague = factory.user(Role.CASEWORKER, team)
    assert find(session, colleague, "Sample") == []


def test_the_teams_supervisor_finds_it_and_another_teams_does_not(
    session: Session, factory: Factory, team: Team, demo: Case
) -> None:
    assert find(session, factory.user(Role.SUPERVISOR, team), KHMER_GIVEN) == [demo]
    assert find(session, factory.user(Role.SUPERVISOR, factory.team()), KHMER_GIVEN) == []


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.REPORTING, Role.DOSVY_OFFICER])
def test_roles_without_case_files_cannot_search(session: Session, factory: Factory, demo: Case, role: Role) -> None:
    with pytest.raises(Forbidden):
        find(session, factory.user(role), "Sample")


# -- filters and pages --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def runtime() -> Runtime:
    return load_runtime()


def test_filters_by_phase_status_and_caseworker_combine_with_the_query(
    session: Session, factory: Factory, team: Team, worker: User, demo: Case
) -> None:
    other_worker = factory.user(Role.CASEWORKER, team)
    supervisor = factory.user(Role.SUPERVISOR, team)
    theirs = factory.case(other_worker, given_name_latin="Demo Other", family_name_latin="Sample")
    with transaction(session):
        theirs.phase = Phase.REINTEGRATION
        theirs.status = CaseStatus.LOST_CONTACT
    assert set(find(session, supervisor, "Sample")) == {demo, theirs}
    assert find(session, supervisor, "Sample", filters=CaseFilters(phase=Phase.REINTEGRATION)) == [theirs]
    assert find(session, supervisor, "Sample", filters=CaseFilters(status=CaseStatus.OPEN)) == [demo]
    assert find(session, supervisor, "", filters=CaseFilters(caseworker_id=worker.id)) == [demo]
    assert find(session, supervisor, "Other", filters=CaseFilters(caseworker_id=worker.id)) == []
    both = CaseFilters(phase=Phase.REINTEGRATION, status=CaseStatus.OPEN)
    assert find(session, supervisor, "", filters=both) == []


def test_overdue_keeps_the_cases_with_an_overdue_open_step(
    session: Session, factory: Factory, worker: User, demo: Case, runtime: Runtime
) -> None:
    assert worker.team_id is not None
    survivor = NewSurvivor(sex=Sex.MALE, given_name_latin="Late Sample")
    late = admit_case(session=session, runtime=runtime, actor=worker, now=NOW - dt.timedelta(days=60),
                      team_id=worker.team_id, survivor=survivor)  # fmt: skip
    due = session.scalars(select(WorkItem.due_at).where(WorkItem.case_id == late.id,
                                                        WorkItem.status == WorkItemStatus.OPEN)).all()  # fmt: skip
    assert any(d is not None and d < NOW for d in due), "the scenario needs an overdue step"
    assert find(session, worker, "Sample", filters=CaseFilters(overdue=True)) == [late]
    assert find(session, worker, "Zedalias", filters=CaseFilters(overdue=True)) == []
    assert demo in find(session, worker, "Sample")


def test_pages_are_bounded_and_counted(session: Session, factory: Factory, worker: User) -> None:
    cases = [factory.case(worker, given_name_latin=f"Paged {n}", family_name_latin="Sample") for n in range(5)]
    first = search_cases(session=session, actor=worker, now=NOW, query="Sample", per_page=2)
    last = search_cases(session=session, actor=worker, now=NOW, query="Sample", per_page=2, page=3)
    assert (first.total, first.pages, len(first.cases), len(last.cases)) == (5, 3, 2, 1)
    assert {*first.cases, *last.cases} < set(cases)
    with pytest.raises(InvalidInput):
        search_cases(session=session, actor=worker, now=NOW, per_page=101)
    with pytest.raises(InvalidInput):
        search_cases(session=session, actor=worker, now=NOW, page=0)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"phase": "phase_9"}, "phase"),
        ({"status": "gone"}, "status"),
        ({"caseworker": "abc"}, "caseworker"),
        ({"caseworker": "-1"}, "caseworker"),
        ({"overdue": "maybe"}, "overdue"),
    ],
)
def test_a_bad_filter_value_is_a_clear_message(values: dict[str, str], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_filters(**values)
    assert refused.value.fields == {field: refused.value.fields[field]}
    assert "Choose" in refused.value.fields[field] or "on or off" in refused.value.fields[field]


def test_filters_parse_from_form_values() -> None:
    assert parse_filters(phase="reintegration", status="open", caseworker="12", overdue="1") == CaseFilters(
        Phase.REINTEGRATION, CaseStatus.OPEN, 12, True
    )
    assert parse_filters(phase="", status=None, caseworker="", overdue="") == CaseFilters()


def test_a_caseworker_filter_outside_the_team_is_refused(
    session: Session, factory: Factory, team: Team, demo: Case
) -> None:
    supervisor = factory.user(Role.SUPERVISOR, team)
    stranger = factory.user(Role.CASEWORKER, factory.team())
    with pytest.raises(InvalidInput) as refused:
        find(session, supervisor, "", filters=CaseFilters(caseworker_id=stranger.id))
    assert set(refused.value.fields) == {"caseworker"}


@pytest.mark.parametrize("query", ["x" * 201, "a b c d e f g h i"])
def test_a_too_long_query_is_refused(session: Session, worker: User, query: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        find(session, worker, query)
    assert set(refused.value.fields) == {"q"}


def test_a_query_of_punctuation_only_is_refused(session: Session, worker: User) -> None:
    with pytest.raises(InvalidInput) as refused:
        find(session, worker, " ?! ។ ")
    assert refused.value.fields == {"q": "Type a name (in Khmer or Latin script) or a case code."}
