"""Cases: the case record, the case file (seed items 1-9), case codes and the case timeline.

Sensitive columns use the encrypted types of ``engine.db``. Must not import ``web`` or
``notifications``, nor Flask; SpiffWorkflow stays inside ``engine.workflow``.
"""
