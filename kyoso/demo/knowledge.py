"""Demo knowledge base: the corpus of kyoso/demo/knowledge_corpus.py, people who know, and
the Q&A drafts of the example Slack export in kyoso/demo/slack_export/ (shipped unzipped
so it can be read; zipped here as Slack would deliver it)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

from kyoso.accounts.models import User
from kyoso.consultations.models import Theme
from kyoso.knowledge.actions import EntryData, ProfileData, save_entry, save_profile
from kyoso.knowledge.models import Entry, SearchDocument
from kyoso.knowledge.slack_import import import_slack_export
from kyoso.municipalities.models import Municipality, Prefecture

from .knowledge_corpus import ENTRIES, PROFILES

SLACK_EXPORT = Path(__file__).resolve().parent / "slack_export"
TOKYO = ZoneInfo("Asia/Tokyo")


def slack_export_zip() -> bytes:
    """The example export as the ZIP a Slack admin downloads."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(SLACK_EXPORT.rglob("*.json")):
            archive.write(path, path.relative_to(SLACK_EXPORT).as_posix())
    return buffer.getvalue()


def _published_at(fiscal_year: int, index: int) -> dt.datetime:
    """A date inside the fiscal year, spread so the newest list looks like real use."""
    start = dt.datetime(fiscal_year, 4, 10, 10, tzinfo=TOKYO)
    return start + dt.timedelta(days=(index * 37) % 330, hours=index % 7)


def seed_knowledge(prefecture: Prefecture) -> int:
    """Entries, profiles and Slack drafts; does nothing when entries already exist."""
    if Entry.objects.filter(prefecture=prefecture).exists():
        return 0
    users = {u.email: u for u in User.objects.all()}
    themes = {t.name: t for t in Theme.objects.filter(prefecture=prefecture)}
    municipalities = {m.code: m for m in Municipality.objects.filter(prefecture=prefecture)}
    for index, spec in enumerate(ENTRIES):
        authors = [users[email] for email in spec["authors"] if email in users]
        entry = save_entry(
            prefecture,
            EntryData(
                kind=spec["kind"],
                title=spec["title"],
                summary=spec["summary"],
                body=spec["body"],
                municipality=municipalities.get(spec["municipality"] or ""),
                themes=[themes[name] for name in spec["themes"] if name in themes],
                items=spec["items"],
                tags=spec["tags"],
                fiscal_year=spec["fiscal_year"],
                visibility=spec["visibility"],
                authors=authors,
            ),
            user=authors[0] if authors else None,
            publish=True,
            source_key=f"demo:{spec['key']}",  # the corpus key: benchmarks map queries by it
        )
        when = _published_at(spec["fiscal_year"], index)
        Entry.objects.filter(pk=entry.pk).update(published_at=when)
        SearchDocument.objects.filter(entry_id=entry.pk).update(published_at=when)
    for spec in PROFILES:
        user = users.get(spec["email"])
        if user is None:
            continue
        save_profile(
            user,
            ProfileData(
                title=spec["title"],
                bio=spec["bio"],
                themes=[themes[name] for name in spec["themes"] if name in themes],
                items=spec["items"],
                tags=spec["tags"],
                contact=spec["contact"],
                contact_visibility=spec["contact_visibility"],
            ),
        )
    admin = User.objects.filter(email__startswith="pref@", prefecture=prefecture).first()
    import_slack_export(prefecture, slack_export_zip(), user=admin)
    return len(ENTRIES)
