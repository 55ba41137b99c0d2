"""Benchmark: queue pages, the supervisor dashboard and a step's form POST at concurrency 8 against
gunicorn (2 sync workers, 127.0.0.1), beside the bare Flask + SQLite + Jinja page measured in the same run
(and, on PostgreSQL, the same bare page reading PostgreSQL: ``p95_over_bare_postgresql``); start-up time and
memory per worker.

    .venv/bin/python -m bench.bench_web --dataset sqlite-2000
    .venv/bin/python -m bench.bench_web --dataset postgresql-100000 --database-url postgresql+psycopg://...
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bench import bare, load
from bench.common import NOW, PASSWORD, ROOT, bench_settings, peak_rss_mb, write_result
from engine.crypto import install_keyring, load_keyring
from engine.db import make_engine, make_session_factory
from engine.demo import PRE_AND_REINTEGRATION, synthetic_submission
from engine.models.accounts import Role, User
from engine.models.workflow import WorkItem, WorkItemStatus
from engine.workflow.service import load_runtime

FILTERS = ("mine", "team_unassigned", "overdue", "due_today", "due_this_week", "all")
OVERRIDES: dict[str, dict[str, object]] = dict(PRE_AND_REINTEGRATION) | {
    "conduct_visit": {"visit_outcome": "continue", "risk_level": "low", "contact_made": True, "mode": "home_visit",
                      "visit_date": NOW.date().isoformat()},
}  # fmt: skip


def serve(app: str, port: int, workers: int, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], float]:
    """Start gunicorn on 127.0.0.1:``port``; return it and the seconds until it answered."""
    started = time.perf_counter()
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}", "--timeout", "120",
         "--log-level", "warning", app], cwd=ROOT, env={**os.environ, **env},
    )  # fmt: skip
    client = load.Client(port)
    while True:
        try:
            status, _body, _ms = client.request("GET", "/auth/login" if app.startswith("bench.wsgi") else "/")
            if status == 200:
                return proc, time.perf_counter() - started
        except OSError:
            pass
        if proc.poll() is not None or time.perf_counter() - started > 120:
            raise SystemExit(f"{app} did not start")
        time.sleep(0.05)


def worker_rss_mb(master: int) -> list[float]:
    """Resident memory of each worker of a gunicorn master (MB)."""
    sizes = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(master):
            sizes.append(round(int(fields["VmRSS"].split()[0]) / 1024, 1))
    return sorted(sizes)


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--seconds", type=float, default=12.0, help="at most this long per page")
    parser.add_argument("--requests", type=int, default=400, help="at most this many requests per page")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--completions", type=int, default=160, help="form POSTs (each completes a real step)")
    parser.add_argument("--port", type=int, default=8811)
    args = parser.parse_args()
    settings = bench_settings(args.dataset, args.database_url)
    install_keyring(load_keyring(settings))
    session = make_session_factory(make_engine(settings.database_url))()
    users = list(session.scalars(select(User).where(User.active.is_(True)).order_by(User.id)))
    workers = [u for u in users if u.role is Role.CASEWORKER][::37][: args.concurrency]
    supervisors = [u for u in users if u.role is Role.SUPERVISOR][::17][: args.concurrency]

    bare.build()
    env = {"BENCH_DATASET": args.dataset, "BENCH_DATABASE_URL": args.database_url or ""}
    bare_proc, _ = serve("bench.bare:app", args.port + 1, args.workers, {})
    bare_pg_proc = None
    if args.database_url:
        bare.build_postgresql(args.database_url)
        bare_pg_proc, _ = serve("bench.bare:app", args.port + 2, args.workers, {"BENCH_BARE_URL": args.database_url})
    app_proc, startup_s = serve("bench.wsgi:app", args.port, args.workers, env)
    result: dict[str, Any] = {"benchmark": "web", "dataset": args.dataset,
                              "backend": "postgresql" if args.database_url else "sqlite",
                              "gunicorn_workers": args.workers, "startup_s": round(startup_s, 2),
                              "worker_rss_mb_after_start": worker_rss_mb(app_proc.pid), "pages": {}}  # fmt: skip
    bounds = {"seconds": args.seconds, "max_requests": args.requests}
    try:
        bare_clients = [load.Client(args.port + 1) for _ in range(args.concurrency)]
        bare_pg_clients = [load.Client(args.port + 2) for _ in range(args.concurrency)] if bare_pg_proc else []
        result["pages"]["bare_before"] = load.run(bare_clients, _bare_page, **bounds)
        if bare_pg_clients:
            result["pages"]["bare_postgresql_before"] = load.run(bare_pg_clients, _bare_page, **bounds)
        cw = [load.Client(args.port) for _ in workers]
        for client, user in zip(cw, workers, strict=True):
            client.sign_in(user.username, PASSWORD)
        for name in FILTERS:
            result["pages"][f"my_work_{name}"] = load.run(cw, _my_work_page(name), **bounds)
        sup = [load.Client(args.port) for _ in supervisors]
        for client, user in zip(sup, supervisors, strict=True):
            client.sign_in(user.username, PASSWORD)
        result["pages"]["team_queue"] = load.run(
            sup, lambda c, n: ("GET", f"/team/queue?page={1 + n % 3}", None), **bounds)  # fmt: skip
        result["pages"]["team_queue_overdue"] = load.run(
            sup, lambda c, n: ("GET", "/team/queue?filter=overdue", None), **bounds)  # fmt: skip
        result["pages"]["team_dashboard"] = load.run(sup, lambda c, n: ("GET", "/team/dashboard", None), **bounds)
        result["pages"]["bare_after"] = load.run(bare_clients, _bare_page, **bounds)
        if bare_pg_clients:
            result["pages"]["bare_postgresql_after"] = load.run(bare_pg_clients, _bare_page, **bounds)
        result["pages"]["complete_step_post"] = _completions(session, cw, workers, args.completions, bounds)
        result["worker_rss_mb_after_load"] = worker_rss_mb(app_proc.pid)
    finally:
        stop(app_proc)
        stop(bare_proc)
        if bare_pg_proc:
            stop(bare_pg_proc)
    result["p95_over_bare"] = _over(result["pages"], "bare")
    if bare_pg_proc:
        result["p95_over_bare_postgresql"] = _over(result["pages"], "bare_postgresql")
    result["driver_peak_rss_mb"] = peak_rss_mb()
    write_result(f"web-{args.dataset}", result)


def _bare_page(_client: load.Client, n: int) -> tuple[str, str, None]:
    return "GET", f"/?owner={n % bare.OWNERS}", None


def _over(pages: dict[str, Any], yardstick: str) -> dict[str, float]:
    """Each queue page's p95 over the slower of the yardstick's two runs (before and after the pages)."""
    p95 = max(pages[f"{yardstick}_before"]["p95_ms"], pages[f"{yardstick}_after"]["p95_ms"])
    return {k: round(v["p95_ms"] / p95, 2) for k, v in pages.items() if k.startswith(("my_work", "team_q"))}


def _my_work_page(name: str) -> load.Step:
    """GET the filter's pages 1-3 in turn."""

    def step(_client: load.Client, n: int) -> tuple[str, str, dict[str, str] | None]:
        return "GET", f"/work/?filter={name}&page={1 + n % 3}", None

    return step


