"""Notifications: the scheduler process and its jobs, the outbox, delivery channels and message templates.

Depends on ``engine``; must not import ``web`` or Flask. Messages carry case codes, step names and due
dates only: never a name, a place, a health detail or a narrative.
"""
