"""Forms of the knowledge pages; they normalise input, the actions validate the rest."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from kyoso.consultations.models import Theme
from kyoso.lib.fiscal import current_fiscal_year, fiscal_year_label
from kyoso.lib.text import normalize_width
from kyoso.municipalities.models import Municipality

from .models import ContactVisibility, Kind, Visibility

_SEPARATORS = re.compile(r"[,、，;；\s]+")


def split_words(value: str) -> list[str]:
    """``3-3、D5 ，2-1`` → ["3-3", "D5", "2-1"]: commas, 、, semicolons or spaces."""
    return [w for w in _SEPARATORS.split(normalize_width(value or "")) if w]


def split_tags(value: str) -> list[str]:
    """Tags may contain spaces (生成 AI), so only commas, 、 and semicolons separate them."""
    return [
        t.strip() for t in re.split(r"[,、，;；\n]+", normalize_width(value or "")) if t.strip()
    ]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("キーワード"), max_length=200, required=False)


class EntryForm(forms.Form):
    kind = forms.ChoiceField(label=_("種類"), choices=Kind.choices)
    title = forms.CharField(label=_("タイトル"), max_length=200)
    summary = forms.CharField(
        label=_("概要"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("検索結果に表示される 1〜2 文の説明です。"),
    )
    body = forms.CharField(
        label=_("本文（Markdown）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("見出しは「## 背景」、箇条書きは「- 」で書けます。HTML は表示されません。"),
    )
    municipality = forms.ModelChoiceField(
        label=_("団体"), queryset=Municipality.objects.none(), required=False
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("テーマ"),
        queryset=Theme.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    items = forms.CharField(
        label=_("関連するアセスメント項目"),
        required=False,
        help_text=_("設問コードを読点かスペースで区切って入力します（例: 3-3、D5）。"),
    )
    tags = forms.CharField(
        label=_("タグ"),
        required=False,
        help_text=_("読点で区切ります（例: 書かない窓口、RPA）。"),
    )
    fiscal_year = forms.TypedChoiceField(label=_("年度"), coerce=int, choices=[])
    visibility = forms.ChoiceField(
        label=_("公開範囲"), choices=Visibility.choices, initial=Visibility.MEMBERS
    )

    def __init__(self, *args, municipalities, prefecture_id, municipality_required, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities
        self.fields["municipality"].required = municipality_required
        if not municipality_required:
            self.fields["municipality"].empty_label = _("（県・アドバイザーの記事）")
        self.fields["themes"].queryset = Theme.objects.filter(prefecture_id=prefecture_id)
        this_year = current_fiscal_year()
        self.fields["fiscal_year"].choices = [
            (y, fiscal_year_label(y)) for y in range(this_year + 1, this_year - 6, -1)
        ]
        self.fields["fiscal_year"].initial = this_year

    def clean_items(self) -> list[str]:
        return split_words(self.cleaned_data["items"].upper().replace("Ｄ", "D"))

    def clean_tags(self) -> list[str]:
        return split_tags(self.cleaned_data["tags"])


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("添付ファイル"))


class ProfileForm(forms.Form):
    title = forms.CharField(label=_("役職・担当"), max_length=100, required=False)
    bio = forms.CharField(
        label=_("紹介"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("取り組んできたこと、相談に乗れることを書いてください。"),
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("得意なテーマ"),
        queryset=Theme.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    items = forms.CharField(label=_("詳しいアセスメント項目"), required=False)
    tags = forms.CharField(
        label=_("詳しい分野（タグ）"),
        required=False,
        help_text=_("読点で区切ります（例: 生成AI、電子申請）。"),
    )
    contact = forms.CharField(label=_("連絡先"), max_length=200, required=False)
    contact_visibility = forms.ChoiceField(
        label=_("連絡先の公開範囲"), choices=ContactVisibility.choices
    )

    def __init__(self, *args, prefecture_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = Theme.objects.filter(prefecture_id=prefecture_id)

    def clean_items(self) -> list[str]:
        return split_words(self.cleaned_data["items"].upper())

    def clean_tags(self) -> list[str]:
        return split_tags(self.cleaned_data["tags"])


class SlackUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Slack のエクスポート（ZIP）"),
        help_text=_(
            "Slack の管理画面「ワークスペースのデータをエクスポート」で作った ZIP ファイルです。"
        ),
    )
