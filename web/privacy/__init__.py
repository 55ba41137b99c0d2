"""A case's photo and its publication requests (Article 49): blueprint ``privacy``, under ``/cases/<code>/``.

Serves the photo only through its own authenticated, never-cached route; there is no public page and
no public export. Calls ``engine.security.photos`` and ``engine.security.publication`` only (never
another web area's modules); the engine decides every rule, the views parse, call, flash and render.
"""
