"""A second step before actions that cannot be taken back (signing, submitting an evaluation,
closing, leaving), without JavaScript: the first POST shows a summary page whose 「確定する」
button posts the same fields again with `confirmed=1`. Every submitted field is carried through
as a hidden input, so forms that gain fields (e.g. a fingerprint of what was seen) keep working."""
from __future__ import annotations

from dataclasses import dataclass

from flask import render_template, request

CONFIRMED = "confirmed"
BACK = "back"
NOT_CARRIED = {"csrf_token", CONFIRMED, BACK}


@dataclass(frozen=True)
class Confirmation:
    title: str                      # the page's heading, e.g. 「協定書に署名します」
    summary: list[tuple[str, str]]  # (label, value) rows of what is about to happen
    warning: str                    # what cannot be undone
    confirm_label: str              # the button, e.g. 「署名を確定する」
    back_url: str | None = None     # where 「戻る」 leads (a GET page); None = post back with back=1


def confirmed() -> bool:
    """True when this POST comes from the confirmation page's 「確定する」 button."""
    return request.form.get(CONFIRMED) == "1"


def going_back() -> bool:
    """True when the resident chose 「戻って直す」 on the confirmation page."""
    return request.form.get(BACK) == "1"


def carried_fields() -> list[tuple[str, str]]:
    return [(name, value) for name, values in request.form.lists() if name not in NOT_CARRIED
            for value in values]


def render(confirmation: Confirmation):
    """The confirmation page for the current POST (same URL, same fields, plus confirmed=1)."""
    # The same URL, query string included (e.g. ?org= chooses whose evaluation it is).
    action = request.full_path.rstrip("?")
    return render_template("confirm.html", c=confirmation, action=action, fields=carried_fields())
