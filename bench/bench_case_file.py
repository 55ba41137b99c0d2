"""Benchmark: opening cases and reading case files with encrypted columns (SQLite in a temp folder).

Prints JSON: cases opened per second and case files read per second.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from engine import migrate
from engine.accounts.passwords import make_hasher
from engine.accounts.service import create_user
from engine.cases.service import NewSurvivor, open_case
from engine.crypto import generate_keyring, install_keyring
from engine.db import make_engine, make_session_factory, transaction
from engine.models import User
from engine.models.accounts import Organisation, OrganisationKind, Role, Team
from engine.models.cases import Identity, Sex

N = 500


def main() -> None:
    now = dt.datetime(2026, 11, 29, 3, 0, tzinfo=dt.UTC)  # a fixed instant: the data, not the timing
    install_keyring(generate_keyring())
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        migrate.upgrade(url)
        session = make_session_factory(make_engine(url))()
        with transaction(session):
            org = Organisation(name="Bench Shelter", kind=OrganisationKind.GOVERNMENT_SHELTER, province_code="12")
            session.add(org)
            session.flush()
            team = Team(organisation_id=org.id, name="Bench Team")
            session.add(team)
        uid = create_user(
            session=session, hasher=make_hasher("fast"), now=now, username="bench.cw", display_name="Bench",
            password="bench-password-123", role=Role.CASEWORKER, team_id=team.id,
        )  # fmt: skip
        worker = session.get(User, uid)
        assert worker is not None
        start = time.perf_counter()
        for n in range(N):
            survivor = NewSurvivor(sex=Sex.FEMALE, given_name_latin=f"Bench {n}", date_of_birth=dt.date(2001, 1, 1))
            open_case(session=session, actor=worker, now=now, team_id=team.id, survivor=survivor)
        opened = time.perf_counter() - start
        session.expunge_all()
        start = time.perf_counter()
        names = [i.given_name_latin for i in session.scalars(select(Identity))]
        read = time.perf_counter() - start
        assert len(names) == N
    print(json.dumps({"benchmark": "case_file", "cases": N, "open_case_per_s": round(N / opened, 1),
                      "identities_decrypted_per_s": round(N / read, 1)}))  # fmt: skip


if __name__ == "__main__":
    main()
