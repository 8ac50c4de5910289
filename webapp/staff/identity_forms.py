from wtforms import BooleanField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..forms import KyodoForm, as_choices


class ClaimDecisionForm(KyodoForm):
    decision = RadioField("決定", choices=as_choices([("approve", "承認する（申請者を代表にする）"), ("decline", "見送る")]),
                          validators=[DataRequired("承認か見送りかを選んでください。")])
    reason = TextAreaField("理由", description="見送るときは必須です。申請者に伝わります。",
                           validators=[Length(max=1000, message="1000文字以内で入力してください。")])


class VerifyForm(KyodoForm):
    verified = BooleanField("確認済みにする")


class AppointOwnerForm(KyodoForm):
    user = SelectField("代表にするメンバー", coerce=int, validate_choice=False,
                       validators=[DataRequired("メンバーを選んでください。")])
