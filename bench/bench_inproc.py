"""Benchmark: the queue pages and the dashboard in process (Flask test client, one client, no gunicorn and no
load driver), so a page's own cost is seen apart from the queueing that concurrency 8 on 2 cores adds.

    .venv/bin/python -m bench.bench_inproc --dataset sqlite-100000 [--profile]

The caseworker is the one with the most open steps, the supervisor the one whose team has the most open
cases: the heaviest pages of the dataset. ``--profile`` also writes a cProfile summary per page
(``bench/results/inproc-profile-<dataset>.txt``) from a second, untimed pass of as many requests.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import time
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select

from bench.common import NOW, PASSWORD, RESULTS, bench_settings, summary_ms, write_result
from engine.clock import FixedClock
from engine.db import make_engine, make_session_factory
from engine.models.accounts import Role, User
from engine.models.cases import Case, CaseStatus
from engine.models.workflow import WorkItem, WorkItemStatus
from web import create_app

PAGES = {
    "caseworker": ["/work/?filter=mine", "/work/?filter=all", "/work/?filter=overdue", "/work/?filter=due_today"],
    "supervisor": ["/team/queue", "/team/queue?filter=overdue", "/team/dashboard"],
}


def heaviest_users(url: str) -> dict[str, str]:
    """The caseworker with the most open steps and the supervisor of the team with the most open cases."""
    session = make_session_factory(make_engine(url))()
    try:
        caseworker = session.scalar(
            select(User.username).join(WorkItem, WorkItem.assignee_id == User.id)
            .where(User.role == Role.CASEWORKER, WorkItem.status == WorkItemStatus.OPEN)
            .group_by(User.id, User.username).order_by(func.count().desc()).limit(1)
        )  # fmt: skip
        team = session.scalar(
            select(Case.team_id).where(Case.status != CaseStatus.CLOSED).group_by(Case.team_id)
            .order_by(func.count().desc()).limit(1)
        )  # fmt: skip
        supervisor = session.scalar(
            select(User.username).where(User.role == Role.SUPERVISOR, User.team_id == team).limit(1)
        )  # fmt: skip
    finally:
        session.close()
    if caseworker is None or supervisor is None:
        raise SystemExit("the dataset has no caseworker with open steps or no supervisor")
    return {"caseworker": caseworker, "supervisor": supervisor}


def signed_in(app: Any, username: str) -> FlaskClient:
    client: FlaskClient = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    answer = client.post("/auth/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    if answer.status_code != 302:
        raise SystemExit(f"{username} could not sign in ({answer.status_code})")
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--requests", type=int, default=60, help="requests per page (after 5 to warm up)")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    settings = bench_settings(args.dataset, args.database_url)
    app = create_app(settings, clock=FixedClock(NOW))
    gc.freeze()  # as the WSGI entries do
    users = heaviest_users(settings.database_url)
    result: dict[str, Any] = {"benchmark": "in-process pages", "dataset": args.dataset,
                              "backend": "postgresql" if args.database_url else "sqlite", "users": users,
                              "pages": {}}  # fmt: skip
    profiles: list[str] = []
    for role, paths in PAGES.items():
        client = signed_in(app, users[role])
        for path in paths:
            for _ in range(5):
                client.get(path)
            samples, size = [], 0
            for _ in range(args.requests):  # timed without the profiler (it more than doubled a page's time)
                started = time.perf_counter()
                answer = client.get(path)
                samples.append((time.perf_counter() - started) * 1000)
                if answer.status_code != 200:
                    raise SystemExit(f"{path} answered {answer.status_code}")
                size = len(answer.data)
            result["pages"][path] = {**summary_ms(samples), "bytes": size}
            if args.profile:  # a second pass of as many requests, profiled and not timed
                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(args.requests):
                    client.get(path)
                profiler.disable()
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(45)
                profiles.append(f"==== {path} ({args.requests} requests)\n{out.getvalue()}")
    if profiles:
        (RESULTS / f"inproc-profile-{args.dataset}.txt").write_text("\n".join(profiles), encoding="utf-8")
    write_result(f"inproc-{args.dataset}", result)


if __name__ == "__main__":
    main()
