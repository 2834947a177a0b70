"""Forms of the event and dispatch pages; they normalise input, the actions validate."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kyoso.lib.text import normalize_width
from kyoso.municipalities.models import Municipality

from .models import EventKind, Programme


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("種類"), choices=EventKind.choices)
    title = forms.CharField(label=_("名称"), max_length=200)
    held_on = forms.DateField(label=_("開催日"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("会場"), max_length=200, required=False)
    online = forms.BooleanField(label=_("オンライン"), required=False)
    audience = forms.CharField(label=_("対象"), max_length=200, required=False)
    notes = forms.CharField(
        label=_("備考"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


def attendance_from(post, municipalities) -> tuple[list[tuple], dict[str, str]]:
    """Attendance rows typed in the table (people-<code>, names-<code>), and errors by
    municipality code. A blank number means the municipality did not attend."""
    rows, errors = [], {}
    for municipality in municipalities:
        people = normalize_width(post.get(f"people-{municipality.code}", "")).strip()
        names = post.get(f"names-{municipality.code}", "").strip()
        if not people:
            if names:
                errors[municipality.code] = _("参加人数を入力してください。")
            continue
        if not people.isdigit() or int(people) < 1:
            errors[municipality.code] = _("参加人数は1以上の整数で入力してください。")
            continue
        rows.append((municipality, int(people), names))
    return rows, errors


class DispatchForm(forms.Form):
    municipality = forms.ModelChoiceField(label=_("団体"), queryset=Municipality.objects.none())
    programme = forms.ChoiceField(label=_("制度"), choices=Programme.choices)
    held_on = forms.DateField(label=_("日付"), widget=forms.DateInput(attrs={"type": "date"}))
    theme = forms.CharField(label=_("テーマ"), max_length=200)
    advisor_name = forms.CharField(label=_("アドバイザー"), max_length=100, required=False)
    notes = forms.CharField(
        label=_("備考"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, prefecture_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = Municipality.objects.served().filter(
            prefecture_id=prefecture_id
        )
