"""Parsing list filters from the query string without ever failing on bad input."""
from __future__ import annotations

from enum import Enum
from typing import TypeVar

from flask import request

from .inputs import int_arg  # noqa: F401  (the one strict parser; re-exported for the views)

E = TypeVar("E", bound=Enum)


def enum_arg(name: str, enum_cls: type[E]) -> E | None:
    try:
        return enum_cls(request.args.get(name, ""))
    except ValueError:
        return None
