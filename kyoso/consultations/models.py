"""よろず相談: advisors' assignments, consultations with minutes and follow-ups, yearly plans.

Seed: 定例 (one municipality with its advisor, about every two months), テーマ別 (6 themes
× 3 a year, 2 hours, online), 地域別 (the municipalities of one 振興局, twice a year) and
随時 (ad-hoc, e.g. from chat). Ten advisors, one assigned to every municipality.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kyoso.lib.fiscal import fiscal_year_of
from kyoso.municipalities.models import Municipality, Prefecture, Region


class Theme(models.Model):
    """A theme the prefecture works on with its municipalities (e.g. 窓口BPR・庁内BPR)."""

    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(_("テーマ"), max_length=100)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["prefecture_id", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["prefecture", "name"], name="theme_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Assignment(models.Model):
    """The advisor dedicated to a municipality in one fiscal year."""

    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="assignments"
    )
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments"
    )

    class Meta:
        ordering = ["fiscal_year", "municipality__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "municipality"], name="assignment_one_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year} {self.municipality} {self.advisor}"


class Kind(models.TextChoices):
    REGULAR = "regular", _("定例")
    THEME = "theme", _("テーマ別")
    REGIONAL = "regional", _("地域別")
    AD_HOC = "ad_hoc", _("随時")


class Mode(models.TextChoices):
    ONLINE = "online", _("オンライン")
    ON_SITE = "on_site", _("対面")
    CHAT = "chat", _("チャット")


class Status(models.TextChoices):
    PLANNED = "planned", _("予定")
    HELD = "held", _("実施済み")
    CANCELLED = "cancelled", _("中止")


class Consultation(models.Model):
    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, related_name="consultations"
    )
    kind = models.CharField(_("種類"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("件名"), max_length=200)
    starts_at = models.DateTimeField(_("開始日時"))
    duration_minutes = models.PositiveSmallIntegerField(_("時間（分）"), default=60)
    fiscal_year = models.PositiveSmallIntegerField(_("年度"), editable=False)
    mode = models.CharField(_("形式"), max_length=10, choices=Mode.choices, default=Mode.ONLINE)
    place = models.CharField(_("場所"), max_length=200, blank=True)
    status = models.CharField(
        _("状態"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    theme = models.ForeignKey(
        Theme, on_delete=models.PROTECT, null=True, blank=True, related_name="consultations"
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="consultations"
    )
    advisors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="consultations_led")
    municipalities = models.ManyToManyField(Municipality, related_name="consultations")
    items = models.JSONField(_("関連するアセスメント項目"), default=list, blank=True)
    agenda = models.TextField(_("議題"), blank=True)
    minutes = models.TextField(_("議事録（Markdown）"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["prefecture", "fiscal_year", "kind"])]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.fiscal_year = fiscal_year_of(self.starts_at)
        super().save(*args, **kwargs)

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)

    @property
    def is_upcoming(self) -> bool:
        return self.status == Status.PLANNED and self.starts_at >= timezone.now()


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("対応中")
    DONE = "done", _("完了")


class FollowUp(models.Model):
    """An action agreed in a consultation: what, who, by when."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="follow_ups"
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
    )
    action = models.CharField(_("対応事項"), max_length=300)
    owner = models.CharField(_("担当"), max_length=100)
    due_on = models.DateField(_("期限"), null=True, blank=True)
    status = models.CharField(
        _("状態"), max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    done_on = models.DateField(_("完了日"), null=True, blank=True)

    class Meta:
        ordering = ["status", "due_on", "pk"]

    def __str__(self) -> str:
        return self.action

    @property
    def is_overdue(self) -> bool:
        return (
            self.status == FollowUpStatus.OPEN
            and self.due_on is not None
            and self.due_on < timezone.localdate()
        )


class Attachment(models.Model):
    """A file attached to a consultation, stored under a generated name."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.CharField(max_length=300)  # storage name from kyoso.core.uploads
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class Plan(models.Model):
    """How many consultations of a kind the prefecture plans per unit in a fiscal year.

    The unit follows the kind: per municipality (定例), per theme (テーマ別), per region
    (地域別). 随時 has no plan.
    """

    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="plans")
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("種類"), max_length=10, choices=Kind.choices)
    per_unit = models.PositiveSmallIntegerField(_("回数"))

    class Meta:
        ordering = ["fiscal_year", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["prefecture", "fiscal_year", "kind"], name="plan_unique_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year} {self.get_kind_display()} ×{self.per_unit}"


class CalendarFeed(models.Model):
    """A secret address for a user's .ics feed: Outlook subscribes without signing in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user}"
