"""Knowledge search (issue 5): quality over the demo corpus, speed at 100,000 entries.

Builds its own databases (never the developer's ``var/kyoso.sqlite3``) and measures:

1. Quality. A fresh database (migrate, load_reference, seed_demo: the 89 entries of
   kyoso/demo/knowledge_corpus.py) and the labelled queries of
   ``bench/knowledge_queries.json`` (graded relevance 2/1 keyed by the corpus's entry
   keys). Every query goes through ``search(query, None, limit=10)`` (the operator's view:
   everything published) and through a plain substring baseline: published entries whose
   title, summary or body contains the whole query string (Django ``icontains``), newest
   ``published_at`` first, as a naive list would show them. Reported per query and as
   means: recall@10 and nDCG@10 (linear gains 2/1, log2 discount, ideal DCG from the
   labels). The top 10 of each query is kept, so runs on SQLite and PostgreSQL can be
   compared entry by entry (the second run compares itself with the first's results
   file).
2. Scale. A second database with the demo plus N synthetic entries (default 100,000)
   recombined from the demo corpus, deterministic (seed 5): titles with municipality
   names and fiscal years, bodies from sections of several entries, real themes/items/
   tags, all published, 80 % members-only. Entries are bulk-created and indexed with
   ``reindex_all()`` (timed: the real ``index_entry`` path); ``save_entry`` is timed on a
   sample of 200 more entries, which are then deleted with ``delete_entry``. Then: the
   index's size on disk, and the latency of ``search(query, user, limit=10)``, snippets
   and facet counts included, for a signed-in municipal staff user and for the operator
   (None), over the labelled queries plus 1- and 2-word queries, 5 timed passes after one
   warm-up pass (target p95 ≤ 50 ms). The slowest queries are broken down (query
   analysis, count, ranked list, entries, snippets, facet counts, facet labels), explained
   (EXPLAIN QUERY PLAN / EXPLAIN ANALYZE) and profiled. docs/benchmarks.md §10 has the
   results and their reading.

Run from the project root::

    DJANGO_DEBUG=1 .venv/bin/python bench/knowledge_search.py
    DJANGO_DEBUG=1 .venv/bin/python bench/knowledge_search.py --database postgres \\
        --database-url postgres://bench@127.0.0.1:54331/kyoso_bench

The quality database is rebuilt every run (SQLite ``bench/var/knowledge_quality.sqlite3``;
PostgreSQL: the public schema of ``--database-url`` is dropped and recreated). The scale
database is kept for ``--reuse`` (SQLite ``bench/var/knowledge_search-N.sqlite3``;
PostgreSQL: database ``<name>_knowledge_N`` on the same server, created when missing);
on reuse, migrations it lacks are applied (and timed), ``--reindex`` times
``reindex_all()`` again, ``--compact`` compacts the index first (FTS5 ``optimize`` and
``VACUUM``; ``VACUUM FULL`` on PostgreSQL) and records sizes and latency before and after.
``--entries 2000`` makes a quick trial. Timed runs switch ``DEBUG`` off. The results
record the code measured (hash of ``kyoso/**/*.py|html`` and HEAD) and the CPU other
processes used meanwhile, as bench/assessment_scale.py does.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import hashlib
import io
import json
import math
import os
import pstats
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
from assessment_scale import (  # shared helpers of the benchmarks
    code_fingerprint,
    contention,
    cpu_counters,
    machine_info,
)

ROOT = Path(__file__).resolve().parent.parent
BENCH_VAR = ROOT / "bench" / "var"
DEVELOPER_DATABASE = ROOT / "var" / "kyoso.sqlite3"
QUERIES_FILE = ROOT / "bench" / "knowledge_queries.json"

DEMO_PREFECTURE = "300004"  # 和歌山県
STAFF_EMAIL = "staff-302015@demo.kyoso.jp"  # a municipal staff account of seed_demo
SEED = 5
GENERATOR_VERSION = 1  # bump when the synthetic data changes: --reuse then rebuilds
K = 10
RUNS = 5
SAVE_ENTRY_SAMPLE = 200
INDEX_PROFILE_SAMPLE = 300
BREAKDOWN_QUERIES = 6
BREAKDOWN_RUNS = 5
TARGET_P95_MS = 50.0
BULK_BATCH = 2000

# Latency only (no labels): frequent and rarer words of the corpus, and pairs of them.
ONE_WORD = [
    "DX", "窓口", "電子申請", "研修", "セキュリティ", "クラウド", "RPA", "オープンデータ",
    "マイナンバーカード", "標準化", "AI", "子育て", "防災", "チャットボット",
    "キャッシュレス", "テレワーク", "補助金", "アンケート", "ガイドライン", "議会",
]  # fmt: skip
TWO_WORD = [
    "書かない 窓口", "電子申請 子育て", "RPA 効果", "職員 研修", "セキュリティ 研修",
    "クラウド 費用", "オープンデータ 公開", "AI 議事録", "標準化 移行",
    "マイナンバーカード 窓口", "窓口 予約", "DX 推進計画", "生成AI ガイドライン",
    "公共施設 予約", "テレワーク 端末", "共同調達 仕様書", "防災 アプリ",
    "キャッシュレス 決済", "ペーパーレス 会議", "人材 育成",
]  # fmt: skip


# --- Set-up -----------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--database-url",
        help="PostgreSQL only: a disposable database whose name contains 'bench' (its public "
        "schema is dropped and recreated; the scale database <name>_knowledge_N is created "
        "next to it)",
    )
    parser.add_argument("--entries", type=int, default=100_000, help="synthetic entries")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the scale database if it was built alike"
    )
    parser.add_argument(
        "--reindex",
        action="store_true",
        help="with --reuse: time reindex_all() again on the kept database",
    )
    parser.add_argument(
        "--compact",
        action="store_true",
        help="before measuring, compact the index (FTS5 optimize + VACUUM; VACUUM FULL on "
        "PostgreSQL) and record sizes and one-word latency before and after",
    )
    parser.add_argument("--queries", type=Path, default=QUERIES_FILE)
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--out", type=Path, help="JSON results file")
    parser.add_argument("--keep-debug", action="store_true", help="time with DEBUG on")
    args = parser.parse_args(argv)
    if args.out is None:
        args.out = ROOT / "bench" / "results" / f"knowledge_search-{args.database}.json"
    return args


class Databases:
    """The two databases of a run and how to switch the default connection between them."""

    def __init__(self, args: argparse.Namespace):
        self.vendor = args.database
        self.entries = args.entries
        if self.vendor == "sqlite":
            BENCH_VAR.mkdir(parents=True, exist_ok=True)
            self.quality = str(BENCH_VAR / "knowledge_quality.sqlite3")
            self.scale = str(BENCH_VAR / f"knowledge_search-{args.entries}.sqlite3")
            self.url = f"sqlite:///{self.quality}"
        else:
            self.url = args.database_url or os.environ.get("BENCH_DATABASE_URL", "")
            if not self.url:
                sys.exit("--database-url (or BENCH_DATABASE_URL) is required with postgres")
            self.quality = urlparse(self.url).path.lstrip("/")
            if "bench" not in self.quality:
                sys.exit(
                    f"refusing to wipe database {self.quality!r}: its name must contain 'bench'"
                )
            self.scale = f"{self.quality}_knowledge_{args.entries}"
        if (
            str(DEVELOPER_DATABASE) in (self.url, self.quality, self.scale)
            or str(DEVELOPER_DATABASE) in self.url
        ):
            sys.exit("refusing to use the developer's database")
        self.marker = BENCH_VAR / f"knowledge_search-{self.vendor}-{args.entries}.json"

    def use(self, name: str) -> None:
        """Point the default connection at another database (as Django's test runner does)."""
        from django.db import connection

        connection.close()
        connection.settings_dict["NAME"] = name

    def remove_sqlite(self, path: str) -> None:
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    def fresh(self, name: str) -> None:
        """Switch to an empty database of this name."""
        from django.db import connection

        if self.vendor == "sqlite":
            connection.close()
            self.remove_sqlite(name)
            self.use(name)
            return
        self.use(self.quality)
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{name}"')
        self.use(name)
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")


def configure(args: argparse.Namespace) -> Databases:
    databases = Databases(args)
    os.environ["DATABASE_URL"] = databases.url
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "kyoso.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return databases


# What this process imported: taken when the script starts, so that a change on disk during
# a long run (the code was being edited while this benchmark was written) is not mistaken
# for the code that built or searched the index.
STARTED_WITH: dict = {}


def knowledge_fingerprint() -> str:
    """Hash of kyoso/knowledge/**/*.py: what the scale database's index was built with."""
    digest = hashlib.sha256()
    for f in sorted((ROOT / "kyoso" / "knowledge").rglob("*.py")):
        if "__pycache__" not in f.parts and "tests" not in f.parts:
            digest.update(str(f.relative_to(ROOT)).encode() + b"\0" + f.read_bytes())
    return digest.hexdigest()[:16]


def seed_demo_database() -> dict:
    """migrate, load_reference, seed_demo, in-process; DEBUG on as seed_demo requires."""
    from django.core.management import call_command
    from django.test.utils import override_settings

    started = time.perf_counter()
    quiet = io.StringIO()
    call_command("migrate", verbosity=0)
    call_command("load_reference", stdout=quiet)
    with override_settings(DEBUG=True):
        call_command("seed_demo", quiet_logins=True, stdout=quiet)
    return {"seconds": round(time.perf_counter() - started, 1)}


# --- Measuring helpers -------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def ms_stats(values_ms: list[float]) -> dict:
    return {
        "n": len(values_ms),
        "p50_ms": round(percentile(values_ms, 50), 2),
        "p95_ms": round(percentile(values_ms, 95), 2),
        "max_ms": round(max(values_ms), 2),
        "mean_ms": round(statistics.fmean(values_ms), 2),
    }


def dcg(gains: list[int]) -> float:
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains[:K]))


