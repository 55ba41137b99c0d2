"""Security and confidentiality: who may see what, and proof of who did.

- ``rotation``: re-encrypting every sensitive column under the newest key (the keys, encryption and
  blind indexes themselves are ``engine.crypto``, a leaf).
- ``policy``: the scope of case records per role, and the field groups an actor may read or write in a
  case (``fields`` holds the matrix); the case-file services filter and refuse by them.
- ``consent``: consent records, the covering-consent check before every share (transfer to a DoSVY
  office, notice), the audited override that tells the supervisors.
- The append-only, keyed hash-chained audit log is ``engine.audit``, below every use case.
- ``photos``, ``publication``: Article 49 (photos of adults with a signed release only; publication with
  consent and a supervisor's approval).

Must not import ``web`` or ``notifications``, nor Flask.
"""
