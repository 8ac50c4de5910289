from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from ..auth.forms import EMAIL_INVALID, EMAIL_REQUIRED, new_password_field
from ..forms import KyodoForm


class NameForm(KyodoForm):
    display_name = StringField("表示名", validators=[
        DataRequired("表示名を入力してください。"), Length(max=80, message="表示名は80文字以内で入力してください。")])

    def validate_display_name(self, field):
        field.data = (field.data or "").strip()
        if not field.data:
            raise ValidationError("表示名を入力してください。")


class EmailForm(KyodoForm):
    email = EmailField("新しいメールアドレス", description="確認のメールを新しいアドレスに送ります。リンクを開くまでは今のアドレスのままです。",
                       validators=[DataRequired(EMAIL_REQUIRED), Email(EMAIL_INVALID), Length(max=254)])


class PasswordChangeForm(KyodoForm):
    current_password = PasswordField("現在のパスワード", validators=[DataRequired("現在のパスワードを入力してください。")])
    password = new_password_field()
    password_confirm = PasswordField("新しいパスワード（確認）", validators=[
        DataRequired("確認のため、もう一度パスワードを入力してください。"), EqualTo("password", "パスワードが一致しません。")])


class DeleteForm(KyodoForm):
    password = PasswordField("パスワード", description="本人の確認のため入力してください。",
                             validators=[DataRequired("パスワードを入力してください。")])
    leave_unowned = BooleanField("代表者のいなくなる団体があることを確認しました（市職員に通知されます）")
    confirm = BooleanField("退会すると元に戻せないことを確認しました",
                           validators=[DataRequired("確認のチェックを入れてください。")])


class ConsentForm(KyodoForm):
    agree = BooleanField("改定された利用規約とプライバシーポリシーに同意します",
                         validators=[DataRequired("続けて利用するには同意が必要です。")])
