"""Accounts: provinces, organisations (shelters, DoSVY offices), teams, users, roles, passwords, sign-in.

Must not import ``web`` or ``notifications``, nor Flask.
"""
