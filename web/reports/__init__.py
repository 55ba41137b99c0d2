"""The reports area: de-identified tables and charts for a scope and period, and their CSV/XLSX files.

Reporting staff and supervisors only (guarded in ``before_request``); the engine checks the scope again.
"""
