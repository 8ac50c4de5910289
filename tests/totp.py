"""Staff TOTP codes for tests. The server accepts each 30-second step once per account, so a test
that logs the same staff member in again takes the next step; past the window it waits."""
from __future__ import annotations

import threading
import time

import pyotp

_used: dict[tuple[str, str], int] = {}
_lock = threading.Lock()


def enrol_code(secret: str) -> str:
    """The code a test enrols with: the previous step, which leaves the current and the next for logins."""
    totp = pyotp.TOTP(secret)
    left = totp.interval - time.time() % totp.interval
    if left < 2:  # the previous step leaves the window when this one ends
        time.sleep(left + 0.01)
    return totp.generate_otp(int(time.time()) // totp.interval - 1)


def login_code(secret: str, *, where: str, email: str, wait: bool = True) -> str | None:
    """A code for a step no earlier login of ``email`` at ``where`` (a database or server) used.
    None when ``wait`` is False and the window has no unused step left."""
    totp = pyotp.TOTP(secret)
    key = (where, email.lower())
    while True:
        with _lock:
            now = int(time.time()) // totp.interval
            step = max(now, _used.get(key, now - 1) + 1)
            if step <= now + 1:
                _used[key] = step
                return totp.generate_otp(step)
        if not wait:
            return None
        time.sleep(max(0.05, (now + 1) * totp.interval - time.time()))
