"""Supervisor work: team queue, dashboard, reassignment, approvals inbox (blueprint ``team``, ``/team``).

Owns the supervisor's pages only; calls engine services (queues, dashboard, assignments, workflow
completion) and never SpiffWorkflow, ``notifications`` or another web area's modules.
"""
