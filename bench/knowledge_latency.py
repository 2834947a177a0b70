"""Search latency only, on a scale database that bench/knowledge_search.py built.

Re-measures p50/p95 after a change to the search code without rebuilding 100,000
entries: migrates a *copy* of the database to the current code, then times
``search(query, user)`` for the labelled queries and some one- and two-word queries,
as a municipal staff user (visibility filter applied), limit 10, snippets and facets
included. Run from the project root::

    DJANGO_DEBUG=1 .venv/bin/python bench/knowledge_latency.py \\
        bench/var/knowledge_search-100000.sqlite3 --out bench/results/knowledge_latency-sqlite.json
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("database", type=Path)
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    copy = Path(tempfile.gettempdir()) / f"kyoso-latency-{os.getpid()}.sqlite3"
    shutil.copyfile(args.database, copy)
    os.environ["DATABASE_URL"] = f"sqlite:///{copy}"
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kyoso.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    settings.DEBUG = False
    from kyoso.accounts.models import User
    from kyoso.knowledge.search import search

    staff = User.objects.get(email="staff-302015@demo.kyoso.jp")
    queries = [q["query"] for q in json.loads(QUERIES.read_text(encoding="utf-8"))["queries"]]
    queries += EXTRA
    for query in queries:  # warm-up pass
        search(query, staff)
    timings, per_query = [], {}
    load_before = os.getloadavg()
    for _ in range(args.passes):
        for query in queries:
            started = time.perf_counter()
            result = search(query, staff)
            ms = (time.perf_counter() - started) * 1000
            timings.append(ms)
            per_query.setdefault(query, {"total": result.total, "ms": []})["ms"].append(ms)
    timings.sort()

    def rank(p: float) -> float:
        return round(timings[max(0, round(p * len(timings)) - 1)], 1)

    git = shutil.which("git") or "git"
    head = subprocess.run(  # noqa: S603 - a fixed command, no user input
        [git, "rev-parse", "HEAD"], capture_output=True, text=True, cwd=ROOT, check=False
    ).stdout.strip()
    results = {
        "benchmark": "knowledge search latency (staff user, limit 10, snippets and facets)",
        "database": str(args.database),
        "git_head": head,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "calls": len(timings),
        "p50_ms": rank(0.50),
        "p95_ms": rank(0.95),
        "max_ms": round(timings[-1], 1),
        "mean_ms": round(statistics.mean(timings), 1),
        "target_p95_ms": 50,
        "pass": rank(0.95) <= 50,
        "slowest": sorted(
            (
                {"query": q, "total": v["total"], "median_ms": round(statistics.median(v["ms"]), 1)}
                for q, v in per_query.items()
            ),
            key=lambda row: -row["median_ms"],
        )[:12],
    }
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    copy.unlink()
    print(json.dumps({k: results[k] for k in ("p50_ms", "p95_ms", "max_ms", "pass")}))


if __name__ == "__main__":
    main()
