"""SpiffWorkflow glue: spec registry, runner, serializer, script sandbox, work items and timers.

The only package that imports SpiffWorkflow; it hands the rest of the code small frozen snapshots.
Must not import ``web`` or ``notifications``.
"""
