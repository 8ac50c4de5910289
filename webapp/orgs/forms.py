from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from ..forms import KyodoForm, MultiCheckboxField, as_choices
from ..inputs import form_id
from ..models import TERRITORIAL_CATEGORIES, OrgCategory, OrgKind


class OrganizationForm(KyodoForm):
    kind = RadioField(
        "団体の種類",
        choices=as_choices([(OrgKind.TERRITORIAL.value, "地縁型（自治会・町内会・管理組合・老人クラブ・子ども会など）"),
                            (OrgKind.THEMATIC.value, "目的型（NPO・ボランティア団体・サークル・企業など）")]),
        validators=[DataRequired("団体の種類を選んでください。")],
    )
    category = SelectField("区分", choices=as_choices(OrgCategory.choices()),
                           validators=[DataRequired("区分を選んでください。")])
    name = StringField("団体名", validators=[DataRequired("団体名を入力してください。"),
                                           Length(max=120, message="団体名は120文字以内で入力してください。")])
    description = TextAreaField("団体の紹介", description="どんな活動をしているか、会員の様子など。",
                                validators=[Length(max=4000, message="4000文字以内で入力してください。")])
    offers = TextAreaField("提供できること", description="場所、人手、知識、道具など、ほかの団体や地域に提供できること。",
                           validators=[Length(max=2000, message="2000文字以内で入力してください。")])
    needs = TextAreaField("求めていること", description="一緒に取り組んでほしいこと、足りない人手や知識。",
                          validators=[Length(max=2000, message="2000文字以内で入力してください。")])
    citywide = BooleanField("市内全域で活動している")
    areas = MultiCheckboxField("活動している町", coerce=form_id, validate_choice=False)
    themes = MultiCheckboxField("活動のテーマ", coerce=form_id, validate_choice=False)
    member_count = IntegerField("会員数", validators=[Optional(), NumberRange(min=0, max=10_000_000, message="0以上の数を入力してください。")])
    activity_days = StringField("活動日", description="例: 毎月第2土曜日の午前",
                                validators=[Length(max=200, message="200文字以内で入力してください。")])
    capacity = IntegerField("同時に参加できる協議体の数", default=2,
                            description="無理なく続けられる数にしてください（0〜50）。",
                            validators=[InputRequired("数を入力してください。"),
                                        NumberRange(min=0, max=50, message="0〜50の数を入力してください。")])
    public_contact = StringField("公開する連絡先", description="誰でも見られます。",
                                 validators=[Length(max=300, message="300文字以内で入力してください。")])
    private_contact = StringField("非公開の連絡先", description="団体のメンバーと市職員だけが見られます。",
                                  validators=[Length(max=300, message="300文字以内で入力してください。")])
    website = StringField("ウェブサイト", description="https:// から始まるURL",
                          validators=[Length(max=300, message="300文字以内で入力してください。")])

    # Shown (and needed) only when an association with the same or a variant name exists.
    twin_confirmed = BooleanField("同じ名前・似た名前の団体があることを確認しました。別の団体として登録します。")

    def validate_category(self, field):
        if self.kind.data == OrgKind.THEMATIC.value and OrgCategory(field.data) in TERRITORIAL_CATEGORIES:
            raise ValidationError("この区分は地縁型の団体です。団体の種類を「地縁型」にしてください。")

    def validate_areas(self, field):
        if not self.citywide.data and not field.data:
            raise ValidationError("活動している町を1つ以上選ぶか、「市内全域」にチェックしてください。")

    def validate_website(self, field):
        value = (field.data or "").strip()
        if value and not value.lower().startswith(("http://", "https://")):
            raise ValidationError("http:// または https:// で始まるURLを入力してください。")


class InviteEditorForm(KyodoForm):
    email = EmailField("招待する方のメールアドレス",
                       validators=[DataRequired("メールアドレスを入力してください。"),
                                   Email("メールアドレスの形式が正しくありません。")])


class TransferOwnershipForm(KyodoForm):
    user = SelectField("新しい代表（オーナー）", coerce=form_id,
                       validators=[DataRequired("引き継ぐ相手を選んでください。")])
    confirm = BooleanField("代表を引き継ぐと、私は編集者になります。",
                           validators=[DataRequired("確認のためチェックしてください。")])
