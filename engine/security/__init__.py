"""Security: field encryption keys and blind indexes, password hashing; later access policy and audit.

Must not import ``web`` or ``notifications``, nor Flask.
"""
