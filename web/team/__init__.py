"""Supervisor work: team queue, dashboard, reassignment, approvals inbox."""
