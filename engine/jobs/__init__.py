"""Scheduler jobs: the sweeps that find what is due and write it to the outbox.

Overdue work items and stale case-file sections (``reminders``), daily and weekly digests (``digests``),
the lost-contact path (``lost_contact``), BPMN timer events (``timers``) and refresher training
(``training``). Each takes the session and ``now``, works in bounded batches and is safe to rerun: what
it writes carries the outbox's idempotency key. ``notifications.jobs`` wires them to APScheduler; this
package imports neither APScheduler nor Flask. It is the top layer of the engine but for the demo and the
operations commands: it may use every use-case package, and none of them imports it.
"""