def ndcg(ranked: list[str], relevant: dict[str, int]) -> float:
    ideal = dcg(sorted(relevant.values(), reverse=True))
    return dcg([relevant.get(key, 0) for key in ranked[:K]]) / ideal if ideal else 0.0


def recall(ranked: list[str], relevant: dict[str, int]) -> float:
    return len(set(ranked[:K]) & set(relevant)) / len(relevant) if relevant else 0.0


def load_queries(path: Path) -> dict:
    if not path.exists():
        sys.exit(f"{path} does not exist yet: the labelled queries are needed")
    raw = path.read_bytes()
    data = json.loads(raw)
    queries = data["queries"]
    for q in queries:
        q["relevant"] = {k: int(v) for k, v in q.get("relevant", {}).items() if int(v) > 0}
    return {
        "path": str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path),
        "sha256": hashlib.sha256(raw).hexdigest()[:16],
        "queries": queries,
    }


# --- 1. Quality ---------------------------------------------------------------------------


def keys_by_id() -> tuple[dict[int, str], list[str]]:
    """Entry id → corpus key, matched by title; and the corpus keys not found."""
    from kyoso.demo.knowledge_corpus import ENTRIES
    from kyoso.knowledge.models import Entry, Status

    key_of_title = {spec["title"].strip(): spec["key"] for spec in ENTRIES}
    found: dict[int, str] = {}
    for pk, title in Entry.objects.filter(
        status=Status.PUBLISHED, title__in=list(key_of_title)
    ).values_list("pk", "title"):
        found[pk] = key_of_title[title]
    if len(set(found.values())) != len(found):
        raise RuntimeError("two published entries share a corpus title")
    missing = sorted(set(key_of_title.values()) - set(found.values()))
    return found, missing


def baseline(query: str) -> tuple[list[int], int]:
    """The naive list: the whole query string in title, summary or body; newest first."""
    from django.db.models import Q

    from kyoso.knowledge.models import Entry, Status

    matches = Entry.objects.filter(status=Status.PUBLISHED).filter(
        Q(title__icontains=query) | Q(summary__icontains=query) | Q(body__icontains=query)
    )
    ids = list(matches.order_by("-published_at", "-pk").values_list("pk", flat=True)[:K])
    return ids, matches.count()


def measure_quality(labelled: dict) -> dict:
    from kyoso.knowledge.search import search

    key_of, missing = keys_by_id()
    known = set(key_of.values())
    rows = []
    unknown_labels: dict[str, list[str]] = {}
    for q in labelled["queries"]:
        relevant = {k: g for k, g in q["relevant"].items() if k in known}
        unknown = sorted(set(q["relevant"]) - known)
        if unknown:
            unknown_labels[q["id"]] = unknown
        t0 = time.perf_counter()
        result = search(q["query"], None, limit=K)
        elapsed = time.perf_counter() - t0
        ranked = [key_of.get(h.entry.pk, f"id:{h.entry.pk}") for h in result.hits]
        base_ids, base_total = baseline(q["query"])
        base_ranked = [key_of.get(pk, f"id:{pk}") for pk in base_ids]
        rows.append(
            {
                "id": q["id"],
                "query": q["query"],
                "relevant": len(relevant),
                "search": {
                    "recall@10": round(recall(ranked, relevant), 4),
                    "ndcg@10": round(ndcg(ranked, relevant), 4),
                    "total": result.total,
                    "matched_all": result.matched_all,
                    "terms": result.terms,
                    "top10": ranked,
                    "grades": [relevant.get(k, 0) for k in ranked],
                    "ms": round(elapsed * 1000, 2),
                },
                "baseline": {
                    "recall@10": round(recall(base_ranked, relevant), 4),
                    "ndcg@10": round(ndcg(base_ranked, relevant), 4),
                    "total": base_total,
                    "top10": base_ranked,
                    "grades": [relevant.get(k, 0) for k in base_ranked],
                },
            }
        )

    def mean(method: str, metric: str) -> float:
        return round(statistics.fmean(r[method][metric] for r in rows), 4)

    summary = {
        method: {
            "mean_recall@10": mean(method, "recall@10"),
            "mean_ndcg@10": mean(method, "ndcg@10"),
            "queries_with_no_result": sum(1 for r in rows if r[method]["total"] == 0),
            "queries_with_no_relevant_in_top10": sum(
                1 for r in rows if r[method]["recall@10"] == 0
            ),
        }
        for method in ("search", "baseline")
    }
    summary["search"]["queries_matched_only_some_terms"] = sum(
        1 for r in rows if not r["search"]["matched_all"]
    )
    summary["queries_where_search_beats_baseline_ndcg"] = sum(
        1 for r in rows if r["search"]["ndcg@10"] > r["baseline"]["ndcg@10"]
    )
    summary["queries_where_baseline_beats_search_ndcg"] = sum(
        1 for r in rows if r["search"]["ndcg@10"] < r["baseline"]["ndcg@10"]
    )
    return {
        "what": "search(query, None, limit=10) vs the substring baseline over the 89-entry "
        "demo corpus (seed_demo); recall@10 and nDCG@10 with linear gains 2/1, log2 "
        "discount and the ideal DCG from the labels; corpus keys matched to entries by title",
        "baseline": "Entry.objects.filter(status=published) with title, summary or body "
        "icontains the whole query string, ordered by -published_at, -pk (a naive list). "
        "On SQLite LIKE folds only ASCII case; no width/kana normalisation on either engine",
        "queries": len(rows),
        "corpus_keys_not_found": missing,
        "labelled_keys_unknown": unknown_labels,
        "summary": summary,
        "per_query": rows,
    }


