"""Search of the knowledge base: ``search(query, user, filters)``; and its index.

This module is the only one that knows the engine. Text is turned into normalised
Japanese terms by kyoso.knowledge.text (SudachiPy), then stored in the database's own
full-text index: an FTS5 table on SQLite (ranked by BM25), a weighted ``tsvector`` on
PostgreSQL (ranked by ``ts_rank``). Both receive the same terms and the same query, so
they find the same entries; only scores differ in scale.

A query matches entries that contain every term (a compound such as 電子申請 matches as
a whole or by all of its parts); when no entry has them all, entries with any of them,
best first. Only published entries are indexed, and every query is limited to what the
user may see, so nothing else is found, counted or snippeted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count
from django.utils.safestring import SafeString, mark_safe

from kyoso.accounts.models import Role

from . import text
from .models import Entry, Kind, SearchDocument, SearchFacet, SearchSurfaces, Status, Visibility

FACETS = ("kind", "theme", "item", "municipality", "region", "year", "tag")
SNIPPET_LENGTH = 120
FACET_SAMPLE = 1000  # facet counts cover at most the best this many matches
# Column weights: a term in the title counts most, then tags/themes, summary, body.
SQLITE_WEIGHTS = (8.0, 4.0, 2.0, 1.0)  # fts5 columns: title, tags, summary, body
POSTGRES_WEIGHTS = "{0.1, 0.25, 0.5, 1.0}"  # ts_rank order: D (body), C, B, A (title)


# --- indexing -----------------------------------------------------------------------------


def _fields(entry: Entry) -> dict[str, str]:
    themes = " ".join(t.name for t in entry.themes.all())
    return {
        "title": entry.title,
        "tags": " ".join([*entry.tags, themes]),
        "summary": entry.summary,
        "body": entry.body,
    }


def _facets(entry: Entry) -> list[tuple[str, str]]:
    pairs = [("kind", entry.kind), ("year", str(entry.fiscal_year))]
    if entry.municipality_id:
        pairs.append(("municipality", entry.municipality.code))
        if entry.municipality.region_id:
            pairs.append(("region", str(entry.municipality.region_id)))
    pairs += [("theme", str(t.pk)) for t in entry.themes.all()]
    pairs += [("item", str(code)) for code in dict.fromkeys(entry.items)]
    pairs += [("tag", tag[:40]) for tag in dict.fromkeys(entry.tags)]
    return pairs


@transaction.atomic
def index_entry(entry: Entry) -> None:
    """Put one entry in the index as it is now; a draft is taken out of it."""
    remove_entry(entry.pk)
    if entry.status != Status.PUBLISHED:
        return
    terms: dict[str, list[str]] = {}
    surfaces: dict[str, list[str]] = {}
    for name, value in _fields(entry).items():
        terms[name], found = text.index_document(value)
        for term, seen in found.items():
            surfaces.setdefault(term, [])
            surfaces[term] += [s for s in seen if s not in surfaces[term]]
    SearchDocument.objects.create(
        entry=entry,
        prefecture_id=entry.prefecture_id,
        visibility=entry.visibility,
        published_at=entry.published_at,
    )
    SearchSurfaces.objects.create(entry=entry, surfaces=surfaces)
    SearchFacet.objects.bulk_create(
        SearchFacet(entry=entry, facet=facet, value=value) for facet, value in _facets(entry)
    )
    _engine().write(entry.pk, terms)


@transaction.atomic
def remove_entry(entry_id: int) -> None:
    _engine().delete(entry_id)
    SearchFacet.objects.filter(entry_id=entry_id).delete()
    SearchSurfaces.objects.filter(entry_id=entry_id).delete()
    SearchDocument.objects.filter(entry_id=entry_id).delete()


@transaction.atomic
def reindex_all(progress=None) -> int:
    """Rebuild the whole index from the entries; returns how many are indexed.

    One transaction: searches keep seeing the old index until the new one is complete."""
    _engine().clear()
    SearchFacet.objects.all().delete()
    SearchSurfaces.objects.all().delete()
    SearchDocument.objects.all().delete()
    entries = (
        Entry.objects.filter(status=Status.PUBLISHED)
        .select_related("municipality")
        .prefetch_related("themes")
    )
    total = entries.count()
    done = 0
    for entry in entries.iterator(chunk_size=500):
        index_entry(entry)
        done += 1
        if progress:
            progress(done, total)
    return done


# --- engines --------------------------------------------------------------------------------


class _SQLite:
    """FTS5: terms joined by spaces, one column per field, BM25 (lower is better)."""

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM knowledge_fts")

    def delete(self, entry_id: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM knowledge_fts WHERE rowid = %s", [entry_id])

    def write(self, entry_id: int, terms: dict[str, list[str]]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO knowledge_fts (rowid, title, tags, summary, body) "
                "VALUES (%s, %s, %s, %s, %s)",
                [entry_id, *(" ".join(terms[f]) for f in ("title", "tags", "summary", "body"))],
            )

    @staticmethod
    def _quote(term: str) -> str:
        return '"' + term.replace('"', '""') + '"'

    def expression(self, terms: list[text.QueryTerm], every: bool) -> str:
        groups = []
        for term in terms:
            whole = self._quote(term.term)
            if term.parts:
                parts = " AND ".join(self._quote(p) for p in term.parts)
                groups.append(f"({whole} OR ({parts}))")
            else:
                groups.append(whole)
        return (" AND " if every else " OR ").join(groups)

    def matches(self, expression: str, *, scored: bool = True) -> tuple[str, list]:
        """SQL selecting (entry_id, score) for a match; higher score is better."""
        weights = ", ".join(str(w) for w in SQLITE_WEIGHTS)
        score = f"-bm25(knowledge_fts, {weights})" if scored else "0"
        return (
            f"SELECT rowid AS entry_id, {score} AS score "
            "FROM knowledge_fts WHERE knowledge_fts MATCH %s",
            [expression],
        )


class _PostgreSQL:
    """A tsvector written as a literal (no parser: the terms are already normalised),
    weighted A title, B tags, C summary, D body; ranked by ts_rank."""

    MAX_POSITION = 16383
    MAX_POSITIONS_PER_TERM = 256

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE knowledge_searchdocument SET vector = ''::tsvector")

    def delete(self, entry_id: int) -> None:
        pass  # the vector lives on the SearchDocument row, deleted with it

    @staticmethod
    def _lexeme(term: str) -> str:
        return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"

    def write(self, entry_id: int, terms: dict[str, list[str]]) -> None:
        positions: dict[str, list[str]] = defaultdict(list)
        position = 0
        for name, weight in (("title", "A"), ("tags", "B"), ("summary", "C"), ("body", "D")):
            for term in terms[name]:
                position = min(position + 1, self.MAX_POSITION)
                if len(positions[term]) < self.MAX_POSITIONS_PER_TERM:
                    positions[term].append(f"{position}{weight}")
            position = min(position + 10, self.MAX_POSITION)  # fields are not adjacent
        vector = " ".join(f"{self._lexeme(t)}:{','.join(p)}" for t, p in positions.items())
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE knowledge_searchdocument SET vector = %s::tsvector WHERE entry_id = %s",
                [vector, entry_id],
            )

    def expression(self, terms: list[text.QueryTerm], every: bool) -> str:
        groups = []
        for term in terms:
            whole = self._lexeme(term.term)
            if term.parts:
                parts = " & ".join(self._lexeme(p) for p in term.parts)
                groups.append(f"({whole} | ({parts}))")
            else:
                groups.append(whole)
        return (" & " if every else " | ").join(groups)

    def matches(self, expression: str, *, scored: bool = True) -> tuple[str, list]:
        if not scored:
            return (
                "SELECT entry_id, 0 AS score FROM knowledge_searchdocument "
                "WHERE vector @@ %s::tsquery",
                [expression],
            )
        return (
            "SELECT entry_id, ts_rank(%s::float4[], vector, %s::tsquery, 1) AS score "
            "FROM knowledge_searchdocument WHERE vector @@ %s::tsquery",
            [POSTGRES_WEIGHTS, expression, expression],
        )


def _engine():
    if connection.vendor == "postgresql":
        return _PostgreSQL()
    if connection.vendor == "sqlite":
        return _SQLite()
    raise NotImplementedError(
        f"Knowledge search supports SQLite and PostgreSQL, not {connection.vendor}"
    )


# --- searching ------------------------------------------------------------------------------


@dataclass
class Hit:
    entry: Entry
    score: float
    snippet: SafeString


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class SearchResult:
    query: str
    hits: list[Hit]
    total: int
    facets: dict[str, list[FacetValue]]
    terms: list[str]
    matched_all: bool = True  # False: no entry had every term, these have some
    facets_sampled: bool = False  # True: facet counts are over the best FACET_SAMPLE only
    filters: dict[str, str] = field(default_factory=dict)


def visible_condition(user) -> tuple[str, list]:
    """SQL over knowledge_searchdocument ``d``: what the user may see of the index.

    ``None`` is the operator of a script (search_knowledge without --as): everything
    published. Pages always pass the request's user, anonymous included."""
    if user is None:
        return "1 = 1", []
    if not getattr(user, "is_authenticated", False):
        return "d.visibility = %s", [Visibility.PUBLIC]
    if user.role in (Role.PREFECTURE_ADMIN, Role.ADVISOR) and user.prefecture_id:
        return (
            "(d.visibility IN (%s, %s) OR (d.visibility = %s AND d.prefecture_id = %s))",
            [Visibility.PUBLIC, Visibility.MEMBERS, Visibility.PREFECTURE, user.prefecture_id],
        )
    return "d.visibility IN (%s, %s)", [Visibility.PUBLIC, Visibility.MEMBERS]


