"""Parsing list filters from the query string without ever failing on bad input."""
from __future__ import annotations

from enum import Enum
from typing import TypeVar

from flask import request

E = TypeVar("E", bound=Enum)


def int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 10 else None


def enum_arg(name: str, enum_cls: type[E]) -> E | None:
    try:
        return enum_cls(request.args.get(name, ""))
    except ValueError:
        return None
