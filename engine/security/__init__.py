"""Security and confidentiality: who may see what, and proof of who did.

- ``crypto``/``rotation``: field encryption keys, blind indexes, key rotation.
- ``policy``: the scope of case records per role, and the field groups an actor may read or write in a
  case (``fields`` holds the matrix); the case-file services filter and refuse by them.
- ``consent``: consent records, the covering-consent check before every share (transfer to a DoSVY
  office, notice), the audited override that tells the supervisors.
- ``audit``: the append-only, hash-chained log and its verification.
- ``photos``, ``publication``: Article 49 (photos of adults with a signed release only; publication with
  consent and a supervisor's approval).

Must not import ``web`` or ``notifications``, nor Flask.
"""
