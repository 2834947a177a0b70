"""Every write to accounts goes through here: one transaction, one validation path."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from kyoso.municipalities.models import Municipality, Prefecture

from .models import Membership, Role, User, normalize_email


@transaction.atomic
def save_account(
    *,
    email: str,
    name: str,
    role: str,
    prefecture: Prefecture | None = None,
    municipality: Municipality | None = None,
    department: str = "",
    password: str | None = None,
) -> User:
    """Create or update an account and, for municipal staff, its membership.

    ``password=None`` leaves a new account without a usable password: its owner sets one
    through 「パスワードを忘れた場合」. Raises ValidationError (nothing saved) when the
    role and its binding do not fit together.
    """
    if role == Role.MUNICIPAL_STAFF:
        if municipality is None:
            raise ValidationError("市町村職員には所属団体が必要です。")
        prefecture = None
    elif municipality is not None:
        raise ValidationError("所属団体を持てるのは市町村職員だけです。")
    user = User.objects.filter(email=normalize_email(email)).first() or User(email=email)
    user.name, user.role, user.prefecture = name, role, prefecture
    user.full_clean(exclude=["password"])
    if password is not None:
        user.set_password(password)
    elif user.pk is None:
        user.set_unusable_password()
    user.save()
    if municipality is not None:
        membership, _ = Membership.objects.get_or_create(
            user=user, municipality=municipality, defaults={"department": department}
        )
        if membership.department != department:
            membership.department = department
            membership.save(update_fields=["department"])
    return user
