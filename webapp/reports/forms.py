from wtforms import RadioField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..forms import KyodoForm, as_choices
from ..models import ReportReason


class ReportForm(KyodoForm):
    reason = RadioField("通報の理由", choices=as_choices(ReportReason.choices()),
                        validators=[DataRequired("通報の理由を選んでください。")])
    text = TextAreaField("くわしい内容", description="「その他」を選んだときは必須です。投稿した人には、誰が通報したかは伝わりません。",
                         validators=[Length(max=1000, message="1000文字以内で入力してください。")])
