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

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import chain

from django.db import connection, transaction
from django.utils.safestring import SafeString, mark_safe

from kyoso.accounts.models import Role

from . import text
from .models import Entry, Kind, SearchDocument, SearchFacet, SearchSurfaces, Status, Visibility

FACETS = ("kind", "theme", "item", "municipality", "region", "year", "tag")
SNIPPET_LENGTH = 120
FACET_SAMPLE = 1000  # facet counts cover at most the best this many matches
RANK_WINDOW = 5000  # a broader search ranks its newest this many matches (see search())
TEXT_FIELDS = ("title", "tags", "summary", "body")
FEW_WITH_EVERY_WORD = 10  # fewer entries than this with every word: add those with some
NARROW_FILTER = 5000  # a filtered list without words sorts its entries up to this many
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
    tags = (" ".join(tag.split())[:40] for tag in entry.tags)  # one line, as filters see it
    pairs += [("tag", tag) for tag in dict.fromkeys(tags) if tag]
    return pairs


@transaction.atomic
def index_entry(entry: Entry) -> None:
    """Put one entry in the index as it is now; a draft is taken out of it."""
    remove_entry(entry.pk)
    if entry.status != Status.PUBLISHED:
        return
    terms: dict[str, list[str]] = {}
    surfaces: dict[str, list[str]] = {}
    facets = _facets(entry)
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
        facets="\n".join(f"{facet}={value}" for facet, value in facets),
    )
    SearchSurfaces.objects.create(entry=entry, surfaces=surfaces)
    SearchFacet.objects.bulk_create(
        SearchFacet(entry=entry, facet=facet, value=value) for facet, value in facets
    )
    _engine().write(entry.pk, terms, entry_keys(entry.visibility, entry.prefecture_id, facets))


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
    _engine().compact()
    return done


# --- engines --------------------------------------------------------------------------------
#
# Besides the words, every indexed entry carries *keys*: opaque tokens for its visibility and
# its facet values. A search asks the engine for "these words, these keys, none of the keys
# this user may not see", so counting and ranking never leave the full-text index.


def key_token(name: str, value: object = "") -> str:
    """The token that stands for ``name=value`` among an entry's keys (never a word)."""
    digest = hashlib.blake2b(f"{name}={value}".encode(), digest_size=8).hexdigest()
    return "k" + digest


def entry_keys(visibility: str, prefecture_id, facets) -> list[str]:
    """The keys of an indexed entry: its visibility and its (facet, value) pairs."""
    keys = [key_token("visibility", visibility)]
    if visibility == Visibility.PREFECTURE:
        keys.append(key_token("prefecture", prefecture_id))
    keys += [key_token(facet, value) for facet, value in facets]
    return keys


