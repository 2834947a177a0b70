"""Surveys (definitions), responses with their answers and history, levels and KPI targets."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kyoso.municipalities.models import Municipality, Prefecture

from . import definition as d
from .levels import DEFAULT_RULES, LEVELS


def default_rules() -> dict:
    return DEFAULT_RULES


class SurveyState(models.TextChoices):
    DRAFT = "draft", _("準備中")
    OPEN = "open", _("回答受付中")
    CLOSED = "closed", _("締切")
    PUBLISHED = "published", _("結果公開")


class Survey(models.Model):
    prefecture = models.ForeignKey(Prefecture, on_delete=models.PROTECT, related_name="surveys")
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    slug = models.SlugField(_("識別子"), max_length=60, unique=True)
    title = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("説明"), blank=True)
    version = models.PositiveSmallIntegerField(_("版"), default=1)
    state = models.CharField(
        _("状態"), max_length=12, choices=SurveyState.choices, default=SurveyState.DRAFT
    )
    opens_on = models.DateField(_("回答開始日"), null=True, blank=True)
    closes_on = models.DateField(_("回答締切日"), null=True, blank=True)
    level_rules = models.JSONField(_("判定基準"), default=default_rules)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["prefecture__code", "-fiscal_year", "-version"]
        verbose_name = _("調査")
        verbose_name_plural = _("調査")

    def __str__(self) -> str:
        return self.title


class Page(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="pages")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)

    class Meta:
        ordering = ["survey_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "number"], name="page_unique_number")
        ]

    def __str__(self) -> str:
        return self.title


class QuestionType(models.TextChoices):
    SINGLE = d.QuestionType.SINGLE.value, _("単一選択")
    MULTIPLE = d.QuestionType.MULTIPLE.value, _("複数選択")
    COUNT = d.QuestionType.COUNT.value, _("件数（整数）")
    NUMBER = d.QuestionType.NUMBER.value, _("数値")
    TEXT = d.QuestionType.TEXT.value, _("自由記述")


class Family(models.TextChoices):
    NATIONAL = d.Family.NATIONAL.value, _("総務省項目")
    PREFECTURE = d.Family.PREFECTURE.value, _("県独自項目")
    NONE = d.Family.NONE.value, _("採点しない")


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="questions")
    number = models.PositiveSmallIntegerField()  # order within the survey
    code = models.CharField(_("設問コード"), max_length=20)
    text = models.TextField(_("設問文"))
    help = models.TextField(_("補足"), blank=True)
    type = models.CharField(_("形式"), max_length=20, choices=QuestionType.choices)
    required = models.BooleanField(_("必須"), default=False)
    family = models.CharField(_("区分"), max_length=12, choices=Family.choices, blank=True)
    area = models.CharField(_("領域"), max_length=40, blank=True)
    minimum = models.FloatField(_("最小値"), null=True, blank=True)
    maximum = models.FloatField(_("最大値"), null=True, blank=True)
    thresholds = models.JSONField(_("件数の採点基準"), default=list, blank=True)

    class Meta:
        ordering = ["survey_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "code"], name="question_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"

    @property
    def scored(self) -> bool:
        return self.family != Family.NONE

    def as_definition(self, choices: list[Choice] | None = None) -> d.Question:
        """The pure form used by scoring; pass prefetched choices to avoid a query."""
        choices = list(self.choices.all()) if choices is None else choices
        return self.definition_with([d.Choice(c.value, c.label, c.score) for c in choices])

    def definition_with(self, choices: list[d.Choice]) -> d.Question:
        return d.Question(
            code=self.code,
            text=self.text,
            type=d.QuestionType(self.type),
            required=self.required,
            help=self.help,
            family=d.Family(self.family),
            area=self.area,
            choices=tuple(choices),
            thresholds=tuple(d.Threshold(a, p) for a, p in self.thresholds),
            minimum=self.minimum,
            maximum=self.maximum,
        )


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    number = models.PositiveSmallIntegerField()
    value = models.CharField(max_length=60)
    label = models.CharField(max_length=200)
    score = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["question_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["question", "value"], name="choice_unique_value")
        ]

    def __str__(self) -> str:
        return self.label


class ResponseState(models.TextChoices):
    DRAFT = "draft", _("回答中")
    SUBMITTED = "submitted", _("提出済み")
    RETURNED = "returned", _("差し戻し")


class Response(models.Model):
    """One municipality's answers to one survey, with its scores kept up to date."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="responses"
    )
    state = models.CharField(
        _("状態"), max_length=12, choices=ResponseState.choices, default=ResponseState.DRAFT
    )
    # Incremented on every save of answers: two editors never silently overwrite each other.
    revision = models.PositiveIntegerField(default=0)
    submitted_at = models.DateTimeField(_("提出日時"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    return_comment = models.TextField(_("差し戻しの理由"), blank=True)
    imported = models.BooleanField(_("一括取り込み"), default=False)
    # Derived from the answers by kyoso.assessments.scoring; rewritten on every change.
    total = models.PositiveSmallIntegerField(default=0)
    maximum = models.PositiveSmallIntegerField(default=0)
    computed_level = models.PositiveSmallIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["survey_id", "municipality__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "municipality"], name="response_unique_municipality"
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey.slug} {self.municipality}"

    @property
    def rate(self) -> float:
        return self.total / self.maximum if self.maximum else 0.0


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.JSONField(null=True)
    points = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.response} {self.question.code}"


class ChangeSource(models.TextChoices):
    WEB = "web", _("画面")
    IMPORT = "import", _("一括取り込み")
    CARRY_OVER = "carry_over", _("前年度の回答から")
    STATE = "state", _("状態の変更")


class AnswerChange(models.Model):
    """Every change to a response: who, when, old → new. Never updated or deleted."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="changes")
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(auto_now_add=True)
    revision = models.PositiveIntegerField()  # the response's revision this change made
    source = models.CharField(max_length=12, choices=ChangeSource.choices)
    old = models.JSONField(null=True)
    new = models.JSONField(null=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["response_id", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.response} {self.at:%Y-%m-%d %H:%M} {self.source}"


class LevelOverride(models.Model):
    """The prefecture's or advisor's qualitative level, with its reason. Latest wins;
    ``level=None`` withdraws an earlier override. History is every row."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="overrides")
    level = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=[(n, f"{n} {i.name}") for n, i in LEVELS.items()]
    )
    reason = models.TextField(_("理由"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["response_id", "-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.response} → {self.level}"


class KpiTarget(models.Model):
    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="kpi_targets")
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    level = models.PositiveSmallIntegerField(choices=[(n, i.name) for n, i in LEVELS.items()])
    count = models.PositiveSmallIntegerField(_("目標団体数"))

    class Meta:
        ordering = ["prefecture_id", "fiscal_year", "-level"]
        constraints = [
            models.UniqueConstraint(
                fields=["prefecture", "fiscal_year", "level"], name="kpi_target_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.prefecture} {self.fiscal_year} L{self.level}: {self.count}"


class PendingImport(models.Model):
    """An uploaded answer file between its preview and the confirmation to import it."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(max_length=200)
    data = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.filename