def clean_filters(filters) -> dict[str, str]:
    return {k: str(v) for k, v in (filters or {}).items() if k in FACETS and v not in ("", None)}


def search(query: str, user, filters=None, *, limit: int = 10, offset: int = 0) -> SearchResult:
    """Entries the user may see that match ``query`` (all when empty), best first, with
    snippets, the total and facet counts; ``filters`` maps facet names to values.

    Three statements: the count (without scores), the best FACET_SAMPLE matches with
    their scores (the page is cut from them), and the facet counts of those matches."""
    filters = clean_filters(filters)
    terms = text.query_terms(query or "")
    engine = _engine()
    matched_all = True
    if terms:
        expression = engine.expression(terms, every=True)
        total = _count(*_matching(engine, expression, user, filters, scored=False))
        if total == 0 and len(terms) > 1:
            matched_all = False
            expression = engine.expression(terms, every=False)
            total = _count(*_matching(engine, expression, user, filters, scored=False))
        base, params = _matching(engine, expression, user, filters, scored=True)
        order = "m.score DESC, m.entry_id DESC"
    else:
        base, params = _all_visible(user, filters)
        total = _count(base, params)
        order = "m.published_at DESC, m.entry_id DESC"
    ranked: list[tuple[int, float]] = []
    if total:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT m.entry_id, m.score FROM ({base}) m ORDER BY {order} LIMIT %s",
                [*params, max(FACET_SAMPLE, offset + limit)],
            )
            ranked = cursor.fetchall()
    return SearchResult(
        query=query,
        hits=_hits(ranked[offset : offset + limit], terms),
        total=total,
        facets=_facet_counts([i for i, _ in ranked[:FACET_SAMPLE]], filters) if total else {},
        facets_sampled=total > FACET_SAMPLE,
        terms=[t.term for t in terms],
        matched_all=matched_all,
        filters=filters,
    )


