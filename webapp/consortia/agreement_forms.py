from wtforms import DateField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from ..forms import KyodoForm, as_choices
from ..models import CollaborationForm


class AgreementForm(KyodoForm):
    purpose = TextAreaField("目的（目的共有）", validators=[DataRequired("目的を入力してください。"),
                                                   Length(max=4000, message="4000文字以内で入力してください。")])
    period_start = DateField("期間の始まり", validators=[DataRequired("始まりの日を入力してください。")])
    period_end = DateField("期間の終わり", description="時限性: 終わりの日を過ぎると振り返りに入ります。",
                           validators=[DataRequired("終わりの日を入力してください。")])
    cost_sharing = TextAreaField("費用の分担", validators=[Length(max=4000, message="4000文字以内で入力してください。")])
    disclosure = TextAreaField("公開すること（情報公開）", description="何を、どこで、いつ公開するか。",
                               validators=[Length(max=4000, message="4000文字以内で入力してください。")])

    def validate_period_end(self, field):
        if self.period_start.data and field.data and field.data < self.period_start.data:
            raise ValidationError("終わりの日は始まりの日より後にしてください。")


def agreement_form_class(members):
    """The agreement form with a role, responsibilities and 協働の形態 for each member organization."""
    fields = {}
    for org in members:
        fields[f"role_{org.id}"] = TextAreaField(
            f"「{org.name}」の役割", validators=[DataRequired("役割を入力してください。"),
                                            Length(max=2000, message="2000文字以内で入力してください。")])
        fields[f"responsibilities_{org.id}"] = TextAreaField(
            f"「{org.name}」の責任", validators=[Length(max=4000, message="4000文字以内で入力してください。")])
        fields[f"form_{org.id}"] = SelectField(
            f"「{org.name}」の協働の形態",
            choices=as_choices([("", "選んでください")] + CollaborationForm.choices()),
            validators=[DataRequired("協働の形態を選んでください。")])
    return type("AgreementFormWithRoles", (AgreementForm,), fields)
