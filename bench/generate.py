"""Generate a national-scale dataset: 150 shelters, 500 users and ``--cases`` cases (default 100,000).

Rows match what the services write because they *are* what the services write: ``--templates`` cases
(default 180) are walked through the real workflows exactly as the demo data is (every step submitted
through its form with a clock that starts when the case was opened: work items, timers, instances,
case events, case records, consent records, transfers), then their rows are copied in bulk, one block
per copy, with new ids, a new random case code, the shelter team, caseworker and supervisor of the copy.
Ciphertext is copied as it is (the same key file), so every copy decrypts.

Not copied: the audit log (hash-chained: a copy would break the chain) and the outbox (notices with
idempotency keys); both are written by the template cases only.

    .venv/bin/python bench/generate.py --cases 2000
    .venv/bin/python bench/generate.py --cases 100000 --database-url postgresql+psycopg://...
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

import engine.models  # noqa: F401 - every table on the metadata
from bench.common import NOW, PASSWORD, Progress, backend, bench_settings, instance_dir, write_result
from engine import demo, migrate
from engine.accounts.passwords import make_hasher
from engine.accounts.service import create_user
from engine.cases.codes import new_case_code
from engine.cases.service import NewSurvivor, open_case
from engine.crypto import install_keyring, load_keyring
from engine.db import Base, make_engine, make_session_factory, transaction
from engine.models.accounts import Organisation, OrganisationKind, Province, Role, Team, User
from engine.models.cases import FamilyMember, Sex
from engine.workflow.service import Runtime, fire_due_timers, load_runtime, start_case_workflow

SHELTERS = 150
CASEWORKERS = 340  # 2 or 3 per shelter team
OFFICES = 4  # DoSVY offices, 2 officers each
SKIPPED = ("audit_events", "notices", "notice_deliveries")
SEED = 20261130


@dataclass(frozen=True)
class Staff:
    teams: list[int]
    supervisors: list[int]  # by team index
    caseworkers: list[list[int]]  # by team index
    officers: list[int]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--templates", type=int, default=180, help="cases walked through the real workflows")
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default: a SQLite file)")
    parser.add_argument("--name", default=None, help="dataset name (default: <backend>-<cases>)")
    args = parser.parse_args()
    name = args.name or f"{backend(args.database_url or 'sqlite')}-{args.cases}"
    result = generate(name=name, cases=args.cases, templates=min(args.templates, args.cases),
                      database_url=args.database_url)  # fmt: skip
    write_result(f"generate-{name}", result)


def generate(*, name: str, cases: int, templates: int, database_url: str | None) -> dict[str, Any]:
    """Build the dataset ``name`` from scratch and return what was written and how long it took."""
    started = time.perf_counter()
    folder = instance_dir(name)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    settings = bench_settings(name, database_url)
    url = settings.database_url
    if backend(url) == "postgresql":
        _empty_postgres(url)
    migrate.upgrade(url)
    install_keyring(load_keyring(settings))
    db = make_engine(url)
    session = make_session_factory(db)()
    runtime = load_runtime()
    staff = _staff(session)
    timings = {"staff_s": round(time.perf_counter() - started, 1)}
    mark = time.perf_counter()
    _templates(session, runtime, staff, templates)
    timings["templates_s"] = round(time.perf_counter() - mark, 1)
    session.close()
    mark = time.perf_counter()
    copied = _copy(db, staff, templates, cases)
    timings["copy_s"] = round(time.perf_counter() - mark, 1)
    mark = time.perf_counter()
    _analyse(db)
    timings["analyse_s"] = round(time.perf_counter() - mark, 1)
    with db.connect() as conn:
        counts = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in (  # noqa: S608 - names
            "cases", "work_items", "case_records", "case_events", "workflow_instances", "workflow_timers", "users",
            "teams")}  # fmt: skip
        open_items = conn.execute(text("SELECT count(*) FROM work_items WHERE status = 'open'")).scalar_one()
    db.dispose()
    return {
        "benchmark": "generate",
        "dataset": name,
        "backend": backend(url),
        "cases": cases,
        "templates": templates,
        "rows": counts,
        "open_work_items": open_items,
        "rows_copied": copied,
        "seconds": round(time.perf_counter() - started, 1),
        **timings,
    }


def _empty_postgres(url: str) -> None:
    db = make_engine(url)
    with db.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    db.dispose()


def _staff(session: Session) -> Staff:
    """150 shelters with one team each (a supervisor, 2-3 caseworkers), 4 DoSVY offices, 500 users."""
    hasher = make_hasher("fast")
    provinces = list(session.scalars(select(Province.code).order_by(Province.code)))
    with transaction(session):
        shelters = [
            Organisation(name=f"Bench Shelter {n:03d} (synthetic)", province_code=provinces[n % len(provinces)],
                         kind=OrganisationKind.GOVERNMENT_SHELTER if n % 3 else OrganisationKind.NGO_SHELTER,
                         mosvy_agreement_date=None if n % 3 else dt.date(2020, 1, 15))
            for n in range(SHELTERS)
        ]  # fmt: skip
        offices = [
            Organisation(name=f"Bench DoSVY Office {n} (synthetic)", kind=OrganisationKind.DOSVY_OFFICE,
                         province_code=provinces[(n * 7) % len(provinces)])
            for n in range(OFFICES)
        ]  # fmt: skip
        session.add_all(shelters + offices)
        session.flush()
        teams = [Team(organisation_id=o.id, name=f"Bench Team {n:03d}") for n, o in enumerate(shelters)]
        session.add_all(teams)
        session.flush()

    def user(username: str, role: Role, org: int | None, team: int | None) -> int:
        return create_user(session=session, hasher=hasher, now=NOW, username=username, role=role,
                           display_name=f"Bench {username}", password=PASSWORD, organisation_id=org,
                           team_id=team)  # fmt: skip

    progress = Progress("users", 500)
    user("bench.admin", Role.ADMINISTRATOR, None, None)
    user("bench.reporting", Role.REPORTING, None, None)
    progress.advance(2)
    supervisors, caseworkers = [], []
    for n, (org, team) in enumerate(zip(shelters, teams, strict=True)):
        supervisors.append(user(f"bench.sup{n:03d}", Role.SUPERVISOR, org.id, team.id))
        caseworkers.append([user(f"bench.cw{n:03d}.{k}", Role.CASEWORKER, org.id, team.id)
                            for k in range(3 if n < CASEWORKERS - 2 * SHELTERS else 2)])  # fmt: skip
        progress.advance(1 + len(caseworkers[-1]))
    officers = [user(f"bench.dosvy{n}", Role.DOSVY_OFFICER, offices[n // 2].id, None) for n in range(2 * OFFICES)]
    progress.advance(len(officers))
    return Staff([t.id for t in teams], supervisors, caseworkers, officers)


def _templates(session: Session, runtime: Runtime, staff: Staff, count: int) -> None:
    """Walk ``count`` cases of team 0 through the real workflows, as the demo data does."""
    rng = random.Random(SEED)  # noqa: S311 - synthetic data, not secrets
    users = {u.id: u for u in session.scalars(select(User))}
    worker, supervisor = users[staff.caseworkers[0][0]], users[staff.supervisors[0]]
    actors = {Role.CASEWORKER: worker, Role.SUPERVISOR: supervisor, Role.DOSVY_OFFICER: users[staff.officers[0]]}
    progress = Progress("template cases", count)
    for n in range(count):
        plan = demo.PLANS[n % len(demo.PLANS)]
        opened = NOW - dt.timedelta(days=plan.days_ago + rng.randint(0, 40), hours=rng.randint(0, 23))
        unassigned = plan.steps == 0 and n % 2 == 0  # just admitted, not yet given to anyone
        with transaction(session):
            case = open_case(
                session=session, actor=supervisor, now=opened, team_id=staff.teams[0],
                survivor=NewSurvivor(
                    sex=rng.choice([Sex.FEMALE, Sex.FEMALE, Sex.MALE]),
                    given_name_latin=f"Bench Survivor {n:03d}", family_name_latin="Sample",
                    given_name_km=f"សាកល្បង {n:03d}", alias=f"Sample {n:03d}",
                    date_of_birth=dt.date(2000 + rng.randint(0, 10), rng.randint(1, 12), rng.randint(1, 28)),
                ),
                caseworker_id=None if unassigned else worker.id, code_prefix="BT", rng=rng,
            )  # fmt: skip
            session.add(FamilyMember(case_id=case.id, updated_by_id=worker.id, updated_at=opened,
                                     relationship="mother", name=f"Demo Parent {n:03d}"))  # fmt: skip
            start_case_workflow(session=session, runtime=runtime, case=case, actor=worker, now=opened)
            demo.walk_plan(session, runtime, case, actors, plan, opened, NOW, rng)
        progress.advance()
    fire_due_timers(session=session, runtime=runtime, now=NOW, limit=count * 4)


def _cloned_tables() -> list[Table]:
    """Every table whose rows belong to one case, parents first."""
    belongs = {"cases"}
    tables = []
    for table in Base.metadata.sorted_tables:
        if table.name in SKIPPED:
            continue
        parents = {fk.column.table.name for fk in table.foreign_keys}
        if table.name == "cases" or "case_id" in table.c or parents & (belongs - {"cases"}):
            belongs.add(table.name)
            tables.append(table)
    return tables


def _copy(db: Engine, staff: Staff, templates: int, cases: int) -> int:
    """Copy the template cases' rows until there are ``cases`` cases; return the rows written."""
    tables = _cloned_tables()
    with db.connect() as conn:
        raw: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {}
        for table in tables:
            result = conn.exec_driver_sql(f"SELECT * FROM {table.name} ORDER BY id")  # noqa: S608 - our names
            raw[table.name] = (list(result.keys()), [tuple(r) for r in result])
        spans = {name: max((r[cols.index("id")] for r in rows), default=0) for name, (cols, rows) in raw.items()}
    template_ids = [r[raw["cases"][0].index("id")] for r in raw["cases"][1]]
    assert template_ids == list(range(1, templates + 1)), "the templates were written to a fresh database"
    case_of = _case_of_rows(tables, raw)
    template_worker, template_sup = staff.caseworkers[0][0], staff.supervisors[0]
    rng = random.Random(SEED + 1)  # noqa: S311 - case codes of synthetic copies
    codes: set[str] = set(r[raw["cases"][0].index("code")] for r in raw["cases"][1])
    blocks = (cases - 1) // templates  # block 0 is the templates themselves
    progress = Progress("copying cases", cases - templates)
    written = 0
    writer = _Writer(db)
    for block in range(1, blocks + 1):
        first_case = block * templates
        wanted = min(templates, cases - first_case)
        per_case = []  # (team id, caseworker id, supervisor id, code) for template t in this block
        for t in range(wanted):
            j = first_case + t
            team = j % SHELTERS
            workers = staff.caseworkers[team]
            code = new_case_code("BN", rng)
            while code in codes:
                code = new_case_code("BN", rng)
            codes.add(code)
            per_case.append((staff.teams[team], workers[(j // SHELTERS) % len(workers)], staff.supervisors[team], code))
        for table in tables:
            cols, rows = raw[table.name]
            fix = _row_fixer(table, cols, spans, block, per_case, template_worker, template_sup, staff.teams[0])
            out = [fix(row, case_of[table.name][i] - 1) for i, row in enumerate(rows)
                   if case_of[table.name][i] <= wanted]  # fmt: skip
            writer.write(table.name, cols, out)
            written += len(out)
        writer.commit()
        progress.advance(wanted)
    writer.finish({t.name: spans[t.name] * (blocks + 1) for t in tables})
    return written


def _case_of_rows(tables: list[Table], raw: dict[str, tuple[list[str], list[tuple[Any, ...]]]]) -> dict[str, list[int]]:
    """For every template row, the template case (id) it belongs to."""
    case_cols, case_rows = raw["cases"]
    ids = [r[case_cols.index("id")] for r in case_rows]
    owner: dict[str, dict[int, int]] = {"cases": {i: i for i in ids}}
    result: dict[str, list[int]] = {"cases": ids}
    for table in tables[1:]:
        cols, rows = raw[table.name]
        if "case_id" in cols:
            at = cols.index("case_id")
            found = [r[at] for r in rows]
        else:  # e.g. plan goals: through the parent row
            fk = next(fk for fk in table.foreign_keys if fk.column.table.name in owner)
            at, parent = cols.index(fk.parent.name), owner[fk.column.table.name]
            found = [parent[r[at]] for r in rows]
        owner[table.name] = {r[cols.index("id")]: c for r, c in zip(rows, found, strict=True)}
        result[table.name] = found
    return result


def _row_fixer(table: Table, cols: list[str], spans: dict[str, int], block: int,
               per_case: list[tuple[int, int, int, str]], template_worker: int, template_sup: int,
               template_team: int) -> Callable[[tuple[Any, ...], int], tuple[Any, ...]]:  # fmt: skip
    """A function giving the copy of one template row in ``block`` (for template case index ``t``)."""
    shifts: list[tuple[int, int]] = [(cols.index("id"), spans[table.name] * block)]  # the row's own id
    people: list[int] = []
    teams: list[int] = []
    for fk in table.foreign_keys:
        at, target = cols.index(fk.parent.name), fk.column.table.name
        if target in spans:
            shifts.append((at, spans[target] * block))
        elif target == "users":
            people.append(at)
        elif target == "teams":
            teams.append(at)
    code_at = cols.index("code") if table.name == "cases" else -1

    def fix(row: tuple[Any, ...], t: int) -> tuple[Any, ...]:
        team, worker, sup, code = per_case[t]
        values = list(row)
        for at, by in shifts:
            if values[at] is not None:
                values[at] += by
        for at in people:
            v = values[at]
            values[at] = worker if v == template_worker else sup if v == template_sup else v
        for at in teams:
            if values[at] == template_team:
                values[at] = team
        if code_at >= 0:
            values[code_at] = code
        return tuple(values)

    return fix


class _Writer:
    """Bulk inserts through the driver: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, db: Engine) -> None:
        self.db = db
        self.pg = db.dialect.name == "postgresql"
        self.conn = db.raw_connection()
        self.cur = self.conn.cursor()
        if not self.pg:
            self.cur.execute("PRAGMA synchronous = OFF")

    def write(self, table: str, cols: list[str], rows: Iterable[tuple[Any, ...]]) -> None:
        names = ", ".join(cols)
        if self.pg:
            with self.cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(cols))
            self.cur.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(rows))  # noqa: S608

    def commit(self) -> None:
        self.conn.commit()

    def finish(self, next_ids: dict[str, int]) -> None:
        if self.pg:  # COPY with explicit ids leaves the sequences behind
            for table in next_ids:
                self.cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                                 f"(SELECT coalesce(max(id), 1) FROM {table}))")  # fmt: skip
        else:
            self.cur.execute("PRAGMA synchronous = NORMAL")
        self.conn.commit()
        self.conn.close()


def _analyse(db: Engine) -> None:
    """Planner statistics for the new rows (both backends plan with them)."""
    with db.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()


def count_cases(db: Engine) -> int:
    with db.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Base.metadata.tables["cases"])).scalar_one())


if __name__ == "__main__":
    main()
