"""The posting guard on the issue and comment forms: personal information and the NGワード list
(the rule lives in services.personal_info; this only puts its findings next to the form fields)."""
from __future__ import annotations

from ..db import get_session
from ..services import ng_words, personal_info


def words() -> tuple[str, ...]:
    """The NGワード list as the guard compares it (read per request: staff edit it at any time)."""
    return ng_words.current(get_session())


def check(form, field_names: tuple[str, ...]) -> dict | None:
    """Findings per field, or None when the form must be shown again: something was found and the
    writer has not ticked 「このまま投稿する」. Each finding is then an error next to its field."""
    found = personal_info.screen({name: getattr(form, name).data for name in field_names}, words())
    if found:
        form.personal_info_found = True
    if found and not form.post_anyway.data:
        for name, items in found.items():
            field = getattr(form, name)
            field.errors = list(field.errors) + [personal_info.field_message(items)]
        return None
    return found
