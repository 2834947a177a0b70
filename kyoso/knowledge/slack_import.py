"""Slack threads into Q&A drafts, for the prefecture to review and publish.

Each thread of the export (a question with at least one reply) becomes one draft Q&A:
the question, every answer with its author and date. Authors are matched to Kyoso
accounts by e-mail; others appear by name. A thread already imported (same channel and
thread timestamp) is skipped, so importing the same export twice creates nothing new.
The whole import is one transaction: a bad export changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from kyoso.accounts.models import User
from kyoso.lib.fiscal import fiscal_year_of, to_tokyo_date
from kyoso.municipalities.models import Prefecture

from .actions import EntryData, save_entry
from .models import Entry, Kind, Source, Visibility
from .slack import SlackExport, SlackMessage, SlackThread, read_export

TITLE_LENGTH = 60
SUMMARY_LENGTH = 120


@dataclass(frozen=True)
class SlackImportResult:
    created: list[Entry]
    skipped: int  # threads imported before
    threads: int


def source_key(thread: SlackThread) -> str:
    return f"slack:{thread.key}"[:200]


def _one_line(text: str, length: int) -> str:
    line = " ".join(text.split())
    return line if len(line) <= length else line[: length - 1] + "…"


def _who(message: SlackMessage, accounts: dict[str, User]) -> str:
    user = accounts.get(message.email.lower()) if message.email else None
    return user.name if user else message.user_name


def _when(message: SlackMessage) -> str:
    day = to_tokyo_date(message.posted_at)
    return day.isoformat()


def thread_body(thread: SlackThread, accounts: dict[str, User]) -> str:
    """The thread as Markdown: the question, then each answer under its author and date."""
    lines = [
        _("## 質問"),
        "",
        f"**{_who(thread.question, accounts)}**（{_when(thread.question)}）",
        "",
        thread.question.text,
    ]
    if thread.question.files:
        lines += [
            "",
            _("添付（Slack 上のファイル）: %(files)s")
            % {"files": "、".join(thread.question.files)},
        ]
    lines += ["", _("## 回答")]
    for answer in thread.answers:
        lines += ["", f"### {_who(answer, accounts)}（{_when(answer)}）", "", answer.text]
        if answer.files:
            lines += [
                "",
                _("添付（Slack 上のファイル）: %(files)s") % {"files": "、".join(answer.files)},
            ]
    lines += ["", _("（Slack #%(channel)s から取り込み）") % {"channel": thread.channel}]
    return "\n".join(lines)


def import_slack_export(prefecture: Prefecture, data, *, user: User | None) -> SlackImportResult:
    """Read the export (SlackExportError for a bad one) and create the drafts."""
    export: SlackExport = read_export(data)
    emails = {u.email.lower() for u in export.users.values() if u.email}
    # Case-insensitive: Slack keeps whatever case people typed.
    accounts = {
        u.email.lower(): u
        for u in User.objects.annotate(lower_email=Lower("email")).filter(
            lower_email__in=emails, is_active=True
        )
    }
    existing = set(
        Entry.objects.filter(prefecture=prefecture, source=Source.SLACK).values_list(
            "source_key", flat=True
        )
    )
    created = []
    with transaction.atomic():
        for thread in export.threads:
            key = source_key(thread)
            if key in existing:
                continue
            messages = [thread.question, *thread.answers]
            authors = list(
                {id(a): a for m in messages if (a := accounts.get(m.email.lower()))}.values()
            )
            unmapped = list(
                dict.fromkeys(m.user_name for m in messages if not accounts.get(m.email.lower()))
            )
            day = to_tokyo_date(thread.question.posted_at)
            created.append(
                save_entry(
                    prefecture,
                    EntryData(
                        kind=Kind.QA,
                        title=_one_line(thread.question.text, TITLE_LENGTH) or _("Slack の相談"),
                        summary=_one_line(thread.question.text, SUMMARY_LENGTH),
                        body=thread_body(thread, accounts),
                        fiscal_year=fiscal_year_of(day),
                        visibility=Visibility.PREFECTURE,
                        authors=authors,
                        author_names="、".join(unmapped)[:300],
                        tags=["Slack"],
                    ),
                    user=user,
                    publish=False,
                    source=Source.SLACK,
                    source_key=key,
                )
            )
            existing.add(key)
    return SlackImportResult(created, len(export.threads) - len(created), len(export.threads))