def compare_engines(own: dict, other_file: Path, own_name: str, other_name: str) -> dict | None:
    """Top-10 lists of this run against the other engine's results file, query by query."""
    if not other_file.exists():
        return None
    other = json.loads(other_file.read_text())
    other_quality = other.get("quality")
    if not other_quality:
        return None
    theirs = {r["id"]: r for r in other_quality["per_query"]}
    differences = []
    same_set = same_order = compared = 0
    for r in own["per_query"]:
        t = theirs.get(r["id"])
        if t is None or t["query"] != r["query"]:
            continue
        compared += 1
        a, b = r["search"]["top10"], t["search"]["top10"]
        set_equal = set(a) == set(b)
        order_equal = a == b
        same_set += set_equal
        same_order += order_equal
        if not order_equal or r["search"]["total"] != t["search"]["total"]:
            first = next((i + 1 for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y),
                         min(len(a), len(b)) + 1)  # fmt: skip
            differences.append(
                {
                    "id": r["id"],
                    "query": r["query"],
                    "same_set": set_equal,
                    "first_different_rank": first if not order_equal else None,
                    f"only_{own_name}": [k for k in a if k not in b],
                    f"only_{other_name}": [k for k in b if k not in a],
                    f"total_{own_name}": r["search"]["total"],
                    f"total_{other_name}": t["search"]["total"],
                    f"ndcg_{own_name}": r["search"]["ndcg@10"],
                    f"ndcg_{other_name}": t["search"]["ndcg@10"],
                    f"top10_{own_name}": a,
                    f"top10_{other_name}": b,
                }
            )
    baseline_same = sum(
        1
        for r in own["per_query"]
        if r["id"] in theirs and r["baseline"]["top10"] == theirs[r["id"]]["baseline"]["top10"]
    )
    return {
        "compared_with": str(other_file.relative_to(ROOT)),
        "other_run_date": other.get("date"),
        "other_code": other.get("code", {}).get("at_start"),
        "queries_compared": compared,
        "same_top10_set": same_set,
        "same_top10_order": same_order,
        "baseline_same_top10": baseline_same,
        "differences": differences,
    }


# --- 2. Scale: synthetic data ------------------------------------------------------------


def _sections(body: str) -> list[str]:
    return [block.strip() for block in body.split("\n\n") if block.strip()]


def _sentences(value: str) -> list[str]:
    parts = [s + "。" for s in value.split("。") if s.strip()]
    return parts or [value]


def _reiwa(year: int) -> str:
    return f"令和{year - 2018}年度" if year > 2019 else f"{year}年度"


class Synthesiser:
    """Entries recombined from the demo corpus; the same seed gives the same entries."""

    def __init__(self, prefecture, seed: int):
        from kyoso.consultations.models import Theme
        from kyoso.demo.knowledge_corpus import ENTRIES
        from kyoso.municipalities.models import Municipality

        self.prefecture = prefecture
        self.rng = random.Random(seed)  # noqa: S311 - fixture data
        self.corpus = ENTRIES
        self.by_kind: dict[str, list[dict]] = defaultdict(list)
        for spec in ENTRIES:
            self.by_kind[spec["kind"]].append(spec)
        self.themes = {t.name: t for t in Theme.objects.filter(prefecture=prefecture)}
        self.municipalities = list(
            Municipality.objects.filter(prefecture=prefecture, is_active=True).order_by("code")
        )
        self.tags = sorted({t for spec in ENTRIES for t in spec["tags"]})
        self.items = sorted({i for spec in ENTRIES for i in spec["items"]})

    def one(self) -> dict:
        rng = self.rng
        base = rng.choice(self.corpus)
        peers = self.by_kind[base["kind"]]
        other = rng.choice(peers)
        year = rng.choice((2019, 2020, 2021, 2022, 2023, 2024, 2025))
        municipality = rng.choice(self.municipalities) if rng.random() < 0.7 else None
        head, _, tail = base["title"].partition(" — ")
        _, _, other_tail = other["title"].partition(" — ")
        shape = rng.random()
        if municipality and shape < 0.5:
            title = f"{municipality.name}の{head}"
        elif shape < 0.75 and other_tail:
            title = f"{head} — {other_tail}"
        else:
            title = f"{head} — {tail}" if tail else head
        if rng.random() < 0.6:
            title += f"（{_reiwa(year)}）"
        summary_parts = _sentences(base["summary"])
        if rng.random() < 0.5:
            summary_parts += rng.sample(_sentences(other["summary"]), 1)
        sources = [base, other, rng.choice(peers)]
        sections = [s for spec in sources for s in _sections(spec["body"])]
        body_sections = _sections(base["body"])[:2] + rng.sample(
            sections, min(len(sections), rng.randint(2, 4))
        )
        themes = [self.themes[n] for n in base["themes"] if n in self.themes]
        if self.themes and rng.random() < 0.3:
            themes.append(rng.choice(list(self.themes.values())))
        items = list(base["items"]) + (rng.sample(self.items, 1) if rng.random() < 0.3 else [])
        tags = list(base["tags"]) + rng.sample(self.tags, rng.randint(0, 2))
        visibility = rng.choices(("members", "public", "prefecture"), (80, 17, 3))[0]
        start = dt.datetime(year, 4, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=9)))
        published_at = start + dt.timedelta(minutes=rng.randrange(364 * 24 * 60))
        return {
            "kind": base["kind"],
            "title": title[:200],
            "summary": "".join(summary_parts),
            "body": "\n\n".join(body_sections),
            "municipality": municipality,
            "themes": list(dict.fromkeys(themes)),
            "items": list(dict.fromkeys(items)),
            "tags": list(dict.fromkeys(tags))[:20],
            "fiscal_year": year,
            "visibility": visibility,
            "published_at": published_at,
        }