def _completions(session: Any, clients: list[load.Client], workers: list[User], count: int,
                 bounds: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    """POST each caseworker's own open steps with a valid synthetic submission (one step per request)."""
    runtime = load_runtime()
    queues: dict[int, Any] = {}
    per_worker = count // max(len(workers), 1) + 1
    for n, user in enumerate(workers):
        items = session.scalars(
            select(WorkItem).where(WorkItem.assignee_id == user.id, WorkItem.status == WorkItemStatus.OPEN,
                                   WorkItem.task_name.in_(list(OVERRIDES)))
            .order_by(WorkItem.id).limit(per_worker)
        ).all()  # fmt: skip
        queues[n] = iter([(i.id, i.form_key, i.task_name) for i in items])
        _status, page, _ms = clients[n].request("GET", "/work/")
        clients[n].token(page)
    index = {id(c): n for n, c in enumerate(clients)}

    def step(client: load.Client, _n: int) -> tuple[str, str, dict[str, Any] | None] | None:
        found = next(queues[index[id(client)]], None)
        if found is None:  # this caseworker has nothing left to complete: its thread stops (only POSTs count)
            return None
        item_id, form_key, task = found
        raw = synthetic_submission(runtime.forms[form_key], NOW.date(), dict(OVERRIDES.get(task, {})))
        return "POST", f"/work/{item_id}", {**raw, "csrf_token": client.csrf, "form_key": form_key}

    return load.run(clients, step, warmup=0, **{**bounds, "max_requests": count})


if __name__ == "__main__":
    main()
