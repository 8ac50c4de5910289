from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from ..forms import KyodoForm
from ..services.accounts import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

EMAIL_REQUIRED = "メールアドレスを入力してください。"
EMAIL_INVALID = "メールアドレスの形式が正しくありません（例: taro@example.jp）。"


class RegisterForm(KyodoForm):
    email = EmailField(
        "メールアドレス",
        validators=[DataRequired(EMAIL_REQUIRED), Email(EMAIL_INVALID), Length(max=254)],
    )
    display_name = StringField(
        "表示名",
        description="ほかの利用者に見える名前です。本名でなくてもかまいません。",
        validators=[
            DataRequired("表示名を入力してください。"),
            Length(max=80, message="表示名は80文字以内で入力してください。"),
        ],
    )
    password = PasswordField(
        "パスワード",
        description=f"{MIN_PASSWORD_LENGTH}文字以上。",
        validators=[
            DataRequired("パスワードを入力してください。"),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=MAX_PASSWORD_LENGTH,
                message=f"パスワードは{MIN_PASSWORD_LENGTH}〜{MAX_PASSWORD_LENGTH}文字で入力してください。",
            ),
        ],
    )
    password_confirm = PasswordField(
        "パスワード（確認）",
        validators=[
            DataRequired("確認のため、もう一度パスワードを入力してください。"),
            EqualTo("password", "パスワードが一致しません。"),
        ],
    )
    agree = BooleanField(
        "利用規約とプライバシーポリシーに同意します",
        validators=[DataRequired("登録するには、利用規約とプライバシーポリシーへの同意が必要です。")],
    )

    def validate_display_name(self, field):
        field.data = (field.data or "").strip()
        if not field.data:
            raise ValidationError("表示名を入力してください。")

    def validate_password(self, field):
        if self.email.data and field.data and field.data.lower() == self.email.data.strip().lower():
            raise ValidationError("メールアドレスと同じパスワードは使えません。")


class LoginForm(KyodoForm):
    email = EmailField(
        "メールアドレス",
        validators=[DataRequired(EMAIL_REQUIRED), Email(EMAIL_INVALID), Length(max=254)],
    )
    password = PasswordField("パスワード", validators=[DataRequired("パスワードを入力してください。")])
    remember = BooleanField("ログインしたままにする")


class ForgotPasswordForm(KyodoForm):
    email = EmailField(
        "メールアドレス",
        validators=[DataRequired(EMAIL_REQUIRED), Email(EMAIL_INVALID), Length(max=254)],
    )


def new_password_field(label: str = "新しいパスワード") -> PasswordField:
    return PasswordField(
        label,
        description=f"{MIN_PASSWORD_LENGTH}文字以上。",
        validators=[
            DataRequired("パスワードを入力してください。"),
            Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH,
                   message=f"パスワードは{MIN_PASSWORD_LENGTH}〜{MAX_PASSWORD_LENGTH}文字で入力してください。"),
        ],
    )


class ResetPasswordForm(KyodoForm):
    password = new_password_field()
    password_confirm = PasswordField(
        "新しいパスワード（確認）",
        validators=[DataRequired("確認のため、もう一度パスワードを入力してください。"),
                    EqualTo("password", "パスワードが一致しません。")],
    )


class TwoFactorForm(KyodoForm):
    code = StringField(
        "確認コード",
        description="認証アプリに表示される6桁の数字。スマートフォンをなくしたときは回復コード（例: 1a2b-3c4d-5e6f）。",
        validators=[DataRequired("確認コードを入力してください。"), Length(max=20, message="確認コードが長すぎます。")],
    )
