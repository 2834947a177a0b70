"""Forms of the assessment pages. Answer values are cleaned by kyoso.assessments.values."""

from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from . import definition as d
from .levels import LEVELS
from .models import Question, SurveyState
from .values import AnswerError, display, from_form


def field_name(question: Question) -> str:
    return f"q_{question.pk}"


class AnswerPageForm(forms.Form):
    """One survey page. Every field is optional here: "required" is enforced on submit,
    so people can save half a page and come back."""

    revision = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(
        self, *args, questions: list[Question], definitions: dict[str, d.Question], **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.definitions = definitions
        for question in questions:
            self.fields[field_name(question)] = self._field(question, definitions[question.code])

    def _field(self, question: Question, definition: d.Question) -> forms.Field:
        label = f"{question.code}. {question.text}"
        common = {"label": label, "required": False, "help_text": question.help}
        if definition.type is d.QuestionType.SINGLE:
            return forms.ChoiceField(
                choices=[(c.value, c.label) for c in definition.choices],
                widget=forms.RadioSelect,
                **common,
            )
        if definition.type is d.QuestionType.MULTIPLE:
            return forms.MultipleChoiceField(
                choices=[(c.value, c.label) for c in definition.choices],
                widget=forms.CheckboxSelectMultiple,
                **common,
            )
        if definition.type in (d.QuestionType.COUNT, d.QuestionType.NUMBER):
            attrs = {
                "inputmode": "numeric" if definition.type is d.QuestionType.COUNT else "decimal",
                "autocomplete": "off",
                "class": "input-number",
            }
            return forms.CharField(widget=forms.TextInput(attrs=attrs), **common)
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)

    def clean(self):
        cleaned = super().clean()
        self.answer_values: dict[str, object] = {}
        for question in self.questions:
            name = field_name(question)
            raw = (
                self.data.getlist(name)
                if question.type == d.QuestionType.MULTIPLE.value
                else self.data.get(name)
            )
            try:
                self.answer_values[question.code] = from_form(self.definitions[question.code], raw)
            except AnswerError as error:
                self.add_error(name, f"{question.code}: {error}")
        return cleaned

    def valid_values(self) -> dict[str, object]:
        """The values that passed their checks (autosave keeps these, the rest stay typed)."""
        values = getattr(self, "answer_values", {})
        return {
            code: v
            for code, v in values.items()
            if field_name(self._question(code)) not in self.errors
        }

    def _question(self, code: str) -> Question:
        return next(q for q in self.questions if q.code == code)


def initial_for(
    questions: list[Question], values: dict[str, object], definitions: dict[str, d.Question]
) -> dict[str, object]:
    initial: dict[str, object] = {}
    for question in questions:
        value = values.get(question.code)
        if value is None:
            continue
        if question.type in (d.QuestionType.COUNT.value, d.QuestionType.NUMBER.value):
            initial[field_name(question)] = display(definitions[question.code], value)
        else:
            initial[field_name(question)] = value
    return initial


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("差し戻しの理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class OverrideForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("最終レベル"),
        choices=[("", _("判定どおり（上書きを取り消す）"))]
        + [(str(n), f"{n} {i.name}") for n, i in sorted(LEVELS.items(), reverse=True)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    reason = forms.CharField(
        label=_("理由（定性的な評価）"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class StateForm(forms.Form):
    state = forms.ChoiceField(label=_("状態"), choices=SurveyState.choices)
    opens_on = forms.DateField(
        label=_("回答開始日"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    closes_on = forms.DateField(
        label=_("回答締切日"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens and closes and opens > closes:
            self.add_error("closes_on", _("締切日は開始日より後にしてください。"))
        return cleaned


class RulesForm(forms.Form):
    rules = forms.CharField(
        label=_("判定基準（JSON）"), widget=forms.Textarea(attrs={"rows": 24, "class": "code"})
    )

    def clean_rules(self):
        try:
            return json.loads(self.cleaned_data["rules"])
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                _("JSON として読めません（%(line)s 行目 %(column)s 文字目）。"),
                params={"line": error.lineno, "column": error.colno},
            ) from None


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("回答ファイル（CSV または Excel）"),
        help_text=_(
            "1 行に 1 団体。「団体コード」または「団体名」の列と、設問コードで始まる見出しの列。"
        ),
    )


class KpiTargetForm(forms.Form):
    fiscal_year = forms.IntegerField(label=_("年度（西暦）"), min_value=2000, max_value=2100)
    level_4 = forms.IntegerField(label=_("4 共創"), min_value=0, required=False)
    level_3 = forms.IntegerField(label=_("3 協働"), min_value=0, required=False)
    level_2 = forms.IntegerField(label=_("2 支援"), min_value=0, required=False)
    level_1 = forms.IntegerField(label=_("1 関与"), min_value=0, required=False)