def bulk_entries(n: int, prefecture, seed: int, progress_every: int = 20_000) -> dict:
    """n published entries through bulk_create (Entry rows and their themes only)."""
    from django.db import transaction

    from kyoso.knowledge.models import Entry, Source, Status

    synth = Synthesiser(prefecture, seed)
    through = Entry.themes.through
    started = time.perf_counter()
    chars = 0
    done = 0
    while done < n:
        batch = [synth.one() for _ in range(min(BULK_BATCH, n - done))]
        with transaction.atomic():
            created = Entry.objects.bulk_create(
                [
                    Entry(
                        prefecture=prefecture,
                        kind=s["kind"],
                        title=s["title"],
                        summary=s["summary"],
                        body=s["body"],
                        municipality=s["municipality"],
                        items=s["items"],
                        tags=s["tags"],
                        fiscal_year=s["fiscal_year"],
                        visibility=s["visibility"],
                        status=Status.PUBLISHED,
                        published_at=s["published_at"],
                        source=Source.IMPORT,
                        source_key=f"bench-synthetic-{done + i}",
                    )
                    for i, s in enumerate(batch)
                ],
                batch_size=500,
            )
            through.objects.bulk_create(
                [
                    through(entry_id=entry.pk, theme_id=theme.pk)
                    for entry, s in zip(created, batch, strict=True)
                    for theme in s["themes"]
                ],
                batch_size=1000,
            )
        chars += sum(len(s["title"]) + len(s["summary"]) + len(s["body"]) for s in batch)
        done += len(batch)
        if done % progress_every == 0 or done == n:
            print(f"    {done:,} entries created ({time.perf_counter() - started:.0f} s)")
    return {
        "entries": done,
        "seconds": round(time.perf_counter() - started, 1),
        "characters": chars,
        "mean_characters_per_entry": round(chars / done) if done else 0,
    }


def build_scale_database(databases: Databases, vendor: str) -> dict:
    """The demo, N synthetic entries, and the index built by reindex_all() (timed)."""
    from kyoso.municipalities.models import Prefecture

    databases.fresh(databases.scale)
    print("  migrate, load_reference, seed_demo…")
    seeded = seed_demo_database()
    prefecture = Prefecture.objects.get(code=DEMO_PREFECTURE)
    print(f"  {databases.entries:,} synthetic entries (bulk_create)…")
    generated = bulk_entries(databases.entries, prefecture, SEED)
    return {
        "built": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seed": SEED,
        "generator_version": GENERATOR_VERSION,
        "synthetic_entries": databases.entries,
        "knowledge_code": STARTED_WITH["knowledge"],
        "code": STARTED_WITH["code"],
        "demo_seed_seconds": seeded["seconds"],
        "bulk_create": generated,
        "reindex_all": time_reindex(vendor, generated["characters"]),
        "analyze_seconds": analyse_postgres(vendor),
    }


def analyse_postgres(vendor: str) -> float | None:
    from django.db import connection

    if vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        t0 = time.perf_counter()
        cursor.execute("ANALYZE")
        return round(time.perf_counter() - t0, 1)


def time_reindex(vendor: str, characters: int) -> dict:
    """reindex_all() as `manage.py reindex_knowledge` runs it, timed."""
    from kyoso.knowledge.search import reindex_all

    print("  reindex_all()…")
    last = [time.perf_counter()]
    chunks: list[float] = []

    def progress(done: int, total: int) -> None:
        if done % 10_000 == 0 or done == total:
            now = time.perf_counter()
            chunks.append(round(now - last[0], 1))
            print(f"    {done:,}/{total:,} indexed (+{now - last[0]:.0f} s)")
            last[0] = now

    counters = cpu_counters()
    load_before = [round(x, 2) for x in os.getloadavg()]
    cpu0, t0 = time.process_time(), time.perf_counter()
    indexed = reindex_all(progress)
    cpu1, t1 = time.process_time(), time.perf_counter()
    load = contention(counters, t1 - t0)
    return {
        "what": "reindex_all(): clears the index, then index_entry() for every published "
        "entry (synthetic and demo), as `manage.py reindex_knowledge` does",
        "timed": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "knowledge_code": STARTED_WITH["knowledge"],
        "entries": indexed,
        "seconds": round(t1 - t0, 1),
        "seconds_per_10000": chunks,
        "process_cpu_seconds": round(cpu1 - cpu0, 1),
        "entries_per_second": round(indexed / (t1 - t0), 1),
        "characters_per_second": round(characters / (t1 - t0)),
        "load_average_before": load_before,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        **load,
    }


