"""Short unguessable codes people type or read aloud: class, staff and family invite codes.

Drawn with ``secrets`` from 31 characters without the look-alikes 0/O, 1/I/L (31^8 ≈ 8.5e11, 31^10 ≈ 8.2e14).
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CLASS_CODE_LENGTH = 8
STAFF_CODE_LENGTH = 10
FAMILY_CODE_LENGTH = 10
_SEPARATORS = re.compile(r"[\s\-_]+")


def new_code(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def normalise_code(value: str) -> str:
    """What a person typed → the stored form: upper case, without spaces or dashes."""
    return _SEPARATORS.sub("", value or "").upper()
