"""WSGI entry point for gunicorn: ``gunicorn 'web.wsgi:app'`` (settings from the environment).

Everything loaded at start-up (the parsed diagrams and forms, the catalogues, the routes) lives as long as
the worker; ``gc.freeze()`` moves it out of the garbage collector's sight, so the collections that
requests trigger no longer walk those ~150,000 objects each time (measured: the collector's share of a
queue page halves, from ~8 % to ~4 %). Only here, where one app is built per process: the tests build
many apps and must be able to collect them.
"""

import gc

from web import create_app

app = create_app()
gc.freeze()