def migrate_kept_database() -> dict | None:
    """Apply the migrations the kept database lacks (the code moved on since it was built),
    timed: on 100,000 entries that is a measurement of its own."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        return None
    names = [f"{m.app_label}.{m.name}" for m, _backwards in plan]
    import resource

    print(f"  applying {', '.join(names)} to the kept database…")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    seconds = time.perf_counter() - t0
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"    {seconds:.0f} s, peak RSS {rss_before // 1024} → {rss_after // 1024} MiB")
    return {
        "applied": names,
        "seconds": round(seconds, 1),
        "peak_rss_mib_before": round(rss_before / 1024),
        "peak_rss_mib_after": round(rss_after / 1024),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "knowledge_code": STARTED_WITH["knowledge"],
    }


def open_scale_database(
    databases: Databases, vendor: str, reuse: bool, reindex: bool
) -> tuple[dict, bool]:
    """Reuse the scale database when it was built alike, else build it. ``reindex`` times
    reindex_all() again on a reused database (the indexing code changed, not the data)."""
    from kyoso.knowledge.models import Entry, SearchDocument, Status

    if reuse and databases.marker.exists():
        marker = json.loads(databases.marker.read_text())
        if (
            marker.get("generator_version") == GENERATOR_VERSION
            and marker.get("seed") == SEED
            and marker.get("synthetic_entries") == databases.entries
        ):
            try:
                databases.use(databases.scale)
                migrated = migrate_kept_database()
                if migrated:
                    marker.setdefault("migrations_on_reuse", []).append(migrated)
                    databases.marker.write_text(
                        json.dumps(marker, ensure_ascii=False, indent=2) + "\n"
                    )
                published = Entry.objects.filter(status=Status.PUBLISHED).count()
                indexed = SearchDocument.objects.count()
            except Exception as error:  # any failure means: rebuild
                print(f"  cannot reuse the scale database ({error}); rebuilding")
            else:
                if indexed == published == marker["reindex_all"]["entries"]:
                    if reindex:
                        history = marker.setdefault("earlier_reindex_all", [])
                        history.append(marker["reindex_all"])
                        marker["reindex_all"] = time_reindex(
                            vendor, marker["bulk_create"]["characters"]
                        )
                        marker["analyze_seconds"] = analyse_postgres(vendor)
                        databases.marker.write_text(
                            json.dumps(marker, ensure_ascii=False, indent=2) + "\n"
                        )
                    elif (
                        marker["reindex_all"].get("knowledge_code", marker.get("knowledge_code"))
                        != STARTED_WITH["knowledge"]
                    ):
                        print(
                            "WARNING: kyoso/knowledge changed since the scale database was "
                            "indexed (--reindex times reindex_all() again)"
                        )
                    return marker, True
                print(f"  the scale database has {indexed}/{published} indexed; rebuilding")
    data = build_scale_database(databases, vendor)
    databases.marker.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    return data, False


# --- 2. Scale: measurements --------------------------------------------------------------


def measure_save_entry(prefecture) -> dict:
    """save_entry(..., publish=True) for new synthetic entries, then delete_entry each."""
    from kyoso.knowledge.actions import EntryData, delete_entry, save_entry

    synth = Synthesiser(prefecture, SEED + 1)
    specs = [synth.one() for _ in range(SAVE_ENTRY_SAMPLE)]
    saved, save_s, delete_s = [], [], []
    for s in specs:
        data = EntryData(
            kind=s["kind"],
            title=s["title"],
            fiscal_year=s["fiscal_year"],
            summary=s["summary"],
            body=s["body"],
            municipality=s["municipality"],
            themes=s["themes"],
            items=s["items"],
            tags=s["tags"],
            visibility=s["visibility"],
        )
        t0 = time.perf_counter()
        saved.append(save_entry(prefecture, data, user=None, publish=True))
        save_s.append(time.perf_counter() - t0)
    for entry in saved:
        t0 = time.perf_counter()
        delete_entry(entry)
        delete_s.append(time.perf_counter() - t0)
    return {
        "what": f"save_entry(publish=True) of {SAVE_ENTRY_SAMPLE} new synthetic entries into "
        "the scale database, one transaction each (validation, entry, themes, revision, "
        "index_entry); then delete_entry() of each",
        "save_entry": {
            **ms_stats([s * 1000 for s in save_s]),
            "entries_per_second": round(len(save_s) / sum(save_s), 1),
        },
        "delete_entry": ms_stats([s * 1000 for s in delete_s]),
    }


def function_times(stats: pstats.Stats, wanted: dict[str, tuple[str, str]]) -> dict:
    """Cumulative seconds and calls of functions named (file suffix, function name)."""
    found = {}
    for label, (file_suffix, name) in wanted.items():
        ct = calls = 0.0
        for (filename, _line, func), (_cc, nc, _tt, cum, _callers) in stats.stats.items():
            if func == name and filename.endswith(file_suffix):
                ct += cum
                calls += nc
        found[label] = {"seconds": round(ct, 3), "calls": int(calls)}
    return found


def profile_indexing(vendor: str) -> dict:
    """cProfile of index_entry() over a sample of entries (re-indexed in place)."""
    from kyoso.knowledge.models import Entry, Status
    from kyoso.knowledge.search import index_entry

    entries = list(
        Entry.objects.filter(status=Status.PUBLISHED)
        .select_related("municipality")
        .prefetch_related("themes")
        .order_by("pk")[:INDEX_PROFILE_SAMPLE]
    )
    from django.db import transaction

    t0 = time.perf_counter()
    for entry in entries:
        index_entry(entry)  # each in its own transaction, as reindex_all() does
    own_transactions = time.perf_counter() - t0
    t0 = time.perf_counter()
    with transaction.atomic():  # not the code path: what one commit per batch would give
        for entry in entries:
            index_entry(entry)
    one_transaction = time.perf_counter() - t0
    profiler = cProfile.Profile()
    t0 = time.perf_counter()
    profiler.enable()
    for entry in entries:
        index_entry(entry)
    profiler.disable()
    wall = time.perf_counter() - t0
    stats = pstats.Stats(profiler)
    parts = function_times(
        stats,
        {
            "index_entry": ("knowledge/search.py", "index_entry"),
            "text._analyse (Sudachi + terms)": ("knowledge/text.py", "_analyse"),
            "text.index_terms": ("knowledge/text.py", "index_terms"),
            "text.surface_map": ("knowledge/text.py", "surface_map"),
            "text.index_document": ("knowledge/text.py", "index_document"),
            "sudachi tokenize": ("knowledge/text.py", "_tokenize"),
            "SQL (CursorWrapper._execute_with_wrappers)": (
                "django/db/backends/utils.py",
                "_execute_with_wrappers",
            ),
            "commit": ("django/db/backends/base/base.py", "commit"),
        },
    )
    path = write_profile(stats, f"{vendor}-index_entry", f"index_entry × {len(entries)}")
    return {
        "what": f"cProfile of index_entry() on {len(entries)} indexed entries (profiler "
        "overhead included)",
        "unprofiled_ms_per_entry": {
            "own_transaction_each (as reindex_all)": round(
                own_transactions / len(entries) * 1000, 2
            ),
            "all in one outer transaction (experiment, not the code path)": round(
                one_transaction / len(entries) * 1000, 2
            ),
        },
        "profiled_wall_seconds": round(wall, 3),
        "profiled_ms_per_entry": round(wall / len(entries) * 1000, 2),
        "functions": parts,
        "profile": path,
    }


def write_profile(stats: pstats.Stats, name: str, title: str) -> str:
    folder = BENCH_VAR / "profiles"
    folder.mkdir(parents=True, exist_ok=True)
    out = io.StringIO()
    stats.stream = out
    stats.strip_dirs()
    out.write(f"# knowledge search: {title}\n\n## by cumulative time\n")
    stats.sort_stats("cumulative").print_stats(40)
    out.write("\n## by own time\n")
    stats.sort_stats("tottime").print_stats(25)
    path = folder / f"knowledge-{name}.txt"
    path.write_text(out.getvalue())
    return str(path.relative_to(ROOT))


def index_size(vendor: str) -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        if vendor == "sqlite":
            path = Path(connection.settings_dict["NAME"])
            cursor.execute("PRAGMA page_size")
            page_size = cursor.fetchone()[0]
            cursor.execute("PRAGMA page_count")
            page_count = cursor.fetchone()[0]
            cursor.execute("PRAGMA freelist_count")
            free = cursor.fetchone()[0]
            cursor.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index'")
            table_of = dict(cursor.fetchall())
            try:
                cursor.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name")
                by_object = dict(cursor.fetchall())
            except Exception as error:  # dbstat is a compile-time option
                return {"file_bytes": path.stat().st_size, "dbstat": f"unavailable: {error}"}
            tables: dict[str, int] = defaultdict(int)
            for name, size in by_object.items():
                tables[table_of.get(name, name)] += size
            fts = {n: s for n, s in by_object.items() if n.startswith("knowledge_fts")}
            groups = {
                "fts5 (knowledge_fts*)": sum(fts.values()),
                "knowledge_searchdocument (+ indexes)": tables.get("knowledge_searchdocument", 0),
                "knowledge_searchsurfaces (+ indexes)": tables.get("knowledge_searchsurfaces", 0),
                "knowledge_searchfacet (+ indexes)": tables.get("knowledge_searchfacet", 0),
            }
            index_total = sum(groups.values())
            file_bytes = path.stat().st_size
            return {
                "file_bytes": file_bytes,
                "page_size": page_size,
                "page_count": page_count,
                "free_pages": free,
                "search_index_bytes": index_total,
                "search_index_share_of_file": round(index_total / file_bytes, 3),
                "groups_bytes": groups,
                "fts5_tables_bytes": fts,
                "knowledge_entry_bytes": tables.get("knowledge_entry", 0),
                "largest_tables_bytes": dict(sorted(tables.items(), key=lambda kv: -kv[1])[:12]),
            }
        sizes = {}
        toast = (
            "COALESCE((SELECT pg_total_relation_size(reltoastrelid) FROM pg_class "
            "WHERE relname = 'knowledge_searchdocument'), 0)"
        )
        for label, sql in (
            ("knowledge_searchdocument_total",
             "pg_total_relation_size('knowledge_searchdocument')"),
            ("knowledge_searchdocument_heap", "pg_relation_size('knowledge_searchdocument')"),
            ("knowledge_searchdocument_toast", toast),
            ("gin_index_vector", "pg_relation_size('knowledge_searchdocument_vector')"),
            ("knowledge_searchfacet_total", "pg_total_relation_size('knowledge_searchfacet')"),
            ("knowledge_searchfacet_indexes", "pg_indexes_size('knowledge_searchfacet')"),
            ("knowledge_searchsurfaces_total",
             "COALESCE(pg_total_relation_size(to_regclass('knowledge_searchsurfaces')), 0)"),
            ("knowledge_entry_total", "pg_total_relation_size('knowledge_entry')"),
            ("database", "pg_database_size(current_database())"),
        ):  # fmt: skip
            cursor.execute(f"SELECT {sql}")
            sizes[label] = cursor.fetchone()[0]
        cursor.execute("SELECT avg(pg_column_size(vector)) FROM knowledge_searchdocument")
        vector_avg = cursor.fetchone()[0]
        cursor.execute("SELECT to_regclass('knowledge_searchsurfaces') IS NOT NULL")
        table = "knowledge_searchsurfaces" if cursor.fetchone()[0] else "knowledge_searchdocument"
        cursor.execute(f"SELECT avg(pg_column_size(surfaces)) FROM {table}")  # noqa: S608 - a fixed name
        surfaces_avg = cursor.fetchone()[0]
        sizes["search_index_bytes"] = (
            sizes["knowledge_searchdocument_total"]
            + sizes["knowledge_searchsurfaces_total"]
            + sizes["knowledge_searchfacet_total"]
        )
        sizes["avg_vector_bytes"] = round(float(vector_avg or 0))
        sizes["avg_surfaces_json_bytes"] = round(float(surfaces_avg or 0))
        return sizes


def compact(vendor: str) -> dict:
    """Not the code path: compact the index as a maintenance job would (FTS5 'optimize' and
    VACUUM on SQLite; VACUUM FULL of the search tables on PostgreSQL), so that the sizes
    no longer carry what earlier in-place reindexing and migrations left behind."""
    from django.db import connection

    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute("INSERT INTO knowledge_fts(knowledge_fts) VALUES ('optimize')")
            optimised = time.perf_counter() - t0
            cursor.execute("VACUUM")
            statements = {"fts5 optimize": round(optimised, 1)}
        else:
            cursor.execute("SELECT to_regclass('knowledge_searchsurfaces') IS NOT NULL")
            tables = ["knowledge_searchdocument", "knowledge_searchfacet"]
            if cursor.fetchone()[0]:
                tables.insert(1, "knowledge_searchsurfaces")
            for table in tables:
                cursor.execute(f"VACUUM FULL {table}")
            cursor.execute("ANALYZE")
            statements = {"vacuum full": tables}
    return {
        "what": compact.__doc__.split("\n\n")[0].replace("\n", " "),
        "seconds": round(time.perf_counter() - t0, 1),
        "statements": statements,
    }


def quick_sample(user) -> dict:
    """The one-word queries (the broadest), 3 runs each after a warm-up: before/after."""
    from kyoso.knowledge.search import search

    medians = {}
    for query in ONE_WORD:
        search(query, user, limit=K)
        runs = []
        for _ in range(3):
            t0 = time.perf_counter()
            search(query, user, limit=K)
            runs.append((time.perf_counter() - t0) * 1000)
        medians[query] = round(statistics.median(runs), 1)
    values = list(medians.values())
    return {
        "median_of_medians_ms": round(statistics.median(values), 1),
        "max_median_ms": max(values),
        "medians_ms": medians,
    }


def latency_queries(labelled: dict) -> list[dict]:
    qs = [{"id": q["id"], "query": q["query"], "group": "labelled"} for q in labelled["queries"]]
    qs += [{"id": f"w1-{i + 1}", "query": q, "group": "one-word"} for i, q in enumerate(ONE_WORD)]
    qs += [{"id": f"w2-{i + 1}", "query": q, "group": "two-word"} for i, q in enumerate(TWO_WORD)]
    return qs


def measure_latency(queries: list[dict], users: dict) -> dict:
    from kyoso.knowledge.search import search

    times: dict[tuple[str, str], list[float]] = defaultdict(list)
    totals: dict[tuple[str, str], tuple[int, bool, bool | None]] = {}
    for user in users.values():  # warm-up pass: caches, Sudachi, SQLite pages
        for q in queries:
            search(q["query"], user, limit=K)
    counters = cpu_counters()
    t_start = time.perf_counter()
    for _ in range(RUNS):
        for q in queries:
            for who, user in users.items():
                t0 = time.perf_counter()
                result = search(q["query"], user, limit=K)
                times[(who, q["id"])].append((time.perf_counter() - t0) * 1000)
                totals[(who, q["id"])] = (
                    result.total,
                    result.matched_all,
                    getattr(result, "facets_sampled", None),
                )
    load = contention(counters, time.perf_counter() - t_start)
    out: dict = {
        "what": f"search(query, user, limit=10) incl. snippets and facet counts; "
        f"{len(queries)} queries × {RUNS} timed passes after one warm-up pass, per user; "
        "p50/p95 are nearest-rank over all timed calls",
        "users": {
            "staff": f"{STAFF_EMAIL} (municipal staff: visibility public + members)",
            "operator": "None (everything published)",
        },
        "contention_during_timing": load,
        "by_user": {},
    }
    for who in users:
        all_ms = [t for (w, _), ts in times.items() if w == who for t in ts]
        groups = {}
        for group in ("labelled", "one-word", "two-word"):
            ids = {q["id"] for q in queries if q["group"] == group}
            groups[group] = ms_stats(
                [t for (w, qid), ts in times.items() if w == who and qid in ids for t in ts]
            )
        per_query = []
        for q in queries:
            ts = times[(who, q["id"])]
            total, matched_all, sampled = totals[(who, q["id"])]
            per_query.append(
                {
                    "id": q["id"],
                    "query": q["query"],
                    "group": q["group"],
                    "total": total,
                    "matched_all": matched_all,
                    "facets_sampled": sampled,
                    "median_ms": round(statistics.median(ts), 2),
                    "max_ms": round(max(ts), 2),
                }
            )
        overall = ms_stats(all_ms)
        out["by_user"][who] = {
            **overall,
            "pass_p95": overall["p95_ms"] <= TARGET_P95_MS,
            "groups": groups,
            "slowest": sorted(per_query, key=lambda r: -r["median_ms"])[:10],
            "per_query": per_query,
        }
    return out


def classify(sql: str) -> str:
    """The role of a statement of search(): count, window (the id of the 5,000th newest
    match), ranked (the best 1,000 with their facet lines: the page is cut from them and
    the facets counted over them), entries (the page's rows), facet labels."""
    if sql.startswith("SELECT COUNT(*)"):
        return "count"
    if "LIMIT 1 OFFSET" in sql:
        return "window"
    if "bm25(" in sql or "ts_rank(" in sql or "ORDER BY d.published_at DESC" in sql:
        return "ranked"
    if '"knowledge_entry"' in sql:
        return "entries"
    return "facet_labels"


def breakdown(queries: list[dict], users: dict, latency: dict, vendor: str) -> dict:
    """Where the time of the slowest queries goes: SQL by role, query analysis, snippets."""
    from django.db import connection

    from kyoso.knowledge import search as search_module
    from kyoso.knowledge import text

    slowest: list[tuple[str, dict]] = []
    for who, data in latency["by_user"].items():
        for row in data["slowest"][:BREAKDOWN_QUERIES]:
            slowest.append((who, row))
    slowest.sort(key=lambda item: -item[1]["median_ms"])
    picked, seen = [], set()
    for who, row in slowest:
        if (who, row["id"]) not in seen:
            seen.add((who, row["id"]))
            picked.append((who, row))
        if len(picked) == BREAKDOWN_QUERIES:
            break

    parts: dict[str, float] = defaultdict(float)
    captured: list[tuple[str, list]] = []

    def wrapper(execute, sql, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            parts["sql:" + classify(sql)] += time.perf_counter() - t0
            captured.append((sql, list(params or [])))

    original_snippet, original_terms = text.snippet, text.query_terms

    def timed_snippet(*a, **kw):
        t0 = time.perf_counter()
        try:
            return original_snippet(*a, **kw)
        finally:
            parts["snippets"] += time.perf_counter() - t0

    def timed_terms(*a, **kw):
        t0 = time.perf_counter()
        try:
            return original_terms(*a, **kw)
        finally:
            parts["query_terms (Sudachi)"] += time.perf_counter() - t0

    rows = []
    text.snippet, text.query_terms = timed_snippet, timed_terms
    try:
        for who, row in picked:
            user = users[who]
            runs = []
            for _ in range(BREAKDOWN_RUNS):
                parts.clear()
                captured.clear()
                with connection.execute_wrapper(wrapper):
                    t0 = time.perf_counter()
                    search_module.search(row["query"], user, limit=K)
                    total = time.perf_counter() - t0
                runs.append({**dict(parts), "total": total})
            sql_of = {classify(s): (s, p) for s, p in captured}
            replayed = replay(list(captured))
            median = {
                key: round(statistics.median(r.get(key, 0.0) for r in runs) * 1000, 2)
                for key in sorted({k for r in runs for k in r})
            }
            median["other python"] = round(
                median["total"] - sum(v for k, v in median.items() if k != "total"), 2
            )
            rows.append(
                {
                    "user": who,
                    "id": row["id"],
                    "query": row["query"],
                    "total_matches": row["total"],
                    "matched_all": row["matched_all"],
                    "median_ms": median,
                    "sql_statements": len(captured),
                    "sql_replayed_ms": replayed,
                    "plans": explain(vendor, sql_of),
                }
            )
    finally:
        text.snippet, text.query_terms = original_snippet, original_terms

    profiles = []
    for who, row in picked[:3]:
        profiler = cProfile.Profile()
        profiler.enable()
        search_module.search(row["query"], users[who], limit=K)
        profiler.disable()
        profiles.append(
            write_profile(
                pstats.Stats(profiler),
                f"{vendor}-search-{who}-{row['id']}",
                f"search({row['query']!r}, {who})",
            )
        )
    return {
        "what": f"the {len(rows)} slowest (user, query) pairs by median; median of "
        f"{BREAKDOWN_RUNS} runs of each part, timed with connection.execute_wrapper "
        "(cursor.execute only: rows fetched later are in 'other python') and wrappers "
        "around text.query_terms and text.snippet; sql_replayed_ms: the same statements run "
        "again through a raw cursor with execute + fetchall (SQL cost without the ORM)",
        "rows": rows,
        "profiles": profiles,
    }


def replay(captured: list[tuple[str, list]]) -> dict[str, float]:
    """Each statement of one search run again, execute + fetchall, median of runs by role."""
    from django.db import connection

    runs = []
    with connection.cursor() as cursor:
        for _ in range(BREAKDOWN_RUNS):
            by_role: dict[str, float] = defaultdict(float)
            for sql, params in captured:
                t0 = time.perf_counter()
                cursor.execute(sql, params)
                cursor.fetchall()
                by_role[classify(sql)] += time.perf_counter() - t0
            runs.append(by_role)
    roles = sorted({k for r in runs for k in r})
    return {
        role: round(statistics.median(r.get(role, 0.0) for r in runs) * 1000, 2) for role in roles
    }


def explain(vendor: str, sql_of: dict[str, tuple[str, list]]) -> dict:
    from django.db import connection

    plans = {}
    with connection.cursor() as cursor:
        for role in ("count", "window", "ranked"):
            if role not in sql_of:
                continue
            sql, params = sql_of[role]
            if vendor == "sqlite":
                cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
                lines = [str(r[-1]) for r in cursor.fetchall()]
            else:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                lines = [r[0] for r in cursor.fetchall()]
            # The facet statement lists up to 1,000 ids: keep each line readable.
            plans[role] = [ln if len(ln) <= 240 else ln[:240] + " …" for ln in lines]
    return plans


def measure_scale(
    databases: Databases,
    vendor: str,
    labelled: dict,
    reuse: bool,
    reindex: bool,
    compact_first: bool = False,
) -> dict:
    from django.db.models import Count

    from kyoso.accounts.models import User
    from kyoso.knowledge.models import Entry, SearchDocument, SearchFacet, Status
    from kyoso.municipalities.models import Prefecture

    print(f"Scale database {databases.scale}…")
    built, reused = open_scale_database(databases, vendor, reuse, reindex)
    prefecture = Prefecture.objects.get(code=DEMO_PREFECTURE)
    counts = {
        "entries": Entry.objects.count(),
        "published": Entry.objects.filter(status=Status.PUBLISHED).count(),
        "search_documents": SearchDocument.objects.count(),
        "search_facets": SearchFacet.objects.count(),
        "visibility": dict(
            SearchDocument.objects.values_list("visibility").annotate(n=Count("entry_id"))
        ),
    }
    print(f"  {counts['search_documents']:,} indexed entries ({'reused' if reused else 'built'})")
    users = {"staff": User.objects.get(email=STAFF_EMAIL), "operator": None}
    compaction = None
    if compact_first:
        print("  compaction experiment: one-word queries, index size, compact…")
        before = {"sample_staff": quick_sample(users["staff"]), "index_size": index_size(vendor)}
        compaction = compact(vendor)
        compaction["before"] = before
        compaction["after"] = {"sample_staff": quick_sample(users["staff"])}
        print(
            f"    {compaction['seconds']} s; one-word median "
            f"{before['sample_staff']['median_of_medians_ms']} → "
            f"{compaction['after']['sample_staff']['median_of_medians_ms']} ms"
        )
    print("  index size…")
    size = index_size(vendor)
    queries = latency_queries(labelled)
    print(f"  load average before timing: {os.getloadavg()}")
    print(f"  latency: {len(queries)} queries × {RUNS} passes × {len(users)} users…")
    latency = measure_latency(queries, users)
    for who, data in latency["by_user"].items():
        print(
            f"    {who}: p50 {data['p50_ms']} ms, p95 {data['p95_ms']} ms, max {data['max_ms']} ms"
        )
    print("  breakdown of the slowest queries…")
    parts = breakdown(queries, users, latency, vendor)
    print(f"  save_entry × {SAVE_ENTRY_SAMPLE}…")
    saving = measure_save_entry(prefecture)
    print(f"    {saving['save_entry']['entries_per_second']} entries/s")
    print(f"  profile of index_entry × {INDEX_PROFILE_SAMPLE}…")
    indexing_profile = profile_indexing(vendor)
    return {
        "database": databases.scale
        if vendor == "postgresql"
        else str(Path(databases.scale).relative_to(ROOT)),
        "reused": reused,
        "built": built,
        "counts": counts,
        "index_size": size,
        "compaction": compaction,
        "latency": latency,
        "breakdown": parts,
        "save_entry": saving,
        "index_entry_profile": indexing_profile,
    }


# --- Report -------------------------------------------------------------------------------

MATCH_BUCKETS = ((0, 999), (1_000, 4_999), (5_000, 19_999), (20_000, 10**9))


def by_matches(latency: dict) -> dict:
    """Per-query medians grouped by how many entries the query matches (its total)."""
    out = {}
    for who, data in latency["by_user"].items():
        rows = []
        for low, high in MATCH_BUCKETS:
            medians = [r["median_ms"] for r in data["per_query"] if low <= r["total"] <= high]
            if medians:
                rows.append(
                    {
                        "matches": f"{low:,}–{high:,}" if high < 10**9 else f"≥ {low:,}",
                        "queries": len(medians),
                        "median_of_medians_ms": round(statistics.median(medians), 1),
                        "max_median_ms": round(max(medians), 1),
                        "queries_with_median_within_target": sum(
                            1 for m in medians if m <= TARGET_P95_MS
                        ),
                    }
                )
        out[who] = rows
    return out


def carry_over(result: dict, out: Path, parts: tuple[str, ...]) -> None:
    """A partial run (--skip-quality or --skip-scale) keeps the other part of the results
    file it replaces, marked with the date of the run that measured it."""
    if not out.exists():
        return
    previous = json.loads(out.read_text())
    for part in parts:
        if part in previous and part not in result:
            result[part] = previous[part]
            result.setdefault("carried_over", {})[part] = {
                "from_run": previous.get("date"),
                "code": previous.get("code"),
                "machine": {
                    k: previous.get("machine", {}).get(k)
                    for k in (
                        "load_average_at_start",
                        "cpu_used_by_other_processes_s",
                        "other_processes_share_of_one_core",
                    )
                },
            }


def print_quality(quality: dict) -> None:
    print(f"\n{'id':<8} {'query':<28} rel  search R@10 nDCG  base R@10 nDCG  (totals)")
    for r in quality["per_query"]:
        s, b = r["search"], r["baseline"]
        print(
            f"{r['id']:<8} {r['query'][:26]:<28} {r['relevant']:>3}  "
            f"{s['recall@10']:>10.2f} {s['ndcg@10']:.2f}  {b['recall@10']:>8.2f} "
            f"{b['ndcg@10']:.2f}  ({s['total']}/{b['total']})"
        )
    s, b = quality["summary"]["search"], quality["summary"]["baseline"]
    print(
        f"{'mean':<37}  {s['mean_recall@10']:>10.3f} {s['mean_ndcg@10']:.3f}  "
        f"{b['mean_recall@10']:>8.3f} {b['mean_ndcg@10']:.3f}"
    )
    print(f"baseline returns nothing for {b['queries_with_no_result']} queries\n")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    databases = configure(args)
    from django.conf import settings
    from django.db import connection
    from django.test.utils import override_settings

    if not args.keep_debug:
        override_settings(DEBUG=False).enable()  # production-like: no query log
    vendor = connection.vendor
    labelled = load_queries(args.queries)
    started = dt.datetime.now(dt.UTC)
    t_started = time.perf_counter()
    counters_at_start = cpu_counters()
    code_at_start = code_fingerprint()
    STARTED_WITH.update(code=code_at_start, knowledge=knowledge_fingerprint())
    from kyoso.knowledge import search, text  # noqa: F401 - import now what is measured

    print(f"Kyoso knowledge search benchmark on {vendor}, DEBUG={settings.DEBUG}")
    print(f"  load average at start: {os.getloadavg()}")

    result: dict = {
        "benchmark": "bench/knowledge_search.py",
        "date": started.isoformat(timespec="seconds"),
        "database": args.database,
        "settings": {
            "debug_during_timing": settings.DEBUG,
            "conn_max_age": settings.DATABASES["default"].get("CONN_MAX_AGE"),
            "timer": "time.perf_counter, one process, warm caches (one untimed pass first)",
        },
        "code": {"at_start": code_at_start, "knowledge_at_start": STARTED_WITH["knowledge"]},
        "queries_file": {k: v for k, v in labelled.items() if k != "queries"}
        | {"count": len(labelled["queries"])},
        "targets": {"search_p95_ms": TARGET_P95_MS},
    }
    machine = None
    if not args.skip_quality:
        print("1. Quality: fresh demo database…")
        databases.fresh(databases.quality)
        built = seed_demo_database()
        machine = machine_info(args.database)
        quality = measure_quality(labelled)
        quality["database_built_in_s"] = built["seconds"]
        print_quality(quality)
        other = "postgres" if args.database == "sqlite" else "sqlite"
        comparison = compare_engines(
            quality,
            args.out.parent / f"knowledge_search-{other}.json",
            args.database,
            other,
        )
        if comparison:
            print(
                f"  vs {other}: same top-10 set {comparison['same_top10_set']}/"
                f"{comparison['queries_compared']}, same order {comparison['same_top10_order']}"
            )
        result["quality"] = quality
        result["engine_comparison"] = comparison
    if not args.skip_scale:
        print("2. Scale…")
        scale = measure_scale(databases, vendor, labelled, args.reuse, args.reindex, args.compact)
        if machine is None:
            machine = machine_info(args.database)
        result["scale"] = scale
        result["results"] = [
            {
                "measurement": f"search p95, {who}, "
                f"{scale['counts']['search_documents']:,} entries",
                "measured_ms": data["p95_ms"],
                "target_ms": TARGET_P95_MS,
                "pass": data["pass_p95"],
            }
            for who, data in scale["latency"]["by_user"].items()
        ]
    if args.skip_quality:
        carry_over(result, args.out, ("quality", "engine_comparison"))
    if args.skip_scale:
        carry_over(result, args.out, ("scale", "results"))
    if "scale" in result:
        result["scale"]["latency"]["by_matches"] = by_matches(result["scale"]["latency"])
    result["machine"] = machine or machine_info(args.database)
    result["duration_s"] = round(time.perf_counter() - t_started, 1)
    if hasattr(os, "sched_getaffinity"):
        import resource

        result["machine"]["peak_rss_mib"] = round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        )
    result["machine"].update(contention(counters_at_start, result["duration_s"]))
    result["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    code_at_end = code_fingerprint()
    # The process keeps the code it imported at the start; a change on disk only matters
    # for what the results file says it measured.
    result["code"]["changed_during_run"] = code_at_end["sha256"] != code_at_start["sha256"]
    if code_at_end != code_at_start:
        result["code"]["at_end"] = code_at_end
    result["code"]["knowledge_changed_during_run"] = (
        knowledge_fingerprint() != STARTED_WITH["knowledge"]
    )
    if result["code"]["changed_during_run"]:
        print("WARNING: the code on disk changed during the run; this process measured the code")
        print("         it imported at the start (code.at_start).")
    if (result["machine"].get("other_processes_share_of_one_core") or 0) > 0.1 and (
        vendor == "sqlite"
    ):
        print("WARNING: other processes used CPU during the run; timings may be pessimistic.")
    for row in result.get("results", []):
        verdict = "PASS" if row["pass"] else "MISS"
        print(
            f"{row['measurement']}: {row['measured_ms']} ms (target {row['target_ms']}) {verdict}"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n")
    print(f"Results written to {args.out} ({result['duration_s']} s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
