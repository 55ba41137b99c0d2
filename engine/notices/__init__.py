"""Notification rules and the outbox: who is told what, when, exactly once; preferences; scheduler status.

Services here decide that a message is due (an overdue work item, a stale case-file section, a digest, a
case moved onto the lost-contact path) and write it to the outbox in the same transaction as its cause,
under a unique idempotency key ``(kind, subject, period)``. Delivery goes through a caller-supplied
``send`` function, so this package imports neither ``notifications`` nor APScheduler (nor Flask).
Payloads hold case codes, step titles and due dates only: never a name, place, health detail or narrative.
"""
