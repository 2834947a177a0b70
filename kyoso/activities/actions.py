"""Every write to events, attendance and dispatch records: one transaction each."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kyoso.accounts.models import User
from kyoso.municipalities.models import Municipality, Prefecture

from .models import Attendance, Dispatch, Event, EventKind, Programme


@dataclass
class EventData:
    kind: str
    title: str
    held_on: dt.date
    place: str = ""
    online: bool = False
    audience: str = ""
    notes: str = ""


@dataclass
class AttendanceRow:
    municipality: Municipality
    people: int
    names: str = ""


@transaction.atomic
def save_event(
    prefecture: Prefecture,
    data: EventData,
    attendance: list[AttendanceRow],
    *,
    user: User,
    event: Event | None = None,
) -> Event:
    """Create or update an event and replace its attendance, all or nothing."""
    problems = []
    if data.kind not in EventKind.values:
        problems.append(_("種類を選んでください。"))
    if not data.title.strip():
        problems.append(_("名称を入力してください。"))
    seen = set()
    for row in attendance:
        if row.municipality.prefecture_id != prefecture.pk:
            problems.append(
                _("%(name)s は この県の市町村ではありません。") % {"name": row.municipality}
            )
        if row.municipality.pk in seen:
            problems.append(_("%(name)s が2回入力されています。") % {"name": row.municipality})
        seen.add(row.municipality.pk)
        if row.people < 1:
            problems.append(
                _("%(name)s の参加人数は1以上の整数で入力してください。")
                % {"name": row.municipality}
            )
    if problems:
        raise ValidationError(problems)
    event = event or Event(prefecture=prefecture, created_by=user)
    for name in ("kind", "held_on", "place", "online", "audience", "notes"):
        setattr(event, name, getattr(data, name))
    event.title = data.title.strip()
    event.save()
    event.attendances.all().delete()
    Attendance.objects.bulk_create(
        Attendance(event=event, municipality=r.municipality, people=r.people, names=r.names.strip())
        for r in attendance
    )
    return event


@transaction.atomic
def record_dispatch(
    municipality: Municipality,
    *,
    programme: str,
    held_on: dt.date,
    theme: str,
    advisor_name: str = "",
    notes: str = "",
    user: User | None = None,
) -> Dispatch:
    """One use of a national dispatch programme (the evidence for D7)."""
    problems = []
    if programme not in Programme.values:
        problems.append(_("制度を選んでください。"))
    if not theme.strip():
        problems.append(_("テーマを入力してください。"))
    if problems:
        raise ValidationError(problems)
    return Dispatch.objects.create(
        municipality=municipality,
        programme=programme,
        held_on=held_on,
        theme=theme.strip(),
        advisor_name=advisor_name.strip(),
        notes=notes.strip(),
        created_by=user,
    )
