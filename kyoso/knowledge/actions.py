"""Every write of the knowledge base: entries (with history and the search index),
attachments and profiles. Each owns its transaction."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kyoso.accounts.models import User
from kyoso.consultations.actions import scored_item_codes
from kyoso.consultations.models import Theme
from kyoso.core.uploads import store_and_record
from kyoso.municipalities.models import Municipality, Prefecture

from . import search
from .models import (
    ContactVisibility,
    Entry,
    EntryAttachment,
    EntryRevision,
    Kind,
    Profile,
    Source,
    Status,
    Visibility,
)

MAX_TAGS = 20


@dataclass
class EntryData:
    kind: str
    title: str
    fiscal_year: int
    summary: str = ""
    body: str = ""
    municipality: Municipality | None = None
    themes: list[Theme] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    visibility: str = Visibility.MEMBERS
    authors: list[User] = field(default_factory=list)
    author_names: str = ""


def clean_list(values) -> list[str]:
    """Tags or item codes: stripped, empties and duplicates dropped, order kept."""
    return list(dict.fromkeys(v.strip() for v in values if v and v.strip()))


def validate_entry(prefecture: Prefecture, data: EntryData) -> list[str]:
    """Japanese problems with an entry; empty when it can be saved."""
    problems = []
    if data.kind not in Kind.values:
        problems.append(_("種類を「事例」「ドキュメント」「Q&A」から選んでください。"))
    if not data.title.strip():
        problems.append(_("タイトルを入力してください。"))
    if data.visibility not in Visibility.values:
        problems.append(_("公開範囲を選んでください。"))
    if not 2000 <= data.fiscal_year <= 2100:
        problems.append(_("年度は西暦 4 桁で入力してください（例: 2025）。"))
    if data.municipality is not None and data.municipality.prefecture_id != prefecture.pk:
        problems.append(_("この県の団体を選んでください。"))
    if any(theme.prefecture_id != prefecture.pk for theme in data.themes):
        problems.append(_("この県のテーマを選んでください。"))
    unknown = sorted(set(data.items) - scored_item_codes(prefecture))
    if unknown:
        problems.append(
            _("アセスメント項目のコードが見つかりません: %(codes)s") % {"codes": "、".join(unknown)}
        )
    if len(data.tags) > MAX_TAGS:
        problems.append(_("タグは %(max)s 個までにしてください。") % {"max": MAX_TAGS})
    return problems


def _record_revision(entry: Entry, user: User | None) -> None:
    EntryRevision.objects.create(
        entry=entry,
        number=entry.revision,
        title=entry.title,
        summary=entry.summary,
        body=entry.body,
        details={
            "kind": entry.kind,
            "visibility": entry.visibility,
            "status": entry.status,
            "municipality": entry.municipality.code if entry.municipality else None,
            "themes": [t.name for t in entry.themes.all()],
            "items": entry.items,
            "tags": entry.tags,
            "fiscal_year": entry.fiscal_year,
        },
        edited_by=user,
    )


@transaction.atomic
def save_entry(
    prefecture: Prefecture,
    data: EntryData,
    *,
    user: User | None,
    entry: Entry | None = None,
    publish: bool | None = None,
    source: str = Source.WEB,
    source_key: str = "",
) -> Entry:
    """Create or change an entry, keep its history and the search index in step.

    ``publish`` True publishes, False makes it a draft again, None keeps the status.
    Raises ValidationError with every problem (Japanese) and saves nothing."""
    problems = validate_entry(prefecture, data)
    if problems:
        raise ValidationError(problems)
    if entry is None:
        entry = Entry(prefecture=prefecture, created_by=user, source=source, source_key=source_key)
    else:
        entry = Entry.objects.select_for_update().get(pk=entry.pk)
        entry.revision += 1
    entry.kind = data.kind
    entry.title = data.title.strip()
    entry.summary = data.summary.strip()
    entry.body = data.body
    entry.municipality = data.municipality
    entry.items = clean_list(data.items)
    entry.tags = clean_list(data.tags)
    entry.fiscal_year = data.fiscal_year
    entry.visibility = data.visibility
    entry.author_names = data.author_names.strip()
    if publish is True and entry.status != Status.PUBLISHED:
        entry.status = Status.PUBLISHED
        entry.published_at = timezone.now()
    elif publish is False:
        entry.status = Status.DRAFT
    entry.save()
    entry.themes.set(data.themes)
    entry.authors.set(data.authors)
    _record_revision(entry, user)
    search.index_entry(entry)
    return entry


@transaction.atomic
def set_published(entry: Entry, published: bool, *, user: User) -> Entry:
    entry = Entry.objects.select_for_update().get(pk=entry.pk)
    if entry.is_published == published:
        return entry
    entry.status = Status.PUBLISHED if published else Status.DRAFT
    if published:
        entry.published_at = timezone.now()
    entry.revision += 1
    entry.save()
    _record_revision(entry, user)
    search.index_entry(entry)
    return entry


@transaction.atomic
def delete_entry(entry: Entry) -> None:
    """Delete an entry, its history, its index rows and (after commit) its files."""
    names = list(entry.attachments.values_list("file", flat=True))
    search.remove_entry(entry.pk)
    entry.delete()
    transaction.on_commit(lambda: [default_storage.delete(name) for name in names])


def add_attachment(entry: Entry, uploaded: UploadedFile, *, user: User) -> EntryAttachment:
    """Check, store and record a file (kyoso.core.uploads.store_and_record).

    Raises ValidationError (Japanese, naming the file) for a refused type or size."""
    return store_and_record(
        uploaded,
        "knowledge",
        lambda stored: EntryAttachment.objects.create(
            entry=entry,
            file=stored.name,
            original_name=stored.original_name,
            content_type=stored.content_type,
            size=stored.size,
            uploaded_by=user,
        ),
    )


def delete_attachment(attachment: EntryAttachment) -> None:
    name = attachment.file
    attachment.delete()
    transaction.on_commit(lambda: default_storage.delete(name))


@dataclass
class ProfileData:
    title: str = ""
    bio: str = ""
    themes: list[Theme] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    contact: str = ""
    contact_visibility: str = ContactVisibility.MEMBERS


@transaction.atomic
def save_profile(user: User, data: ProfileData, prefecture: Prefecture | None = None) -> Profile:
    problems = []
    if data.contact_visibility not in ContactVisibility.values:
        problems.append(_("連絡先の公開範囲を選んでください。"))
    if prefecture is not None:
        unknown = sorted(set(clean_list(data.items)) - scored_item_codes(prefecture))
        if unknown:
            problems.append(
                _("アセスメント項目のコードが見つかりません: %(codes)s")
                % {"codes": "、".join(unknown)}
            )
    if len(clean_list(data.tags)) > MAX_TAGS:
        problems.append(_("タグは %(max)s 個までにしてください。") % {"max": MAX_TAGS})
    if problems:
        raise ValidationError(problems)
    profile, _created = Profile.objects.update_or_create(
        user=user,
        defaults={
            "title": data.title.strip(),
            "bio": data.bio.strip(),
            "items": clean_list(data.items),
            "tags": clean_list(data.tags),
            "contact": data.contact.strip(),
            "contact_visibility": data.contact_visibility,
        },
    )
    profile.themes.set(data.themes)
    return profile
