"""The staff training register in the web UI: record a training, the register page per shelter.

Administrators (every organisation) and supervisors (their own shelter's staff) only. Imports the engine's
training use cases; nothing here writes to the database but through them.
"""
