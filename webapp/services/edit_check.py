"""The version check on edit forms: a form carries the fingerprint of what its writer saw, and a
save is refused (nothing stored) when what is stored now has another one, so that two tabs or two
people editing at once never silently overwrite each other. Used for 協定書 drafts and issues."""
from __future__ import annotations

import hashlib
import hmac


def fingerprint(*parts: object) -> str:
    """A short digest of what an editor is shown."""
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:32]


def unchanged(current: str, seen: str | None) -> bool:
    """True when the form's ``seen`` matches what is stored now. None: a caller that shows nothing
    (scripts, tests) and so has nothing to compare."""
    # As bytes: compare_digest refuses str with characters outside ASCII (a hostile form value).
    return seen is None or hmac.compare_digest(current.encode(), seen.encode())
