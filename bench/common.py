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
from pathlib import Path
from typing import Any

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
