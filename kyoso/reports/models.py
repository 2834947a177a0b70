"""A prefecture's report settings, and batches of reports generated in the background."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kyoso.assessments.models import Survey
from kyoso.municipalities.models import Prefecture


class ReportSettings(models.Model):
    """Choices a prefecture makes for every report it sends."""

    prefecture = models.OneToOneField(
        Prefecture, on_delete=models.CASCADE, related_name="report_settings"
    )
    share_peer_names = models.BooleanField(
        _("参考団体の名前を載せる"),
        default=False,
        help_text=_(
            "各団体のレポートの「次の一歩」に、その項目で満点の団体名を載せます。"
            "載せない場合は団体数だけを示します。"
        ),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.prefecture} report settings"


STALE_AFTER = dt.timedelta(hours=2)  # far longer than the 1,741-report batch takes


class ReportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "Excel"
    HTML = "html", "HTML"


class BatchState(models.TextChoices):
    QUEUED = "queued", _("待機中")
    RUNNING = "running", _("作成中")
    DONE = "done", _("完了")
    FAILED = "failed", _("失敗")


class ReportBatch(models.Model):
    """All reports of a survey in one ZIP, made by a background task.

    The task counts ``done`` up as it goes, so the page shows progress from the
    database whatever process runs the task.
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="report_batches")
    format = models.CharField(_("形式"), max_length=8, choices=ReportFormat.choices)
    state = models.CharField(
        _("状態"), max_length=10, choices=BatchState.choices, default=BatchState.QUEUED
    )
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    file = models.CharField(max_length=300, blank=True)  # storage name of the ZIP
    size = models.PositiveBigIntegerField(default=0)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.survey} {self.format} {self.state}"

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def active(self) -> bool:
        return self.state in (BatchState.QUEUED, BatchState.RUNNING)

    @property
    def recently_active(self) -> bool:
        """Active and asked for within STALE_AFTER: the page refreshes itself only for
        these, so a batch whose worker died does not keep it refreshing for ever."""
        return self.active and timezone.now() - self.requested_at < STALE_AFTER
