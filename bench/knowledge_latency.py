"""Search latency only, on a scale database that bench/knowledge_search.py built.

Re-measures p50/p95 after a change to the search code without rebuilding 100,000
entries: migrates a *copy* of the database to the current code (timed), then times
``search(query, user)`` for the labelled queries and some one- and two-word queries,
as a municipal staff user (visibility filter applied), limit 10, snippets and facets
included. Pages without words and searches with filters are timed too, apart from the
target. Run from the project root, on SQLite or PostgreSQL::

    DJANGO_DEBUG=1 .venv/bin/python bench/knowledge_latency.py \\
        bench/var/knowledge_search-100000.sqlite3 --out bench/results/knowledge_latency-sqlite.json
    DJANGO_DEBUG=1 .venv/bin/python bench/knowledge_latency.py \\
        postgres://bench@127.0.0.1:54331/kyoso_bench_knowledge_100000 \\
        --out bench/results/knowledge_latency-postgres.json

On PostgreSQL the copy is ``CREATE DATABASE ... TEMPLATE`` of the given one (nobody else
may be connected to it) and is VACUUM ANALYZEd after migrating, as autovacuum would.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "bench" / "knowledge_queries.json"
EXTRA = [
    "DX",
    "窓口",
    "研修",
    "電子申請",
    "BPR",
    "職員 研修",
    "人材 育成",
    "窓口 申請",
    "生成AI 規程",
]


def copy_database(source: str) -> tuple[str, object]:
    """A throw-away copy of the scale database: (its URL, a function that drops it)."""
    if source.startswith("postgres"):
        import psycopg

        base, _, name = source.rpartition("/")
        copy = f"{name}_latency_{os.getpid()}"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{name}"')

        def drop() -> None:
            from django.db import connections

            connections.close_all()
            with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE "{copy}"')

        return f"{base}/{copy}", drop
    path = Path(tempfile.gettempdir()) / f"kyoso-latency-{os.getpid()}.sqlite3"
    shutil.copyfile(source, path)
    return f"sqlite:///{path}", path.unlink


def percentiles(timings: list[float]) -> dict:
    timings = sorted(timings)

    def rank(p: float) -> float:
        return round(timings[max(0, round(p * len(timings)) - 1)], 1)

    return {
        "calls": len(timings),
        "p50_ms": rank(0.50),
        "p95_ms": rank(0.95),
        "max_ms": round(timings[-1], 1),
        "mean_ms": round(statistics.mean(timings), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("database", help="a SQLite file or a postgres:// URL")
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    url, drop = copy_database(args.database)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kyoso.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrate_s = round(time.perf_counter() - started, 1)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("knowledge_searchdocument", "knowledge_searchfacet"):
                cursor.execute(f"VACUUM ANALYZE {table}")
    settings.DEBUG = False
    from kyoso.accounts.models import User
    from kyoso.knowledge.search import search

    staff = User.objects.get(email="staff-302015@demo.kyoso.jp")
    queries = [q["query"] for q in json.loads(QUERIES.read_text(encoding="utf-8"))["queries"]]
    queries += EXTRA
    browsing = [
        ("", {}),
        ("", {"kind": "qa"}),
        ("", {"municipality": "302015"}),
        ("", {"year": "2024"}),
        ("DX", {"kind": "case"}),
        ("窓口", {"municipality": "302015"}),
        ("研修", {"theme": "3"}),
    ]
    for query in queries:  # warm-up pass
        search(query, staff)
    for query, filters in browsing:
        search(query, staff, filters)
    timings, per_query, browse_timings = [], {}, []
    load_before = os.getloadavg()
    for _ in range(args.passes):
        for query in queries:
            started = time.perf_counter()
            result = search(query, staff)
            ms = (time.perf_counter() - started) * 1000
            timings.append(ms)
            per_query.setdefault(query, {"total": result.total, "ms": []})["ms"].append(ms)
        for query, filters in browsing:
            started = time.perf_counter()
            search(query, staff, filters)
            browse_timings.append((time.perf_counter() - started) * 1000)
    load_after = os.getloadavg()
    vendor = connection.vendor
    drop()

    git = shutil.which("git") or "git"
    head = subprocess.run(  # noqa: S603 - a fixed command, no user input
        [git, "rev-parse", "HEAD"], capture_output=True, text=True, cwd=ROOT, check=False
    ).stdout.strip()
    words = percentiles(timings)
    results = {
        "benchmark": "knowledge search latency (staff user, limit 10, snippets and facets)",
        "database": args.database,
        "engine": vendor,
        "git_head": head,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "migrate_seconds": migrate_s,
        "load_average_before": load_before,
        "load_average_after": load_after,
        **words,
        "target_p95_ms": 50,
        "pass": words["p95_ms"] <= 50,
        "browsing": {
            "what": "pages without words and searches with a filter (not in the target)",
            "cases": [{"query": q, "filters": f} for q, f in browsing],
            **percentiles(browse_timings),
        },
        "slowest": sorted(
            (
                {"query": q, "total": v["total"], "median_ms": round(statistics.median(v["ms"]), 1)}
                for q, v in per_query.items()
            ),
            key=lambda row: -row["median_ms"],
        )[:12],
    }
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: results[k] for k in ("p50_ms", "p95_ms", "max_ms", "pass")}))


if __name__ == "__main__":
    main()
