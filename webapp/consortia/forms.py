from wtforms import BooleanField, DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..forms import KyodoForm, MultiCheckboxField, as_choices
from ..inputs import form_id
from ..models import CollaborationDomain


class ConsortiumForm(KyodoForm):
    name = StringField("協議体の名前", validators=[DataRequired("名前を入力してください。"),
                                            Length(max=120, message="120文字以内で入力してください。")])
    purpose = TextAreaField("共有する目的", description="目的共有の原則: 参加する団体みんなで目指すことを書いてください。",
                            validators=[DataRequired("目的を入力してください。"),
                                        Length(max=4000, message="4000文字以内で入力してください。")])
    domain = RadioField("協働の領域", choices=as_choices(CollaborationDomain.choices()),
                        validators=[DataRequired("協働の領域を選んでください。")])
    start_date = DateField("開始日", validators=[DataRequired("開始日を入力してください。")])
    end_date = DateField("終了日", description="時限性の原則: 期間を決めて取り組み、終わったら振り返ります。",
                         validators=[DataRequired("終了日を入力してください（期間を決めることが必要です）。")])
    areas = MultiCheckboxField("対象の町", coerce=form_id, validate_choice=False)
    themes = MultiCheckboxField("テーマ", coerce=form_id, validate_choice=False)
    issues = MultiCheckboxField("取り組む地域課題", coerce=form_id, validate_choice=False)
    founding_org = SelectField("提案する団体", coerce=form_id, validators=[Optional()])
    invite = MultiCheckboxField("招待する団体", coerce=form_id, validate_choice=False)
    invite_more = SelectField("ほかの団体も招待する", coerce=form_id, validators=[Optional()])

    def validate_end_date(self, field):
        if self.start_date.data and field.data and field.data < self.start_date.data:
            raise ValidationError("終了日は開始日より後にしてください。")

    def validate_areas(self, field):
        if not field.data:
            raise ValidationError("対象の町を1つ以上選んでください。")


class InviteForm(KyodoForm):
    organization = SelectField("招待する団体", coerce=form_id, validators=[DataRequired("団体を選んでください。")])


class RespondForm(KyodoForm):
    decision = RadioField("回答", choices=as_choices([("accept", "参加する"), ("decline", "辞退する")]),
                          validators=[DataRequired("参加するか辞退するかを選んでください。")])
    message = TextAreaField("メッセージ（任意）", validators=[Length(max=1000, message="1000文字以内で入力してください。")])


class LeaveForm(KyodoForm):
    message = TextAreaField("脱退の理由（任意）", validators=[Length(max=1000, message="1000文字以内で入力してください。")])
    confirm = BooleanField("この協議体から脱退します", validators=[DataRequired("確認のためチェックしてください。")])


class LinkIssueForm(KyodoForm):
    issue_id = SelectField("つなぐ地域課題", coerce=form_id, validate_choice=False,
                           description="この協議体の町の、受付中・対応中の地域課題から選べます。ほかの町の課題は、その課題のページからつなげます。",
                           validators=[DataRequired("地域課題を選んでください。")])
