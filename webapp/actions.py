"""The submit shape of a button that asks a service to act: commit and say so, or say why not."""
from __future__ import annotations

from collections.abc import Callable

from flask import flash

from .db import get_session
from .services.errors import ServiceError


def act(call: Callable[[], object], *, done: str, category: str = "success") -> bool:
    """Run ``call`` (a service act). On success commit and flash ``done``; when the service refuses,
    flash its Japanese reason and store nothing. Returns whether it was done."""
    try:
        call()
    except ServiceError as error:
        flash(error.message, "error")
        return False
    get_session().commit()
    flash(done, category)
    return True