def _filter_sql(filters: dict[str, str]) -> tuple[str, list]:
    sql, params = "", []
    for facet, value in filters.items():
        sql += (
            " AND d.entry_id IN (SELECT f.entry_id FROM knowledge_searchfacet f "
            "WHERE f.facet = %s AND f.value = %s)"
        )
        params += [facet, value]
    return sql, params


def _matching(engine, expression: str, user, filters, *, scored: bool) -> tuple[str, list]:
    """The visible matches; ``scored`` adds the rank (costly: counting does without)."""
    match_sql, match_params = engine.matches(expression, scored=scored)
    visible, visible_params = visible_condition(user)
    where, where_params = _filter_sql(filters)
    return (
        f"SELECT d.entry_id, s.score, d.published_at FROM ({match_sql}) s "
        f"JOIN knowledge_searchdocument d ON d.entry_id = s.entry_id WHERE {visible}{where}",
        [*match_params, *visible_params, *where_params],
    )


def _all_visible(user, filters) -> tuple[str, list]:
    visible, visible_params = visible_condition(user)
    where, where_params = _filter_sql(filters)
    return (
        f"SELECT d.entry_id, 0 AS score, d.published_at FROM knowledge_searchdocument d "
        f"WHERE {visible}{where}",
        [*visible_params, *where_params],
    )


