"""Forms of the consultation pages; they normalise input, the actions validate the rest."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kyoso.accounts.models import Role, User
from kyoso.lib.fiscal import fiscal_year_label
from kyoso.lib.text import normalize_width
from kyoso.municipalities.models import Municipality, Region

from .models import Kind, Mode, Status, Theme


class ConsultationFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("種類"), choices=[("", _("すべて")), *Kind.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("状態"), choices=[("", _("すべて")), *Status.choices], required=False
    )
    theme = forms.ModelChoiceField(
        label=_("テーマ"), queryset=Theme.objects.none(), required=False, empty_label=_("すべて")
    )
    region = forms.ModelChoiceField(
        label=_("振興局"), queryset=Region.objects.none(), required=False, empty_label=_("すべて")
    )
    advisor = forms.ModelChoiceField(
        label=_("アドバイザー"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("すべて"),
    )
    fiscal_year = forms.TypedChoiceField(
        label=_("年度"), coerce=int, choices=[], required=False, empty_value=None
    )

    def __init__(self, *args, prefecture_id, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = Theme.objects.filter(prefecture_id=prefecture_id)
        self.fields["region"].queryset = Region.objects.filter(prefecture_id=prefecture_id)
        self.fields["advisor"].queryset = advisors_of(prefecture_id)
        self.fields["fiscal_year"].choices = [("", _("すべて"))] + [
            (y, fiscal_year_label(y)) for y in years
        ]


def advisors_of(prefecture_id) -> forms.QuerySet:
    return User.objects.filter(
        role=Role.ADVISOR, prefecture_id=prefecture_id, is_active=True
    ).order_by("name")


class ConsultationForm(forms.Form):
    kind = forms.ChoiceField(label=_("種類"), choices=Kind.choices)
    title = forms.CharField(label=_("件名"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("開始日時"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    duration_minutes = forms.IntegerField(label=_("時間（分）"), min_value=1, max_value=1440)
    mode = forms.ChoiceField(label=_("形式"), choices=Mode.choices)
    place = forms.CharField(label=_("場所"), max_length=200, required=False)
    status = forms.ChoiceField(label=_("状態"), choices=Status.choices)
    theme = forms.ModelChoiceField(label=_("テーマ"), queryset=Theme.objects.none(), required=False)
    region = forms.ModelChoiceField(
        label=_("振興局"),
        queryset=Region.objects.none(),
        required=False,
        help_text=_("地域別相談のみ。市町村を選ばなければ管内の全市町村になります。"),
    )
    advisors = forms.ModelMultipleChoiceField(
        label=_("アドバイザー"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    municipalities = forms.ModelMultipleChoiceField(
        label=_("市町村"),
        queryset=Municipality.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    items = forms.CharField(
        label=_("関連するアセスメント項目"),
        required=False,
        help_text=_("項目コードを「、」や空白で区切って入力（例：3-12、D7）"),
    )
    agenda = forms.CharField(
        label=_("議題"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    minutes = forms.CharField(
        label=_("議事録"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Markdown で書けます（見出し、箇条書き、表、リンク）。HTML は表示されません。"),
    )

    def __init__(self, *args, prefecture_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = Theme.objects.filter(prefecture_id=prefecture_id)
        self.fields["region"].queryset = Region.objects.filter(prefecture_id=prefecture_id)
        self.fields["advisors"].queryset = advisors_of(prefecture_id)
        self.fields["municipalities"].queryset = Municipality.objects.served().filter(
            prefecture_id=prefecture_id
        )

    def clean_items(self) -> list[str]:
        text = normalize_width(self.cleaned_data["items"]).upper()
        for separator in "、,，;；":
            text = text.replace(separator, " ")
        return [code for code in text.split() if code]


class FollowUpForm(forms.Form):
    action = forms.CharField(label=_("対応事項"), max_length=300)
    owner = forms.CharField(label=_("担当"), max_length=100)
    due_on = forms.DateField(
        label=_("期限"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    municipality = forms.ModelChoiceField(
        label=_("市町村"), queryset=Municipality.objects.none(), required=False
    )

    def __init__(self, *args, consultation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = consultation.municipalities.all()


class PlanForm(forms.Form):
    regular = forms.IntegerField(label=_("定例（1市町村あたり）"), min_value=0, max_value=99)
    theme = forms.IntegerField(label=_("テーマ別（1テーマあたり）"), min_value=0, max_value=99)
    regional = forms.IntegerField(label=_("地域別（1振興局あたり）"), min_value=0, max_value=99)
