"""Every write to accounts goes through here: one transaction, one validation path."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

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
    password_hash: str | None = None,
) -> User:
    """Create or update an account and, for municipal staff, its membership.

    ``password=None`` gives a new account a long random password nobody knows: its
    owner sets their own through the invitation e-mail (``send_invitation``) or
    「パスワードを忘れた場合」. (An *unusable* password would not do: Django's reset form
    ignores such accounts.) Raises ValidationError, with nothing saved, when the role
    and its binding do not fit together.
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
    if password_hash is not None:
        user.password = password_hash  # already hashed, e.g. one demo password for all
    elif password is not None:
        user.set_password(password)
    elif user.pk is None:
        user.set_password(secrets.token_urlsafe(32))
    user.save()
    if role != Role.MUNICIPAL_STAFF:
        # A staff member who becomes an advisor keeps no access to their old municipality.
        user.memberships.all().delete()
    if municipality is not None:
        membership, _ = Membership.objects.get_or_create(
            user=user, municipality=municipality, defaults={"department": department}
        )
        if membership.department != department:
            membership.department = department
            membership.save(update_fields=["department"])
    return user


def send_invitation(user: User) -> None:
    """E-mail the user a link to set their own password (valid PASSWORD_RESET_TIMEOUT)."""
    if not settings.SITE_URL:
        raise ImproperlyConfigured("SITE_URL must be set to send invitations.")
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    context = {"user": user, "link": settings.SITE_URL.rstrip("/") + path}
    subject = render_to_string("accounts/invitation_subject.txt", context).strip()
    body = render_to_string("accounts/invitation_email.txt", context)
    send_mail(subject, body, None, [user.email])
