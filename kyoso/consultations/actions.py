"""Every write to assignments, consultations, follow-ups and plans: one transaction each."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kyoso.accounts.models import Role, User
from kyoso.assessments.models import Question
from kyoso.core.uploads import store_and_record
from kyoso.municipalities.models import Municipality, Prefecture, Region

from .models import (
    Assignment,
    Attachment,
    CalendarFeed,
    Consultation,
    FollowUp,
    FollowUpStatus,
    Kind,
    Mode,
    Plan,
    Status,
    Theme,
)


@dataclass
class ConsultationData:
    kind: str
    title: str
    starts_at: dt.datetime
    duration_minutes: int = 60
    mode: str = Mode.ONLINE
    place: str = ""
    status: str = Status.PLANNED
    theme: Theme | None = None
    region: Region | None = None
    advisors: list[User] = field(default_factory=list)
    municipalities: list[Municipality] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    agenda: str = ""
    minutes: str = ""


def scored_item_codes(prefecture: Prefecture) -> set[str]:
    """Codes of the assessment items any survey of the prefecture scores (e.g. 3-12, D7)."""
    return set(
        Question.objects.filter(survey__prefecture=prefecture)
        .exclude(family="")
        .values_list("code", flat=True)
    )


def validate_consultation(prefecture: Prefecture, data: ConsultationData) -> list[str]:
    """Japanese problems with a consultation; empty when it can be saved."""
    problems = []
    if data.kind not in Kind.values:
        problems.append(_("種類を選んでください。"))
    if not data.title.strip():
        problems.append(_("件名を入力してください。"))
    if not 1 <= data.duration_minutes <= 24 * 60:
        problems.append(_("時間（分）は 1〜1440 の範囲で入力してください。"))
    if not data.advisors:
        problems.append(_("アドバイザーを1人以上選んでください。"))
    for advisor in data.advisors:
        if advisor.role != Role.ADVISOR or advisor.prefecture_id != prefecture.pk:
            problems.append(
                _("%(name)s は この県のアドバイザーではありません。") % {"name": advisor}
            )
    for municipality in data.municipalities:
        if municipality.prefecture_id != prefecture.pk:
            problems.append(
                _("%(name)s は この県の市町村ではありません。") % {"name": municipality}
            )
    if data.kind == Kind.REGULAR and len(data.municipalities) != 1:
        problems.append(_("定例相談は市町村を1つだけ選んでください。"))
    if data.kind == Kind.THEME and data.theme is None:
        problems.append(_("テーマ別相談はテーマを選んでください。"))
    if data.kind == Kind.REGIONAL and data.region is None:
        problems.append(_("地域別相談は振興局を選んでください。"))
    if data.kind != Kind.REGIONAL and data.region is not None:
        problems.append(_("振興局は地域別相談でだけ選べます。"))
    if data.theme is not None and data.theme.prefecture_id != prefecture.pk:
        problems.append(_("テーマがこの県のものではありません。"))
    if data.region is not None and data.region.prefecture_id != prefecture.pk:
        problems.append(_("振興局がこの県のものではありません。"))
    if data.kind != Kind.REGIONAL and not data.municipalities:
        problems.append(_("市町村を1つ以上選んでください。"))
    unknown = sorted(set(data.items) - scored_item_codes(prefecture))
    if unknown:
        problems.append(
            _("アセスメント項目 %(codes)s は採点項目にありません。") % {"codes": "、".join(unknown)}
        )
    return problems


@transaction.atomic
def save_consultation(
    prefecture: Prefecture,
    data: ConsultationData,
    *,
    user: User,
    consultation: Consultation | None = None,
) -> Consultation:
    """Create or update a consultation; a regional one without municipalities gets all the
    active municipalities of its 振興局."""
    problems = validate_consultation(prefecture, data)
    if problems:
        raise ValidationError(problems)
    municipalities = list(data.municipalities)
    if data.kind == Kind.REGIONAL and not municipalities:
        municipalities = list(data.region.municipalities.filter(is_active=True))
    consultation = consultation or Consultation(prefecture=prefecture, created_by=user)
    for name in ("kind", "title", "starts_at", "duration_minutes", "mode", "place", "status"):
        setattr(consultation, name, getattr(data, name))
    consultation.title = data.title.strip()
    consultation.theme, consultation.region = data.theme, data.region
    consultation.items = sorted(set(data.items))
    consultation.agenda, consultation.minutes = data.agenda, data.minutes
    consultation.save()
    consultation.advisors.set(data.advisors)
    consultation.municipalities.set(municipalities)
    return consultation


@transaction.atomic
def add_follow_up(
    consultation: Consultation,
    *,
    action: str,
    owner: str,
    due_on: dt.date | None = None,
    municipality: Municipality | None = None,
) -> FollowUp:
    problems = []
    if not action.strip():
        problems.append(_("対応事項を入力してください。"))
    if not owner.strip():
        problems.append(_("担当を入力してください。"))
    if municipality is not None and not consultation.municipalities.filter(pk=municipality.pk):
        problems.append(_("市町村はこの相談に参加した市町村から選んでください。"))
    if problems:
        raise ValidationError(problems)
    return FollowUp.objects.create(
        consultation=consultation,
        action=action.strip(),
        owner=owner.strip(),
        due_on=due_on,
        municipality=municipality,
    )


@transaction.atomic
def set_follow_up_done(follow_up: FollowUp, done: bool) -> FollowUp:
    follow_up.status = FollowUpStatus.DONE if done else FollowUpStatus.OPEN
    follow_up.done_on = timezone.localdate() if done else None
    follow_up.save(update_fields=["status", "done_on"])
    return follow_up


@transaction.atomic
def assign_advisor(fiscal_year: int, municipality: Municipality, advisor: User | None) -> None:
    """Make ``advisor`` the municipality's dedicated advisor for the year (None: nobody)."""
    if advisor is None:
        Assignment.objects.filter(fiscal_year=fiscal_year, municipality=municipality).delete()
        return
    if advisor.role != Role.ADVISOR or advisor.prefecture_id != municipality.prefecture_id:
        raise ValidationError(
            _("%(name)s は %(municipality)s の県のアドバイザーではありません。")
            % {"name": advisor, "municipality": municipality}
        )
    Assignment.objects.update_or_create(
        fiscal_year=fiscal_year, municipality=municipality, defaults={"advisor": advisor}
    )


