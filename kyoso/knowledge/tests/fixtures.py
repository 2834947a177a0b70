"""A small knowledge base with one entry per visibility, a draft, and known wording.

``KnowledgeTestCase`` adds to the personas: the bundled 2024 survey (so item codes such
as 3-3 and D5 exist), two themes, and entries written so that searches have one right
answer each.
"""

from __future__ import annotations

from kyoso.assessments import actions as assessment_actions
from kyoso.assessments.bundled.wakayama import wakayama_survey
from kyoso.consultations.models import Theme
from kyoso.knowledge.actions import EntryData, save_entry
from kyoso.knowledge.models import Visibility
from kyoso.testing import KyosoTestCase


class KnowledgeTestCase(KyosoTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.survey, _ = assessment_actions.save_survey_definition(wakayama_survey(2024))
        cls.bpr = Theme.objects.create(prefecture=cls.wakayama, name="窓口BPR・庁内BPR", order=1)
        cls.data = Theme.objects.create(
            prefecture=cls.wakayama, name="オープンデータ・利活用", order=2
        )
        cls.counter = cls.entry(
            "書かない窓口の導入",
            summary="住民票の交付申請で、職員が聞き取って申請書を作る「書かない窓口」を始めました。",
            body=(
                "## 背景\n窓口での記入の手間と、問合せの多さが課題でした。\n\n"
                "## 成果\n待ち時間が 3 割減りました。"
            ),
            themes=[cls.bpr],
            items=["3-3"],
            tags=["書かない窓口"],
            visibility=Visibility.PUBLIC,
            author=cls.staff_wakayama,
        )
        cls.template = cls.entry(
            "電子申請フォームのひな形",
            kind="document",
            summary="電子申請でよく使う様式のひな形集です。",
            body="各課の申込み様式を電子申請に移すときの、項目と注意書きの例です。",
            municipality=cls.kainan_city,
            themes=[cls.bpr],
            items=["3-3", "D4"],
            tags=["電子申請", "様式"],
            visibility=Visibility.MEMBERS,
            author=cls.staff_kainan,
        )
        cls.internal = cls.entry(
            "オープンデータ公開の内部手順",
            kind="document",
            summary="県の担当者向けのオープンデータ公開手順。",
            body="オープンデータのカタログに登録するまでの手順です。",
            municipality=None,
            themes=[cls.data],
            items=["5-7"],
            visibility=Visibility.PREFECTURE,
            author=cls.advisor,
        )
        cls.draft = cls.entry(
            "下書き：窓口の問い合わせ対応",
            kind="qa",
            body="窓口での問い合わせ対応をどう減らすか。",
            publish=False,
            author=cls.staff_wakayama,
        )

    @classmethod
    def entry(
        cls,
        title,
        *,
        kind="case",
        summary="",
        body="",
        municipality="default",
        themes=(),
        items=(),
        tags=(),
        visibility=Visibility.MEMBERS,
        publish=True,
        author=None,
        fiscal_year=2024,
    ):
        return save_entry(
            cls.wakayama,
            EntryData(
                kind=kind,
                title=title,
                summary=summary,
                body=body,
                municipality=cls.wakayama_city if municipality == "default" else municipality,
                themes=list(themes),
                items=list(items),
                tags=list(tags),
                fiscal_year=fiscal_year,
                visibility=visibility,
                authors=[author] if author else [],
            ),
            user=author,
            publish=publish,
        )
