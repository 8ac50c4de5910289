from wtforms import RadioField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..forms import KyodoForm, as_choices


class ClaimForm(KyodoForm):
    message = TextAreaField(
        "代表であることの説明", description="役職や任期など、市が確かめられることを書いてください（例: 令和8年度の会長です。総会資料があります）。",
        validators=[DataRequired("説明を入力してください。"), Length(max=1000, message="1000文字以内で入力してください。")])


class ClaimAnswerForm(KyodoForm):
    decision = RadioField("この申請に", choices=as_choices([("agree", "同意する"), ("object", "同意しない")]),
                          validators=[DataRequired("同意するかどうかを選んでください。")])
    answer = TextAreaField("市へのひとこと（任意）",
                           validators=[Length(max=1000, message="1000文字以内で入力してください。")])
