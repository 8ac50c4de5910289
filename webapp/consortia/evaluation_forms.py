from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Length

from ..forms import KyodoForm, as_choices
from ..models import Principle

SCORES = as_choices([(str(n), str(n)) for n in range(1, 6)])
SCALE_HINT = "1（まったくできなかった）〜 5（十分にできた）"


def _score(label: str) -> RadioField:
    return RadioField(label, choices=SCORES, description=SCALE_HINT,
                      validators=[InputRequired("1〜5から選んでください。")])


def _comment(label: str) -> TextAreaField:
    return TextAreaField(label, validators=[Length(max=2000, message="2000文字以内で入力してください。")])


class EvaluationForm(KyodoForm):
    goal_score = _score("目標の達成")
    goal_comment = _comment("目標の達成について")
    cost_score = _score("費用に見合った成果")
    cost_comment = _comment("費用対効果について")
    lessons = TextAreaField("学んだこと・次に生かすこと", validators=[Length(max=4000, message="4000文字以内で入力してください。")])

    def summary(self) -> list[tuple[str, str]]:
        """(label, answer) rows for the confirmation page, in the form's order; empty comments left out."""
        rows = []
        for field in self:
            if field.name == "csrf_token" or not field.data:
                continue
            rows.append((field.label.text, f"{field.data} / 5" if isinstance(field, RadioField) else field.data))
        return rows


for _p in Principle:
    setattr(EvaluationForm, f"p_{_p.value}", _score(f"{_p.label}の原則"))
    setattr(EvaluationForm, f"c_{_p.value}", _comment(f"{_p.label}についてのコメント"))
