"""Users (e-mail login), their role, and memberships binding staff to municipalities."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kyoso.municipalities.models import Municipality, Prefecture


class Role(models.TextChoices):
    PREFECTURE_ADMIN = "prefecture_admin", _("県 DX 担当（管理者）")
    ADVISOR = "advisor", _("DX アドバイザー")
    MUNICIPAL_STAFF = "municipal_staff", _("市町村職員")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username: str) -> User:
        return self.get(email=normalize_email(username))

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        if not email:
            raise ValueError("e-mail is required")
        user = self.model(email=normalize_email(email), **fields)
        user.set_password(password)  # None gives an unusable password
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields["is_superuser"] = True
        fields.setdefault("role", Role.PREFECTURE_ADMIN)
        return self.create_user(email, password, **fields)


def normalize_email(value: str) -> str:
    """E-mail addresses are compared case-insensitively, so store them lower-cased."""
    return value.strip().lower()


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("メールアドレス"), unique=True)
    name = models.CharField(_("氏名"), max_length=60)
    role = models.CharField(_("役割"), max_length=20, choices=Role.choices)
    prefecture = models.ForeignKey(
        Prefecture,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("都道府県"),
        help_text=_(
            "県 DX 担当とアドバイザーが受け持つ都道府県。市町村職員は所属団体で決まります。"
        ),
    )
    is_active = models.BooleanField(_("有効"), default=True)
    date_joined = models.DateTimeField(_("登録日時"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        ordering = ["email"]
        verbose_name = _("ユーザー")
        verbose_name_plural = _("ユーザー")

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    @property
    def is_staff(self) -> bool:
        """Django's admin is for superusers only (operators), never for roles."""
        return self.is_superuser

    @property
    def is_prefecture_admin(self) -> bool:
        return self.role == Role.PREFECTURE_ADMIN

    @property
    def is_advisor(self) -> bool:
        return self.role == Role.ADVISOR

    @property
    def is_municipal_staff(self) -> bool:
        return self.role == Role.MUNICIPAL_STAFF

    def clean(self) -> None:
        super().clean()
        self.email = normalize_email(self.email)
        if self.role in (Role.PREFECTURE_ADMIN, Role.ADVISOR):
            if self.prefecture is None:
                raise ValidationError(
                    {"prefecture": _("県 DX 担当とアドバイザーには都道府県が必要です。")}
                )
            if not self.prefecture.enabled:
                raise ValidationError({"prefecture": _("この環境で利用していない都道府県です。")})

    def save(self, *args, **kwargs) -> None:
        self.email = normalize_email(self.email)
        if self.prefecture_id is not None and not self.prefecture.enabled:
            raise ValidationError({"prefecture": _("この環境で利用していない都道府県です。")})
        super().save(*args, **kwargs)


class Membership(models.Model):
    """Binds a municipal staff user to a municipality of an enabled prefecture."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("団体"),
    )
    department = models.CharField(_("所属"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    class Meta:
        ordering = ["municipality__code", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "municipality"], name="membership_unique"),
        ]
        verbose_name = _("所属")
        verbose_name_plural = _("所属")

    def __str__(self) -> str:
        return f"{self.user.email} @ {self.municipality}"

    def save(self, *args, **kwargs) -> None:
        # Checked on every save, not only in forms: no code path may bind a user to a
        # municipality of a prefecture this deployment does not serve.
        self.clean()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if not self.municipality.prefecture.enabled:
            raise ValidationError(
                {"municipality": _("この環境で利用していない都道府県の団体には所属できません。")}
            )
        if not self.municipality.is_active:
            raise ValidationError(
                {"municipality": _("合併などで現在のコード表にない団体には所属できません。")}
            )
        if self.user.role != Role.MUNICIPAL_STAFF:
            raise ValidationError({"user": _("所属を持てるのは市町村職員だけです。")})
