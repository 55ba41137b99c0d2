"""What every benchmark shares: where a dataset lives, its settings, timing statistics, machine facts and
the results file.

A dataset is a database (a SQLite file in ``bench/.data/<name>/`` or a PostgreSQL URL) plus an instance
folder holding its key file and secret, so the generator, the web workers and the benchmarks read the
same ciphertext. Benchmarks never read the wall clock for data: the dataset stands at :data:`NOW`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event

from engine.config import Settings

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / ".data"
RESULTS = ROOT / "bench" / "results"
NOW = dt.datetime(2026, 11, 30, 3, 0, tzinfo=dt.UTC)  # the instant the generated country stands at
PASSWORD = "bench-password-2026"  # noqa: S105 - the synthetic users' password, printed in BENCHMARKS.md


def instance_dir(name: str) -> Path:
    return DATA / name


def dataset_url(name: str, database_url: str | None) -> str:
    """The dataset's database: ``database_url`` when given, else a SQLite file in its folder."""
    return database_url or f"sqlite:///{instance_dir(name) / 'reintegra.sqlite'}"


def bench_settings(name: str, database_url: str | None) -> Settings:
    """Development settings for the dataset (keys generated once into its folder)."""
    return Settings(
        env="development",
        instance_path=instance_dir(name),
        database_url=dataset_url(name, database_url),
        password_hash_profile="fast",
    )


def backend(url: str) -> str:
    return "postgresql" if url.startswith("postgresql") else "sqlite"


def summary_ms(samples: list[float]) -> dict[str, float]:
    """p50, p95 and max of millisecond samples."""
    if not samples:
        return {"n": 0}
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(p95, 2),
        "max_ms": round(ordered[-1], 2),
    }


def peak_rss_mb() -> float:
    """This process's peak resident memory (MB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def machine() -> dict[str, Any]:
    """What the numbers were measured on, including how loaded the machine was."""
    load = os.getloadavg()
    try:
        model = next(
            (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
             if line.startswith("model name")), platform.processor())  # fmt: skip
    except OSError:
        model = platform.processor()
    try:
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        mem_kb = 0
    try:
        git = ["git", "rev-parse", "--short", "HEAD"]
        commit = subprocess.run(git, cwd=ROOT, capture_output=True, text=True,  # noqa: S603 - git, only to label results
                                check=False).stdout.strip()  # fmt: skip
    except OSError:
        commit = ""
    return {
        "cpu": model,
        "cpus": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "load_average_1_5_15": [round(x, 2) for x in load],
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "commit": commit,
    }


def write_result(name: str, result: dict[str, Any]) -> Path:
    """Print ``result`` as JSON and keep it in ``bench/results/<name>.json``."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    result = {**result, "command": " ".join(sys.argv), "machine": machine()}
    text = json.dumps(result, indent=2, default=str)
    print(text)
    path = RESULTS / f"{name}.json"
    path.write_text(text + "\n", encoding="utf-8")
    return path


class Progress:
    """A one-line progress bar on standard error."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.done = label, max(total, 1), 0

    def advance(self, n: int = 1) -> None:
        before = 100 * self.done // self.total
        self.done += n
        if 100 * self.done // self.total == before and self.done < self.total:
            return
        filled = int(30 * self.done / self.total)
        sys.stderr.write(f"\r{self.label:<22} [{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total}")
        if self.done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


class SqlMeter:
    """Where a use case's time goes besides the engine: how many SQL statements it sends and how long the
    database driver takes for them, how long the ORM's flushes take (their SQL included) and its commits
    (with the last flush each starts). ``start``/``stop`` around each measured call, ``keep`` after it."""

    def __init__(self, engine: Any, session: Any) -> None:
        self.on, self.count, self.sql_s, self.commit_s, self._t0, self._c0 = False, 0, 0.0, 0.0, 0.0, 0.0
        self.flush_s, self._f0 = 0.0, 0.0
        self.kept: list[tuple[int, float, float, float]] = []
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)
        event.listen(session, "before_commit", self._commit_starts)
        event.listen(session, "after_commit", self._commit_ends)
        event.listen(session, "before_flush", self._flush_starts)
        event.listen(session, "after_flush_postexec", self._flush_ends)

    def start(self) -> None:
        self.on, self.count, self.sql_s, self.commit_s, self.flush_s = True, 0, 0.0, 0.0, 0.0

    def stop(self) -> None:
        self.on = False

    def keep(self) -> None:
        self.kept.append((self.count, self.sql_s * 1000, self.commit_s * 1000, self.flush_s * 1000))

    def _before(self, *_args: Any) -> None:
        self._t0 = time.perf_counter()

    def _after(self, *_args: Any) -> None:
        if self.on:
            self.count += 1
            self.sql_s += time.perf_counter() - self._t0

    def _commit_starts(self, _session: Any) -> None:
        self._c0 = time.perf_counter()

    def _commit_ends(self, _session: Any) -> None:
        if self.on:
            self.commit_s += time.perf_counter() - self._c0

    def _flush_starts(self, *_args: Any) -> None:
        self._f0 = time.perf_counter()

    def _flush_ends(self, *_args: Any) -> None:
        if self.on:
            self.flush_s += time.perf_counter() - self._f0

    def totals(self) -> dict[str, float]:
        """The last kept measurement (e.g. a whole sweep)."""
        count, sql_ms, commit_ms, flush_ms = self.kept[-1]
        return {"sql_statements": count, "sql_driver_ms": round(sql_ms, 1), "commits_ms": round(commit_ms, 1),
                "orm_flushes_ms": round(flush_ms, 1)}  # fmt: skip

    def summary(self) -> dict[str, float]:
        """Medians over every kept measurement (e.g. per completed step)."""
        if not self.kept:
            return {}
        counts, sql_ms, commit_ms, flush_ms = zip(*self.kept, strict=True)
        return {"sql_statements_p50": statistics.median(counts),
                "sql_driver_ms_p50": round(statistics.median(sql_ms), 2),
                "commit_with_final_flush_ms_p50": round(statistics.median(commit_ms), 2),
                "orm_flushes_ms_p50": round(statistics.median(flush_ms), 2)}  # fmt: skip
