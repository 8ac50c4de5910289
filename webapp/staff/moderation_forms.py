from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..forms import KyodoForm, as_choices


class ModerationDecisionForm(KyodoForm):
    action = RadioField("判断", choices=as_choices([("hide", "非公開にする"), ("restore", "公開する（再公開・公開のまま）")]),
                        validators=[DataRequired("非公開にするか公開するかを選んでください。")])
    reason = TextAreaField("理由", description="非公開にするときは「市が非公開にしました（理由）」として表示され、投稿した人にも伝わります。",
                           validators=[DataRequired("理由を入力してください。"),
                                       Length(max=1000, message="1000文字以内で入力してください。")])
    version = HiddenField()


class NgWordForm(KyodoForm):
    word = StringField("追加する言葉", description="全角・半角、ひらがな・カタカナの違いは区別しません。",
                       validators=[DataRequired("言葉を入力してください。"),
                                   Length(max=50, message="50文字以内で入力してください。")])
