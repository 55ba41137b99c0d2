"""Load: a bounded mixed load on gunicorn + PostgreSQL over loopback (127.0.0.1 only): caseworkers open their
queues and case pages and complete steps, supervisors open the team queue, all at once, for ``--seconds``
(60 by default). Counts every answer: the run is good when none is an error (5xx, or a refused sign-in).

    .venv/bin/python -m bench.generate --cases 5000 --database-url postgresql+psycopg://.../reintegra_bench
    .venv/bin/python -m bench.bench_load --dataset postgresql-5000 --database-url postgresql+psycopg://...
"""

from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy import select

from bench import load
from bench.bench_web import OVERRIDES, serve, stop, worker_rss_mb
from bench.common import NOW, PASSWORD, bench_settings, peak_rss_mb, write_result
from engine.crypto import install_keyring, load_keyring
from engine.db import make_engine, make_session_factory
from engine.demo import synthetic_submission
from engine.models.accounts import Role, User
from engine.models.cases import Case
from engine.models.workflow import WorkItem, WorkItemStatus
from engine.workflow.service import load_runtime

FILTERS = ("mine", "team_unassigned", "overdue", "due_this_week", "all")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--database-url", required=True, help="PostgreSQL (the production setup)")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--concurrency", type=int, default=8, help="signed-in users at once")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8821)
    args = parser.parse_args()
    settings = bench_settings(args.dataset, args.database_url)
    install_keyring(load_keyring(settings))
    session = make_session_factory(make_engine(settings.database_url))()
    users = list(session.scalars(select(User).where(User.active.is_(True)).order_by(User.id)))
    caseworkers = [u for u in users if u.role is Role.CASEWORKER][::37][: max(args.concurrency - 2, 1)]
    supervisors = [u for u in users if u.role is Role.SUPERVISOR][::17][:2]
    runtime = load_runtime()
    plans = {u.id: _plan(session, u) for u in caseworkers}

    app, startup_s = serve("bench.wsgi:app", args.port, args.workers,
                           {"BENCH_DATASET": args.dataset, "BENCH_DATABASE_URL": args.database_url})  # fmt: skip
    try:
        clients = {}
        for user in [*caseworkers, *supervisors]:
            client = load.Client(args.port)
            client.sign_in(user.username, PASSWORD)
            client.token(client.request("GET", "/work/" if user.role is Role.CASEWORKER else "/team/")[1])
            clients[id(client)] = (client, user)
        kinds: dict[str, int] = {}

        def step(client: load.Client, n: int) -> tuple[str, str, dict[str, Any] | None]:
            _c, user = clients[id(client)]
            if user.role is Role.SUPERVISOR:
                return _count(kinds, "team_queue", ("GET", f"/team/queue?page={1 + n % 3}", None))
            codes, items = plans[user.id]
            if n % 4 == 3 and (found := next(items, None)) is not None:
                item_id, form_key, task = found
                raw = synthetic_submission(runtime.forms[form_key], NOW.date(), dict(OVERRIDES.get(task, {})))
                return _count(
                    kinds,
                    "complete_step",
                    ("POST", f"/work/{item_id}", {**raw, "csrf_token": client.csrf, "form_key": form_key}),
                )
            if n % 2 == 1 and codes:
                return _count(kinds, "case_page", ("GET", f"/cases/{codes[n % len(codes)]}", None))
            return _count(kinds, "my_work", ("GET", f"/work/?filter={FILTERS[n % len(FILTERS)]}", None))

        outcome = load.run([c for c, _u in clients.values()], step, seconds=args.seconds, max_requests=10**9,
                           warmup=0)  # fmt: skip
        rss = worker_rss_mb(app.pid)
    finally:
        stop(app)
    errors = sum(v for k, v in outcome["statuses"].items() if int(k) >= 500)
    result = {"benchmark": "load", "dataset": args.dataset, "backend": "postgresql", "seconds": args.seconds,
              "gunicorn_workers": args.workers, "startup_s": round(startup_s, 2), "requests_by_kind": kinds,
              "errors": errors, "worker_rss_mb_after_load": rss, "driver_peak_rss_mb": peak_rss_mb(),
              **outcome}  # fmt: skip
    write_result(f"load-{args.dataset}", result)
    if errors:
        raise SystemExit(f"{errors} requests failed")


def _count(kinds: dict[str, int], kind: str, request: tuple[str, str, dict[str, Any] | None]
           ) -> tuple[str, str, dict[str, Any] | None]:  # fmt: skip
    kinds[kind] = kinds.get(kind, 0) + 1
    return request


def _plan(session: Any, user: User) -> tuple[list[str], Any]:
    """The caseworker's case codes (for case pages) and open steps the load completes, one POST each."""
    codes = list(session.scalars(select(Case.code).where(Case.caseworker_id == user.id).order_by(Case.id).limit(50)))
    items = session.scalars(
        select(WorkItem).where(WorkItem.assignee_id == user.id, WorkItem.status == WorkItemStatus.OPEN,
                               WorkItem.task_name.in_(list(OVERRIDES))).order_by(WorkItem.id).limit(200)
    ).all()  # fmt: skip
    return codes, iter([(i.id, i.form_key, i.task_name) for i in items])


if __name__ == "__main__":
    main()