def hidden_keys(user) -> list[tuple[str, str | None]]:
    """What the user may not see, as (key, unless key): entries with the first key are
    hidden unless they also have the second. ``None`` (the operator) sees everything."""
    if user is None:
        return []
    prefecture_only = key_token("visibility", Visibility.PREFECTURE)
    if not getattr(user, "is_authenticated", False):
        return [(key_token("visibility", Visibility.MEMBERS), None), (prefecture_only, None)]
    if user.role in (Role.PREFECTURE_ADMIN, Role.ADVISOR) and user.prefecture_id:
        return [(prefecture_only, key_token("prefecture", user.prefecture_id))]
    return [(prefecture_only, None)]


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class _SQLite:
    """FTS5: terms joined by spaces, one column per field plus ``keys``; BM25."""

    WEIGHTS = ", ".join(str(w) for w in (*SQLITE_WEIGHTS, 0.0))  # keys never score

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM knowledge_fts")

    def delete(self, entry_id: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM knowledge_fts WHERE rowid = %s", [entry_id])

    def compact(self) -> None:
        """Merge the index's segments: after a rebuild in place FTS5 was 40 % larger and
        broad queries a third slower until this ran."""
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO knowledge_fts (knowledge_fts) VALUES ('optimize')")

    def write(self, entry_id: int, terms: dict[str, list[str]], keys: list[str]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO knowledge_fts (rowid, title, tags, summary, body, keys) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                [entry_id, *(" ".join(terms[f]) for f in TEXT_FIELDS), " ".join(keys)],
            )

    @staticmethod
    def _quote(term: str) -> str:
        return '"' + term.replace('"', '""') + '"'

    def expression(self, terms, every: bool, required: list[str], hidden) -> str:
        """The MATCH text: these words (all, or any), these keys, none of the hidden ones.
        Without words there must be required keys (FTS5 cannot match by NOT alone)."""
        groups = []
        for term in terms:
            whole = self._quote(term.term)
            if term.parts:
                parts = " AND ".join(self._quote(p) for p in term.parts)
                groups.append(f"({whole} OR ({parts}))")
            else:
                groups.append(whole)
        words = (" AND " if every else " OR ").join(groups)
        expression = f"{{title tags summary body}} : ({words})" if words else ""
        if required:
            keys = f"{{keys}} : ({' AND '.join(required)})"
            expression = f"({expression}) AND {keys}" if expression else keys
        if hidden:
            unseen = [key if unless is None else f"({key} NOT {unless})" for key, unless in hidden]
            expression = f"({expression}) NOT {{keys}} : ({' OR '.join(unseen)})"
        return expression

    def count(self, expression: str) -> int:
        sql = "SELECT COUNT(*) FROM knowledge_fts WHERE knowledge_fts MATCH %s"
        return _rows(sql, [expression])[0][0]

    def nth_newest(self, expression: str, n: int) -> int | None:
        rows = _rows(
            "SELECT rowid FROM knowledge_fts WHERE knowledge_fts MATCH %s "
            "ORDER BY rowid DESC LIMIT 1 OFFSET %s",
            [expression, n - 1],
        )
        return rows[0][0] if rows else None

    def ranked(self, expression: str, limit: int, since: int) -> list[tuple[int, float, object]]:
        """(entry id, score, facets) of the best matches from entry ``since`` on; the
        higher the score the better."""
        return _rows(
            "SELECT r.entry_id, r.score, d.facets FROM ("
            f"SELECT rowid AS entry_id, -bm25(knowledge_fts, {self.WEIGHTS}) AS score "
            "FROM knowledge_fts WHERE knowledge_fts MATCH %s AND rowid >= %s "
            f"ORDER BY bm25(knowledge_fts, {self.WEIGHTS}), rowid DESC LIMIT %s) r "
            "JOIN knowledge_searchdocument d ON d.entry_id = r.entry_id "
            "ORDER BY r.score DESC, r.entry_id DESC",
            [expression, since, limit],
        )


class _PostgreSQL:
    """Two tsvectors written as literals (no parser: the terms are already normalised):
    ``vector`` weighted A title, B tags, C summary, D body and ranked by ts_rank, and
    ``keys``. A search is a pair of tsqueries, one for each."""

    MAX_POSITION = 16383
    MAX_POSITIONS_PER_TERM = 256

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE knowledge_searchdocument SET vector = ''::tsvector, keys = ''::tsvector"
            )

    def delete(self, entry_id: int) -> None:
        pass  # the vectors live on the SearchDocument row, deleted with it

    def compact(self) -> None:
        pass  # VACUUM cannot run inside the rebuild's transaction; autovacuum does it

    @staticmethod
    def _lexeme(term: str) -> str:
        return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"

    def write(self, entry_id: int, terms: dict[str, list[str]], keys: list[str]) -> None:
        positions: dict[str, list[str]] = defaultdict(list)
        position = 0
        for name, weight in zip(TEXT_FIELDS, "ABCD", strict=True):
            for term in terms[name]:
                position = min(position + 1, self.MAX_POSITION)
                if len(positions[term]) < self.MAX_POSITIONS_PER_TERM:
                    positions[term].append(f"{position}{weight}")
            position = min(position + 10, self.MAX_POSITION)  # fields are not adjacent
        vector = " ".join(f"{self._lexeme(t)}:{','.join(p)}" for t, p in positions.items())
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE knowledge_searchdocument SET vector = %s::tsvector, keys = %s::tsvector "
                "WHERE entry_id = %s",
                [vector, " ".join(keys), entry_id],
            )

    def expression(self, terms, every: bool, required: list[str], hidden) -> tuple[str, str]:
        groups = []
        for term in terms:
            whole = self._lexeme(term.term)
            if term.parts:
                parts = " & ".join(self._lexeme(p) for p in term.parts)
                groups.append(f"({whole} | ({parts}))")
            else:
                groups.append(whole)
        words = (" & " if every else " | ").join(groups)
        keys = [*required]
        for key, unless in hidden:
            keys.append(f"!{key}" if unless is None else f"!({key} & !{unless})")
        return words, " & ".join(keys)

    def _where(self, expression: tuple[str, str]) -> tuple[str, list]:
        conditions = {"vector": expression[0], "keys": expression[1]}
        used = {column: query for column, query in conditions.items() if query}
        return " AND ".join(f"{column} @@ %s::tsquery" for column in used), list(used.values())

    def count(self, expression) -> int:
        where, params = self._where(expression)
        sql = f"SELECT COUNT(*) FROM knowledge_searchdocument WHERE {where}"
        return _rows(sql, params)[0][0]

    def nth_newest(self, expression, n: int) -> int | None:
        where, params = self._where(expression)
        rows = _rows(
            f"SELECT entry_id FROM knowledge_searchdocument WHERE {where} "
            "ORDER BY entry_id DESC LIMIT 1 OFFSET %s",
            [*params, n - 1],
        )
        return rows[0][0] if rows else None

    def ranked(self, expression, limit: int, since: int) -> list[tuple[int, float, object]]:
        where, params = self._where(expression)
        return _rows(
            "SELECT entry_id, ts_rank(%s::float4[], vector, %s::tsquery, 1) AS score, facets "
            f"FROM knowledge_searchdocument WHERE {where} AND entry_id >= %s "
            "ORDER BY score DESC, entry_id DESC LIMIT %s",
            [POSTGRES_WEIGHTS, expression[0], *params, since, limit],
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
    ranked_total: int  # how many of them are ranked and can be paged through
    facets: dict[str, list[FacetValue]]
    terms: list[str] = field(default_factory=list)
    with_every_word: int | None = None  # how many have every term (None: no words)
    facets_sampled: bool = False  # True: facet counts are over the best FACET_SAMPLE only
    filters: dict[str, str] = field(default_factory=dict)

    @property
    def matched_all(self) -> bool:
        """Every entry found has every word (else those with some follow them)."""
        return self.with_every_word is None or self.with_every_word == self.total


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

    Entries with every word come first. When fewer than FEW_WITH_EVERY_WORD have them
    all (a question written as a sentence often has one word no entry uses), entries
    with any of the words follow, best first.

    A query is answered inside the full-text index: the count, then the best FACET_SAMPLE
    matches with their scores (the page is cut from them, the facets are counted over
    them). Scoring costs 1–4 µs per match, so a query with more than
    RANK_WINDOW matches ranks the newest RANK_WINDOW of them (``ranked_total``; the page
    says so); narrowing it by words or filters ranks all of it again."""
    filters = clean_filters(filters)
    terms = text.query_terms(query or "")
    if not terms:
        return _newest(query, user, filters, limit=limit, offset=offset)
    engine = _engine()
    required = [key_token(facet, value) for facet, value in filters.items()]
    hidden = hidden_keys(user)
    wanted = max(FACET_SAMPLE, offset + limit)
    every = engine.expression(terms, True, required, hidden)
    with_every_word = total = engine.count(every)
    ranked = _ranked(engine, every, total, wanted)
    if with_every_word < FEW_WITH_EVERY_WORD and len(terms) > 1:
        some = engine.expression(terms, False, required, hidden)
        total = engine.count(some)
        first = {row[0] for row in ranked}
        ranked += [row for row in _ranked(engine, some, total, wanted) if row[0] not in first]
    return SearchResult(
        query=query,
        hits=_hits(ranked[offset : offset + limit], terms),
        total=total,
        ranked_total=min(total, RANK_WINDOW),
        facets=_facet_counts(ranked[:FACET_SAMPLE], filters) if total else {},
        facets_sampled=total > FACET_SAMPLE,
        terms=[t.term for t in terms],
        with_every_word=with_every_word,
        filters=filters,
    )


def _ranked(engine, expression, total: int, wanted: int) -> list[tuple]:
    """The best ``wanted`` of ``total`` matches, from the newest RANK_WINDOW of them."""
    if not total:
        return []
    since = engine.nth_newest(expression, RANK_WINDOW) if total > RANK_WINDOW else 0
    return engine.ranked(expression, wanted, since)


def _newest(query: str, user, filters, *, limit: int, offset: int) -> SearchResult:
    """No words: every visible entry (filtered), newest published first.

    The list walks the newest-first index and checks each entry's filters, which stops
    early when many entries pass; for a filter that few entries pass (fewer than
    NARROW_FILTER, counted in the full-text index by keys) it starts from those entries
    and sorts them instead. SQLite has no statistics to choose this itself."""
    visible, params = visible_condition(user)
    if filters:
        engine = _engine()
        required = [key_token(facet, value) for facet, value in filters.items()]
        total = engine.count(engine.expression([], True, required, hidden_keys(user)))
        for facet, value in filters.items():
            if total <= NARROW_FILTER:
                visible += (
                    " AND d.entry_id IN (SELECT f.entry_id FROM knowledge_searchfacet f "
                    "WHERE f.facet = %s AND f.value = %s)"
                )
            else:
                visible += (
                    " AND EXISTS (SELECT 1 FROM knowledge_searchfacet f WHERE f.facet = %s "
                    "AND f.value = %s AND f.entry_id = d.entry_id)"
                )
            params += [facet, value]
    else:
        [(total,)] = _rows(
            f"SELECT COUNT(*) FROM knowledge_searchdocument d WHERE {visible}", params
        )
    ranked = []
    if total:
        ranked = _rows(
            f"SELECT d.entry_id, 0, d.facets FROM knowledge_searchdocument d WHERE {visible} "
            "ORDER BY d.published_at DESC, d.entry_id DESC LIMIT %s",
            [*params, max(FACET_SAMPLE, offset + limit)],
        )
    return SearchResult(
        query=query,
        hits=_hits(ranked[offset : offset + limit], []),
        total=total,
        ranked_total=total,
        facets=_facet_counts(ranked[:FACET_SAMPLE], filters) if total else {},
        facets_sampled=total > FACET_SAMPLE,
        filters=filters,
    )


def _hits(page: list[tuple], terms: list[text.QueryTerm]) -> list[Hit]:
    ids = [row[0] for row in page]
    entries = Entry.objects.select_related("municipality", "search_surfaces").in_bulk(ids)
    wanted = {t.term for t in terms} | {p for t in terms for p in t.parts}
    hits = []
    for entry_id, score, *_ in page:
        entry = entries[entry_id]
        stored = getattr(entry, "search_surfaces", None)
        known = stored.surfaces if stored else {}
        surfaces = {s for term in wanted for s in known.get(term, [])}
        excerpt = text.snippet(f"{entry.summary}\n{entry.body}", surfaces, SNIPPET_LENGTH)
        hits.append(Hit(entry, float(score or 0), mark_safe(excerpt)))  # noqa: S308 - escaped by text.snippet
    return hits


def _facet_counts(rows: list[tuple], filters: dict[str, str]) -> dict[str, list[FacetValue]]:
    """Counts per facet value over the given (entry id, score, facet lines) rows: the whole
    result, or its best FACET_SAMPLE entries when it is larger (the page says so).
    Counting every facet of tens of thousands of matches took over a second on 100,000
    entries."""
    lines = Counter(chain.from_iterable(facets.split("\n") for *_, facets in rows if facets))
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for line, count in lines.items():
        facet, value = line.split("=", 1)
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
