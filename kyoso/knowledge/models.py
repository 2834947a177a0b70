"""The knowledge base: entries with their history and attachments, people who know,
and the search index (kept by kyoso.knowledge.search; nothing else writes it)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kyoso.consultations.models import Theme
from kyoso.municipalities.models import Municipality, Prefecture


class Kind(models.TextChoices):
    CASE = "case", _("事例")
    DOCUMENT = "document", _("ドキュメント")
    QA = "qa", _("Q&A")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("一般公開")
    MEMBERS = "members", _("ログインした会員")
    PREFECTURE = "prefecture", _("県・アドバイザーのみ")


class Status(models.TextChoices):
    DRAFT = "draft", _("下書き")
    PUBLISHED = "published", _("公開中")


class Source(models.TextChoices):
    WEB = "web", _("画面で作成")
    IMPORT = "import", _("一括取り込み")
    SLACK = "slack", _("Slack から取り込み")


class Entry(models.Model):
    prefecture = models.ForeignKey(Prefecture, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("種類"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("タイトル"), max_length=200)
    summary = models.TextField(_("概要"), blank=True)
    body = models.TextField(_("本文（Markdown）"), blank=True)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
        verbose_name=_("団体"),
    )
    authors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="knowledge_entries"
    )
    # People without an account here (e.g. Slack users no e-mail matched), by name.
    author_names = models.CharField(_("その他の執筆者"), max_length=300, blank=True)
    themes = models.ManyToManyField(Theme, blank=True, related_name="entries")
    items = models.JSONField(_("関連するアセスメント項目"), default=list, blank=True)
    tags = models.JSONField(_("タグ"), default=list, blank=True)
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    visibility = models.CharField(
        _("公開範囲"), max_length=12, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    status = models.CharField(
        _("状態"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEB)
    # What the entry was imported from (a Slack thread's channel/ts): re-imports skip it.
    source_key = models.CharField(max_length=200, blank=True)
    revision = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["prefecture", "source_key"],
                condition=~Q(source_key=""),
                name="entry_unique_source_key",
            )
        ]
        indexes = [models.Index(fields=["municipality", "fiscal_year", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED


class EntryRevision(models.Model):
    """The entry as it was after each save: the history the issue asks editing to keep."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)
    details = models.JSONField(default=dict)  # kind, visibility, status, themes, items, tags…
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    edited_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["entry_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "number"], name="revision_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} r{self.number}"


class EntryAttachment(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="attachments")
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


class ContactVisibility(models.TextChoices):
    MEMBERS = "members", _("ログインした会員")
    PREFECTURE = "prefecture", _("県・アドバイザーのみ")
    NOBODY = "nobody", _("表示しない")


class Profile(models.Model):
    """What a person (municipal staff or advisor) knows about: know-who."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="knowledge_profile"
    )
    title = models.CharField(_("役職・担当"), max_length=100, blank=True)
    bio = models.TextField(_("紹介"), blank=True)
    themes = models.ManyToManyField(Theme, blank=True, related_name="profiles")
    items = models.JSONField(_("詳しいアセスメント項目"), default=list, blank=True)
    tags = models.JSONField(_("詳しい分野（タグ）"), default=list, blank=True)
    contact = models.CharField(_("連絡先"), max_length=200, blank=True)
    contact_visibility = models.CharField(
        _("連絡先の公開範囲"),
        max_length=12,
        choices=ContactVisibility.choices,
        default=ContactVisibility.MEMBERS,
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return str(self.user)


class SearchDocument(models.Model):
    """One published entry in the search index, with what filters and visibility need.

    The text itself lives in the engine's own index (SQLite FTS5 table ``knowledge_fts``
    or the PostgreSQL ``vector`` column added by migration), written only by
    kyoso.knowledge.search.
    """

    entry = models.OneToOneField(
        Entry, on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    prefecture_id = models.IntegerField()
    visibility = models.CharField(max_length=12)
    published_at = models.DateTimeField(null=True)
    # The entry's facet pairs again, one "facet=value" per line, read in one row per
    # match to count facets (SearchFacet rows, one per pair, filter a search without
    # words). Plain lines: counting them for 1,000 matches is 4× faster than JSON.
    facets = models.TextField(default="", blank=True)

    class Meta:
        indexes = [
            # The newest first, with what visibility needs: the page without words.
            models.Index(
                fields=["published_at", "entry", "visibility", "prefecture_id"],
                name="searchdoc_newest",
            ),
        ]

    def __str__(self) -> str:
        return f"search document {self.entry_id}"


class SearchSurfaces(models.Model):
    """Term → the surfaces an indexed entry writes it with, for highlighting snippets.

    Kept apart from SearchDocument on purpose: every match is joined to SearchDocument
    for visibility, and with these few kilobytes inside each row that join was ten times
    slower on 100,000 entries. Only the page's ten hits read them."""

    entry = models.OneToOneField(
        Entry, on_delete=models.CASCADE, primary_key=True, related_name="search_surfaces"
    )
    surfaces = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"search surfaces {self.entry_id}"


class SearchFacet(models.Model):
    """A (facet, value) of an indexed entry: kind, theme, item, municipality, region, year,
    tag; what filters a search without words. (Searches with words filter by the keys in
    the full-text index, and facets are counted from SearchDocument.facets.)"""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="+")
    facet = models.CharField(max_length=12)
    value = models.CharField(max_length=40)

    class Meta:
        indexes = [models.Index(fields=["facet", "value", "entry"])]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.facet}={self.value}"
