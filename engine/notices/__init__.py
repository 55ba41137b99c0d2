"""Notification rules and the outbox: who is told what, when, exactly once; preferences; scheduler status.

The use cases (and the scheduler jobs in ``engine.jobs``) decide that a message is due and write it to
the outbox here in the same transaction as its cause, under a unique idempotency key
``(kind, subject, period)``. This package sits low in the engine: it uses only the models and the
database, so every use case may tell people without an import cycle. Delivery goes through a caller-supplied
``send`` function, so this package imports neither ``notifications`` nor APScheduler (nor Flask).
Payloads hold case codes, step titles and due dates only: never a name, place, health detail or narrative.
"""
