from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..forms import KyodoForm, MultiCheckboxField, as_choices
from ..inputs import form_id
from ..models import STAFF_ISSUE_STATUSES
from ..services.personal_info import CONFIRM_LABEL


class PersonalInfoConfirm:
    """The explicit choice to publish text in which the personal-information guard found something."""

    post_anyway = BooleanField(CONFIRM_LABEL, description="電話番号・メールアドレス・番地などを本人の了解を得て"
                               "公開する場合だけチェックしてください。市の職員が内容を確認します。")
    personal_info_found = False  # set by issues.guard when the form is shown again with a warning


class IssueForm(PersonalInfoConfirm, KyodoForm):
    title = StringField("タイトル", description="例: 通学路の見通しが悪い交差点",
                        validators=[DataRequired("タイトルを入力してください。"),
                                    Length(max=120, message="タイトルは120文字以内で入力してください。")])
    body = TextAreaField("内容", description="どこで、何が、どう困っているか。個人が特定される情報は書かないでください。",
                         validators=[DataRequired("内容を入力してください。"),
                                     Length(max=4000, message="内容は4000文字以内で入力してください。")])
    area = SelectField("町名", coerce=form_id, validators=[DataRequired("町名を選んでください。")])
    themes = MultiCheckboxField("テーマ（任意）", coerce=form_id, validate_choice=False)
    show_reporter_name = BooleanField("表示名を公開する", description="チェックしないと「匿名の住民」と表示されます。")


class CommentForm(PersonalInfoConfirm, KyodoForm):
    body = TextAreaField("コメント", validators=[DataRequired("コメントを入力してください。"),
                                              Length(max=2000, message="2000文字以内で入力してください。")])


class StatusForm(KyodoForm):
    status = SelectField("新しい状態", choices=as_choices((s.value, s.label) for s in STAFF_ISSUE_STATUSES),
                         validators=[DataRequired("状態を選んでください。")])
    reason = TextAreaField("理由", description="状態の履歴として公開されます。",
                           validators=[DataRequired("理由を入力してください。"),
                                       Length(max=1000, message="1000文字以内で入力してください。")])


class LinkConsortiumForm(KyodoForm):
    consortium_id = SelectField("取り組む協議体", coerce=form_id, validate_choice=False,
                                validators=[DataRequired("協議体を選んでください。")])


class IssueEditForm(IssueForm):
    """The poster's correction: title, body, town and themes (the name choice stays as posted)."""

    show_reporter_name = None


class WithdrawForm(KyodoForm):
    reason = TextAreaField("取り下げの理由", description="「投稿者が取り下げました（理由）」として公開されます。",
                           validators=[DataRequired("取り下げの理由を入力してください。"),
                                       Length(max=1000, message="1000文字以内で入力してください。")])
