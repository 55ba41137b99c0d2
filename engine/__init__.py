"""The core of Reintegra: settings, persistence, accounts, cases, workflow glue, security, reports.

Owns every business rule. Must not import ``web`` or ``notifications``, nor Flask or APScheduler:
services take the session, the actor and ``now`` as arguments and return plain values.

Imports point one way (the import-linter contracts in ``pyproject.toml`` enforce it; a package may use
only what is below it):

- ``demo``, ``backup``, ``migrate``, ``migrations``: operations and demo data, on top;
- ``jobs``: the scheduler's sweeps (reminders, digests, lost contact, timers, training);
- ``reports``, then ``workflow`` (the only user of SpiffWorkflow), ``cases``, ``security``, ``accounts``:
  the use cases;
- ``notices``: the outbox every use case writes to; ``audit``: the keyed, hash-chained log;
- ``models``: every table; ``db`` and ``names``; ``crypto``: keys, encryption, blind indexes;
- ``config``, ``clock``, ``dates``, ``errors``, ``khmer``: leaves.
"""
