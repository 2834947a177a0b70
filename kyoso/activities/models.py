"""Trainings and events with attendance, and uses of national advisor-dispatch programmes.

The seed counts both per fiscal year: DX入門研修 28 団体・約 1,000 名, 合同研修 25 市町村・
48 名; 経営・財務マネジメント強化事業 R4 0 団体 0 件, R5 22 団体 23 件, R6 20 団体 34 件.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kyoso.lib.fiscal import fiscal_year_of
from kyoso.municipalities.models import Municipality, Prefecture


class EventKind(models.TextChoices):
    DX_INTRO = "dx_intro", _("DX入門研修")
    JOINT = "joint", _("合同研修")
    TOP_SEMINAR = "top_seminar", _("トップセミナー")
    RESULTS = "results", _("成果報告会")
    OTHER = "other", _("その他")


class Event(models.Model):
    """A training, seminar or meeting the prefecture holds for its municipalities."""

    prefecture = models.ForeignKey(Prefecture, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("種類"), max_length=20, choices=EventKind.choices)
    title = models.CharField(_("名称"), max_length=200)
    held_on = models.DateField(_("開催日"))
    fiscal_year = models.PositiveSmallIntegerField(_("年度"), editable=False)
    place = models.CharField(_("会場"), max_length=200, blank=True)
    online = models.BooleanField(_("オンライン"), default=False)
    audience = models.CharField(_("対象"), max_length=200, blank=True)
    notes = models.TextField(_("備考"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "pk"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.fiscal_year = fiscal_year_of(self.held_on)
        super().save(*args, **kwargs)


class Attendance(models.Model):
    """How many people of one municipality attended an event (names optional)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attendances")
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="attendances"
    )
    people = models.PositiveIntegerField(_("参加人数"))
    names = models.TextField(_("参加者名"), blank=True)

    class Meta:
        ordering = ["municipality__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "municipality"], name="attendance_unique_municipality"
            ),
            models.CheckConstraint(condition=models.Q(people__gte=1), name="attendance_people_1"),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.municipality}"


class Programme(models.TextChoices):
    """National advisor-dispatch programmes (国の派遣制度)."""

    MANAGEMENT = "management", _("経営・財務マネジメント強化事業")
    REGIONAL_INFORMATISATION = "regional_info", _("地域情報化アドバイザー派遣制度")


class Dispatch(models.Model):
    """One use of a national dispatch programme by a municipality: evidence for D7."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="dispatches"
    )
    programme = models.CharField(_("制度"), max_length=20, choices=Programme.choices)
    held_on = models.DateField(_("日付"))
    fiscal_year = models.PositiveSmallIntegerField(_("年度"), editable=False)
    theme = models.CharField(_("テーマ"), max_length=200)
    advisor_name = models.CharField(_("アドバイザー"), max_length=100, blank=True)
    notes = models.TextField(_("備考"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "municipality__code", "pk"]
        verbose_name_plural = "dispatches"

    def __str__(self) -> str:
        return f"{self.municipality} {self.get_programme_display()} {self.held_on}"

    def save(self, *args, **kwargs):
        self.fiscal_year = fiscal_year_of(self.held_on)
        super().save(*args, **kwargs)