@transaction.atomic
def save_plan(prefecture: Prefecture, fiscal_year: int, per_unit: dict[str, int | None]) -> None:
    """The yearly plan: consultations per municipality, theme or region, by kind."""
    for kind, count in per_unit.items():
        if kind not in Kind.values or kind == Kind.AD_HOC:
            raise ValidationError(_("随時相談には計画を立てられません。"))
        if count is None:
            Plan.objects.filter(prefecture=prefecture, fiscal_year=fiscal_year, kind=kind).delete()
        elif not 0 <= count <= 99:
            raise ValidationError(_("計画回数は 0〜99 の範囲で入力してください。"))
        else:
            Plan.objects.update_or_create(
                prefecture=prefecture,
                fiscal_year=fiscal_year,
                kind=kind,
                defaults={"per_unit": count},
            )


@transaction.atomic
def calendar_feed_for(user: User, *, reset: bool = False) -> CalendarFeed:
    """The user's secret feed address; ``reset`` replaces it (the old one stops working)."""
    feed = CalendarFeed.objects.filter(user=user).first()
    if feed is None:
        return CalendarFeed.objects.create(user=user, token=secrets.token_urlsafe(32))
    if reset:
        feed.token = secrets.token_urlsafe(32)
        feed.save(update_fields=["token"])
    return feed


def add_attachment(consultation: Consultation, uploaded: UploadedFile, *, user: User) -> Attachment:
    """Check, store and record a file (kyoso.core.uploads.store_and_record).

    Raises ValidationError (Japanese, naming the file) for a refused type or size."""
    return store_and_record(
        uploaded,
        "consultations",
        lambda stored: Attachment.objects.create(
            consultation=consultation,
            file=stored.name,
            original_name=stored.original_name,
            content_type=stored.content_type,
            size=stored.size,
            uploaded_by=user,
        ),
    )


def delete_attachment(attachment: Attachment) -> None:
    """Forget the record first: a file left behind is harmless, a record without one is not."""
    name = attachment.file
    attachment.delete()
    transaction.on_commit(lambda: default_storage.delete(name))


@transaction.atomic
def add_theme(prefecture: Prefecture, name: str) -> Theme:
    name = " ".join(name.split())
    if not name:
        raise ValidationError(_("テーマ名を入力してください。"))
    if len(name) > 100:
        raise ValidationError(_("テーマ名は100文字以内で入力してください。"))
    if Theme.objects.filter(prefecture=prefecture, name=name).exists():
        raise ValidationError(_("テーマ「%(name)s」はすでにあります。") % {"name": name})
    order = Theme.objects.filter(prefecture=prefecture).count()
    return Theme.objects.create(prefecture=prefecture, name=name, order=order)
