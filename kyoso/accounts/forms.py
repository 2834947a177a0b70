from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .models import normalize_email


class LoginForm(AuthenticationForm):
    """E-mail and password. The e-mail is compared case-insensitively."""

    username = forms.EmailField(
        label=_("メールアドレス"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    error_messages = {
        "invalid_login": _(
            "メールアドレスまたはパスワードが正しくありません。"
            "続けて間違えると、しばらくログインできなくなります。"
        ),
        "inactive": _("このアカウントは利用停止中です。"),
    }

    def clean_username(self) -> str:
        return normalize_email(self.cleaned_data["username"])
