"""The core of Reintegra: settings, persistence, accounts, cases, workflow glue, security, reports.

Owns every business rule. Must not import ``web`` or ``notifications``, nor Flask or APScheduler:
services take the session, the actor and ``now`` as arguments and return plain values.
"""
