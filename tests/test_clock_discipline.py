"""One clock: nothing but ``engine.clock.system_clock`` reads the machine's wall clock.

Services take ``now``; the web app, the scheduler and the CLI get it from their clock; tests use a fixed
one. A direct read anywhere else (product, tests or benchmarks) would make the product disagree with
itself and the tests depend on the day they run, so this test fails on it.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TREES = ("engine", "web", "notifications", "workflows", "tests", "bench", "tools")
ALLOWED = {Path("engine/clock.py")}
# datetime.now(...), datetime.utcnow(), date.today(), datetime.today(), time.time(), and their aliases.
WALL_CLOCK = re.compile(r"\b(?:datetime|dt\.datetime|date|dt\.date)\.(?:now|utcnow|today)\(|\btime\.time\(\)")


def wall_clock_reads(source: str) -> list[int]:
    """The line numbers of ``source`` that read the wall clock."""
    return [number for number, line in enumerate(source.splitlines(), 1) if WALL_CLOCK.search(line)]


def test_the_pattern_finds_every_spelling_of_a_wall_clock_read() -> None:
    spellings = ["dt.datetime.now(dt.UTC)", "datetime.now()", "datetime.utcnow()", "dt.date.today()",
                 "date.today()", "datetime.today()", "time.time()"]  # fmt: skip
    assert wall_clock_reads("\n".join(spellings)) == list(range(1, len(spellings) + 1))
    assert wall_clock_reads("clock()\nnow = system_clock()\nlocal_today(now)\ntime.monotonic()") == []


def test_only_the_clock_module_reads_the_wall_clock() -> None:
    found = []
    for tree in TREES:
        for path in sorted((ROOT / tree).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if relative in ALLOWED or relative == Path(__file__).relative_to(ROOT):
                continue
            found += [f"{relative}:{line}" for line in wall_clock_reads(path.read_text(encoding="utf-8"))]
    assert found == [], "read the time from a clock (engine.clock), not the wall clock:\n" + "\n".join(found)