def _count(base: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({base}) m", params)
        return cursor.fetchone()[0]


def _hits(page: list[tuple[int, float]], terms: list[text.QueryTerm]) -> list[Hit]:
    ids = [entry_id for entry_id, _ in page]
    entries = Entry.objects.select_related("municipality", "search_surfaces").in_bulk(ids)
    wanted = {t.term for t in terms} | {p for t in terms for p in t.parts}
    hits = []
    for entry_id, score in page:
        entry = entries[entry_id]
        stored = getattr(entry, "search_surfaces", None)
        known = stored.surfaces if stored else {}
        surfaces = {s for term in wanted for s in known.get(term, [])}
        excerpt = text.snippet(f"{entry.summary}\n{entry.body}", surfaces, SNIPPET_LENGTH)
        hits.append(Hit(entry, float(score or 0), mark_safe(excerpt)))  # noqa: S308 - escaped by text.snippet
    return hits


def _facet_counts(ids: list[int], filters: dict[str, str]) -> dict[str, list[FacetValue]]:
    """Counts per facet value over the given matches: the whole result, or its best
    FACET_SAMPLE entries when it is larger (the page says so). Counting every facet of
    tens of thousands of matches took over a second on 100,000 entries."""
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for facet, value, count in (
        SearchFacet.objects.filter(entry_id__in=ids)
        .values_list("facet", "value")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("facet", "value", "n")
    ):
        counts[facet][value] = count
    labels = _facet_labels(counts)
    result = {}
    for facet in FACETS:
        values = [
            FacetValue(value, labels.get((facet, value), value), count, filters.get(facet) == value)
            for value, count in counts.get(facet, {}).items()
        ]
        order = (lambda v: -int(v.value)) if facet == "year" else (lambda v: (-v.count, v.label))
        result[facet] = sorted(values, key=order)
    return result


def _facet_labels(counts: dict[str, dict[str, int]]) -> dict[tuple[str, str], str]:
    from kyoso.consultations.models import Theme
    from kyoso.core.templatetags.kyoso import fiscal_year
    from kyoso.municipalities.models import Municipality, Region

    labels = {("kind", value): str(label) for value, label in Kind.choices}
    theme_ids = [int(v) for v in counts.get("theme", {})]
    labels |= {("theme", str(t.pk)): t.name for t in Theme.objects.filter(pk__in=theme_ids)}
    codes = list(counts.get("municipality", {}))
    labels |= {
        ("municipality", code): name
        for code, name in Municipality.objects.filter(code__in=codes).values_list("code", "name")
    }
    region_ids = [int(v) for v in counts.get("region", {})]
    labels |= {("region", str(r.pk)): r.name for r in Region.objects.filter(pk__in=region_ids)}
    labels |= {("year", y): fiscal_year(int(y)) for y in counts.get("year", {})}
    return labels
