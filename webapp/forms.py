"""Form fields shared by several blueprints."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectMultipleField, widgets

from .inputs import CONTROL_CHARACTER_MESSAGE, has_control_characters


def as_choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as the SelectChoice objects WTForms expects."""
    return [p if isinstance(p, SelectChoice) else SelectChoice(p[0], p[1]) for p in pairs]


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (easier than a multi-select on a phone)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def pydantic_errors_to_form(form, error) -> None:
    """Put each pydantic validation message next to the form field it concerns."""
    aliases = {"area_ids": "areas", "theme_ids": "themes", "issue_ids": "issues"}
    for item in error.errors():
        name = aliases.get(str(item["loc"][0]), str(item["loc"][0])) if item["loc"] else ""
        field = getattr(form, name, None)
        message = str(item.get("ctx", {}).get("error", item["msg"]))
        if field is not None:
            field.errors = list(field.errors) + [message]
        else:
            form.form_errors.append(message)


class JapaneseTranslations:
    """WTForms' built-in messages in Japanese (fields and validators without an explicit message)."""

    MESSAGES = {
        "Not a valid integer value.": "半角の数字で入力してください。",
        "Not a valid decimal value.": "数で入力してください。",
        "Not a valid float value.": "数で入力してください。",
        "Not a valid date value.": "日付を正しく入力してください（例: 2026-04-01）。",
        "Not a valid datetime value.": "日時を正しく入力してください。",
        "Not a valid time value.": "時刻を正しく入力してください。",
        "Not a valid choice.": "一覧から選んでください。",
        "Invalid Choice: could not coerce.": "一覧から選んでください。",
        "Choices cannot be None.": "一覧から選んでください。",
        "This field is required.": "入力してください。",
        "Invalid email address.": "メールアドレスの形式が正しくありません。",
        "Invalid input.": "入力内容を確認してください。",
        "Invalid URL.": "URLの形式が正しくありません。",
        "The CSRF token is missing.": "フォームの有効期限が切れました。もう一度送信してください。",
        "The CSRF token is invalid.": "フォームの有効期限が切れました。もう一度送信してください。",
        "The CSRF token has expired.": "フォームの有効期限が切れました。もう一度送信してください。",
        "The CSRF tokens do not match.": "フォームの有効期限が切れました。もう一度送信してください。",
    }
    PLURAL = {
        "'%(value)s' is not a valid choice for this field.": "「%(value)s」は選べません。一覧から選んでください。",
    }

    def gettext(self, string: str) -> str:
        return self.MESSAGES.get(string, string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.PLURAL.get(singular, singular if n == 1 else plural)


class KyodoForm(FlaskForm):
    """Every form of the site: Japanese messages, and no control characters in any text field
    (PostgreSQL refuses NUL outright, and the others only hide or garble text)."""

    class Meta:
        def get_translations(self, form):
            return JapaneseTranslations()

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            if isinstance(field.data, str) and has_control_characters(field.data):
                field.errors = [*field.errors, CONTROL_CHARACTER_MESSAGE]
                valid = False
        return valid
