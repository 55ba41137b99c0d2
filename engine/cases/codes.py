"""Case codes: short, random, non-identifying, easy to read aloud and to type.

A code says nothing about the survivor, the shelter, the place or the date: it is drawn at random from
an alphabet without look-alike characters (no 0/O, 1/I/L, U).
"""

from __future__ import annotations

import random
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 6


def new_case_code(prefix: str, rng: random.Random | None = None) -> str:
    """Draw a code like ``RG-7KQ3MX``; pass a seeded ``rng`` for deterministic demo data."""
    choice = rng.choice if rng is not None else secrets.choice
    return f"{prefix}-" + "".join(choice(ALPHABET) for _ in range(LENGTH))
