"""The yardstick: a bare Flask + SQLite + Jinja page over 1,000,000 indexed rows.

It does what a queue page does at its simplest (25 rows of one owner by due date from an indexed table,
rendered by a Jinja template), without sign-in, sessions, CSRF, translations or encryption. Served by
gunicorn with the same workers as the product in the same run: ``gunicorn bench.bare:app``.
"""

from __future__ import annotations

import os
import random
import sqlite3
from pathlib import Path

from flask import Flask, g, render_template_string, request

ROWS = 1_000_000
OWNERS = 500
PATH = Path(os.environ.get("BENCH_BARE_DB", str(Path(__file__).resolve().parent / ".data" / "bare.sqlite")))
PAGE = """<!doctype html><html><head><title>Queue</title></head><body><h1>Items of {{ owner }}</h1>
<p>{{ total }} items</p><table>{% for r in rows %}<tr><td>{{ r[0] }}</td><td>{{ r[1] }}</td><td>{{ r[2] }}</td>
<td>{{ r[3] }}</td></tr>{% endfor %}</table></body></html>"""


def build(path: Path = PATH) -> None:
    """Create the table of a million rows with its index (once)."""
    if path.is_file():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(1)  # noqa: S311 - synthetic rows, not secrets
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, owner INTEGER, due TEXT, title TEXT, status TEXT)")
    conn.executemany("INSERT INTO items (owner, due, title, status) VALUES (?, ?, ?, ?)", (
        (rng.randrange(OWNERS), f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", f"Step {n % 40}", "open")
        for n in range(ROWS)))  # fmt: skip
    conn.execute("CREATE INDEX ix_items_owner_due ON items (owner, status, due)")
    conn.commit()
    conn.close()


app = Flask(__name__)


@app.route("/")
def page() -> str:
    """25 open rows of one owner by due date, and their count."""
    owner = request.args.get("owner", 1, type=int)
    if "db" not in g:
        g.db = sqlite3.connect(PATH)
    rows = g.db.execute("SELECT id, owner, due, title FROM items WHERE owner = ? AND status = 'open' "
                        "ORDER BY due LIMIT 25", (owner,)).fetchall()  # fmt: skip
    total = g.db.execute("SELECT count(*) FROM items WHERE owner = ? AND status = 'open'", (owner,)).fetchone()[0]
    return render_template_string(PAGE, owner=owner, rows=rows, total=total)


@app.teardown_appcontext
def _close(_exc: object) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()


if __name__ == "__main__":
    build()
