"""One strict parser for ids and counts that arrive from outside: path segments, query arguments
and form fields. Only ASCII digits within the database's integer range count as a number, because
``str.isdigit`` and ``int()`` accept superscripts, full-width and other scripts' digits, and a
number past 2**31 - 1 overflows PostgreSQL's INTEGER (a 500 instead of a 404)."""
from __future__ import annotations

import re

from flask import request
from werkzeug.routing import BaseConverter, ValidationError

MAX_ID = 2**31 - 1  # PostgreSQL INTEGER, the type of every id column
_ASCII_DIGITS = re.compile(r"[0-9]{1,10}")
# C0 and C1 controls and DEL; tab, newline and carriage return are ordinary text in a textarea.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
CONTROL_CHARACTER_MESSAGE = "使えない制御文字が含まれています。取り除いてから送信してください。"


def parse_id(value: object, *, minimum: int = 1) -> int | None:
    """The number ``value`` spells in ASCII digits if it lies in [minimum, MAX_ID], else None."""
    if not isinstance(value, str) or not _ASCII_DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if minimum <= number <= MAX_ID else None


class IdConverter(BaseConverter):
    """Path ids: ASCII digits in range, anything else is a plain 404 (registered as ``int``)."""

    regex = r"[0-9]{1,10}"
    part_isolating = True

    def to_python(self, value: str) -> int:
        number = parse_id(value, minimum=0)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value) -> str:
        return str(int(value))


def int_arg(name: str) -> int | None:
    """A query argument read as a positive id or count; a malformed one is ignored (None)."""
    return parse_id(request.args.get(name, ""))


def form_id(value) -> int:
    """WTForms ``coerce`` for id choices: raises ValueError (shown next to the field) if malformed."""
    if isinstance(value, int) and not isinstance(value, bool):
        if 0 <= value <= MAX_ID:
            return value
        raise ValueError("out of range")
    number = parse_id(value, minimum=0)
    if number is None:
        raise ValueError("not an id")
    return number


def id_list(value: str | None, *, limit: int = 20) -> list[int]:
    """Comma-separated ids from a query argument; malformed entries are dropped."""
    ids = (parse_id(v.strip()) for v in (value or "").split(","))
    return [i for i in ids if i is not None][:limit]


def has_control_characters(text: str) -> bool:
    return bool(CONTROL_CHARACTERS.search(text))
