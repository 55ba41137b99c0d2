"""WSGI entry for the benchmarks: the product on a generated dataset, its clock standing at the dataset's
instant. ``BENCH_DATASET`` names the dataset, ``BENCH_DATABASE_URL`` its PostgreSQL URL (if any). Like
``web.wsgi``, the start-up objects are frozen out of the garbage collector's walks."""

from __future__ import annotations

import gc
import os

from bench.common import NOW, bench_settings
from engine.clock import FixedClock
from web import create_app

app = create_app(
    bench_settings(os.environ["BENCH_DATASET"], os.environ.get("BENCH_DATABASE_URL") or None), clock=FixedClock(NOW)
)
gc.freeze()
