"""Kyoso at national scale: 1,741 municipalities × 5 fiscal years × 66 questions.

Builds its own database (never the developer's ``var/kyoso.sqlite3``), fills it with
generated answers and measures what the scaling issue asks for:

a. full recomputation of scores, levels and analysis of every survey (target ≤ 5 s);
b. rescoring one saved response: ``save_answers`` changing one answer, and ``rescore``
   alone (target ≤ 50 ms);
c. the analysis dashboard of one prefecture, 和歌山県 (30 municipalities), and its heat
   map (target ≤ 150 ms server time);
d. the dashboard for 1,741 municipalities (target ≤ 1 s). A survey belongs to one
   prefecture, so this case is a synthetic survey ``bench-national-2025`` tied to
   和歌山県 with one submitted response for each of the 1,741 municipalities.

Run from the project root::

    DJANGO_DEBUG=1 .venv/bin/python bench/assessment_scale.py
    DJANGO_DEBUG=1 .venv/bin/python bench/assessment_scale.py --database postgres \\
        --database-url postgres://bench@127.0.0.1:54331/kyoso_bench \\
        --out bench/results/assessment_scale-postgres.json

``DJANGO_DEBUG=1`` gives the development settings (secret key, allowed hosts, no HTTPS
redirect, static files without a manifest). Timed runs then switch ``DEBUG`` off, as
in production, so that neither Django's query log nor template debugging is timed
(``--keep-debug`` keeps it on). Queries are counted in separate, untimed runs with
``CaptureQueriesContext``. ``--profile`` also writes cProfile summaries of the main
steps to ``bench/var/profiles/``.

Run it on an idle machine. The results record which code was measured (a hash of
``kyoso/**/*.py|html`` and HEAD, at start and end) and how much CPU other processes used
meanwhile, and warn when either makes the numbers doubtful. docs/benchmarks.md has the
results and their analysis.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import platform
import pstats
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
BENCH_VAR = ROOT / "bench" / "var"
DEVELOPER_DATABASE = ROOT / "var" / "kyoso.sqlite3"

YEARS = (2021, 2022, 2023, 2024, 2025)
WAKAYAMA = "300004"
TOKYO = "130001"  # the survey whose one response is edited in (b)
NATIONAL_SLUG = "bench-national-2025"
EDITED_QUESTION = "0-1"  # a scored 総務省 item: changing it changes points and total
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
ANSWER_BATCH = 1000

RUNS_RECOMPUTE = 3
RUNS_RESCORE = 20
RUNS_PREFECTURE_PAGE = 10
RUNS_NATIONAL = 5

TARGETS = {
    "recompute_s": 5.0,
    "rescore_ms": 50.0,
    "prefecture_page_ms": 150.0,
    "national_page_ms": 1000.0,
}

TEXTS = (
    "特になし",
    "庁内の推進体制を見直し中",
    "外部人材の活用を検討している",
    "窓口のオンライン化を段階的に進めている",
    "職員研修を年2回実施",
)


# --- Set-up -----------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--database-url",
        help="PostgreSQL only: a disposable database whose name contains 'bench' "
        "(its public schema is dropped and recreated)",
    )
    parser.add_argument("--out", type=Path, help="JSON results file")
    parser.add_argument(
        "--keep-debug", action="store_true", help="time with DEBUG on (query log, template debug)"
    )
    parser.add_argument(
        "--profile", action="store_true", help="write cProfile summaries to bench/var/profiles/"
    )
    args = parser.parse_args(argv)
    if args.out is None:
        args.out = ROOT / "bench" / "results" / f"assessment_scale-{args.database}.json"
    return args


def configure(args: argparse.Namespace) -> str:
    """Point Django at the benchmark's own database, then set it up. Returns the URL."""
    if args.database == "sqlite":
        BENCH_VAR.mkdir(parents=True, exist_ok=True)
        path = BENCH_VAR / "assessment_scale.sqlite3"
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        url = args.database_url or os.environ.get("BENCH_DATABASE_URL", "")
        if not url:
            sys.exit("--database-url (or BENCH_DATABASE_URL) is required with --database postgres")
        name = urlparse(url).path.lstrip("/")
        if "bench" not in name:
            sys.exit(f"refusing to wipe database {name!r}: its name must contain 'bench'")
    if str(DEVELOPER_DATABASE) in url:
        sys.exit("refusing to use the developer's database")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "kyoso.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return url


def reset_postgres_schema() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE")
        cursor.execute("CREATE SCHEMA public")


def code_fingerprint() -> dict:
    """What is being measured: a hash of the project's code and templates, and HEAD.

    Taken at the start and the end of a run, so results are tied to one version of the
    code and a change during the run (another process editing the tree) shows.
    """
    import hashlib

    digest = hashlib.sha256()
    files = sorted(
        f
        for pattern in ("*.py", "*.html")
        for f in (ROOT / "kyoso").rglob(pattern)
        if "__pycache__" not in f.parts
    )
    for f in files:
        digest.update(str(f.relative_to(ROOT)).encode() + b"\0" + f.read_bytes())
    head = ""
    try:  # read from .git's files: no git command is run
        ref = (ROOT / ".git" / "HEAD").read_text().strip()
        if ref.startswith("ref: "):
            ref_path = ROOT / ".git" / ref[5:]
            if ref_path.exists():
                head = ref_path.read_text().strip()
            else:
                packed = (ROOT / ".git" / "packed-refs").read_text().splitlines()
                head = next((ln.split()[0] for ln in packed if ln.endswith(ref[5:])), "")
        else:
            head = ref
    except OSError:
        pass
    return {"sha256": digest.hexdigest()[:16], "files": len(files), "git_head": head[:12]}


def cpu_counters() -> dict[str, float] | None:
    """Machine-wide busy and steal CPU seconds (/proc/stat) and this process's own."""
    import resource

    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    tick = os.sysconf("SC_CLK_TCK")
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    own = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "busy": (user + nice + system + irq + softirq) / tick,
        "steal": steal / tick,
        "own": own.ru_utime + own.ru_stime,
    }


def contention(start: dict[str, float] | None, seconds: float) -> dict:
    """CPU that other processes used during the run: a busy machine makes timings worse."""
    end = cpu_counters()
    if start is None or end is None:
        return {}
    others = (end["busy"] - start["busy"]) - (end["own"] - start["own"])
    return {
        "cpu_steal_during_run_s": round(end["steal"] - start["steal"], 1),
        "cpu_used_by_other_processes_s": round(others, 1),
        "other_processes_share_of_one_core": round(others / seconds, 2) if seconds else None,
    }


def machine_info(vendor: str) -> dict:
    import django
    from django.db import connection

    cpu_model = ""
    memory_gib = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    if vendor == "sqlite":
        import sqlite3

        database = f"SQLite {sqlite3.sqlite_version}"
    else:
        import psycopg

        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]} (psycopg {psycopg.__version__})"
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_model": cpu_model,
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_gib": memory_gib,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": database,
    }


# --- Data generation (fixtures, not the code under test) -----------------------------------


def answer_value(question, rng: random.Random, maturity: float, code: str) -> object:
    """A valid value for any question type; scored items follow the municipality's maturity."""
    from kyoso.assessments.definition import Family, QuestionType

    kind = question.type
    if kind is QuestionType.SINGLE:
        choices = question.choices
        if question.family is Family.NATIONAL:
            # Choices run from 3 points down to 0: a mature municipality picks the first ones.
            x = maturity + rng.uniform(-0.3, 0.3)
            index = 0 if x > 0.75 else 1 if x > 0.5 else 2 if x > 0.25 else 3
            return choices[min(index, len(choices) - 1)].value
        return rng.choice(choices).value
    if kind is QuestionType.MULTIPLE:
        chosen = set(rng.sample(range(len(question.choices)), rng.randint(1, 3)))
        return [c.value for i, c in enumerate(question.choices) if i in chosen]
    if kind is QuestionType.COUNT:
        if question.family is Family.PREFECTURE:
            return rng.randint(1, 5) if rng.random() < maturity - 0.1 else 0
        low = int(question.minimum or 0)
        high = int(question.maximum) if question.maximum is not None else low + 40
        return rng.randint(low, min(high, low + 40))
    if kind is QuestionType.NUMBER:
        return round(rng.uniform(0, 120), 1)
    return f"{rng.choice(TEXTS)}（{code}）"


def add_responses(survey, municipalities, year: int) -> tuple[int, int]:
    """One submitted response per municipality with an answer to every question."""
    from django.db import transaction
    from django.utils import timezone

    from kyoso.assessments.actions import SurveyQuestions
    from kyoso.assessments.models import Answer, Response, ResponseState

    loaded = SurveyQuestions.load(survey)
    questions = [(model.pk, loaded.definitions[code]) for code, model in loaded.models.items()]
    now = timezone.now()
    answers: list[Answer] = []
    count = 0
    with transaction.atomic():
        responses = Response.objects.bulk_create(
            [
                Response(
                    survey=survey,
                    municipality=m,
                    state=ResponseState.SUBMITTED,
                    submitted_at=now,
                    revision=1,
                )
                for m in municipalities
            ],
            batch_size=500,
        )
        for response, m in zip(responses, municipalities, strict=True):
            base = random.Random(m.code).random()  # noqa: S311 - fixture data
            rng = random.Random(f"{m.code}-{year}")  # noqa: S311 - fixture data
            maturity = min(1.0, max(0.0, 0.15 + 0.6 * base + 0.05 * (year - YEARS[0])))
            for question_id, question in questions:
                answers.append(
                    Answer(
                        response_id=response.pk,
                        question_id=question_id,
                        value=answer_value(question, rng, maturity, m.code),
                    )
                )
            if len(answers) >= 20 * ANSWER_BATCH:
                Answer.objects.bulk_create(answers, batch_size=ANSWER_BATCH)
                count += len(answers)
                answers = []
        Answer.objects.bulk_create(answers, batch_size=ANSWER_BATCH)
        count += len(answers)
    return len(responses), count


def bench_definition(pref_code: str, year: int, slug: str, title: str):
    from kyoso.assessments.bundled.wakayama import wakayama_survey

    # wakayama_survey only knows 2023–2025: build 2024 once and replace the fields.
    return replace(
        wakayama_survey(2024), slug=slug, title=title, fiscal_year=year, prefecture_code=pref_code
    )


def generate(vendor: str) -> dict:
    from django.core.management import call_command
    from django.db import connection

    from kyoso.assessments.actions import save_survey_definition
    from kyoso.municipalities.loader import load_reference
    from kyoso.municipalities.models import Municipality, Prefecture

    started = time.perf_counter()
    if vendor == "postgresql":
        reset_postgres_schema()
    call_command("migrate", verbosity=0)
    load_reference()
    Prefecture.objects.update(enabled=True)
    migrated = time.perf_counter()

    prefectures = list(Prefecture.objects.order_by("code"))
    by_prefecture = defaultdict(list)
    for m in Municipality.objects.filter(is_active=True).order_by("code"):
        by_prefecture[m.prefecture_id].append(m)
    surveys = responses = answers = 0
    definition_seconds = 0.0
    for year in YEARS:
        for pref in prefectures:
            t0 = time.perf_counter()
            survey, _ = save_survey_definition(
                bench_definition(
                    pref.code,
                    year,
                    f"bench-{pref.code}-{year}",
                    f"{pref.name} 市区町村DX調査（{year}年度・ベンチマーク）",
                )
            )
            definition_seconds += time.perf_counter() - t0
            r, a = add_responses(survey, by_prefecture[pref.pk], year)
            surveys, responses, answers = surveys + 1, responses + r, answers + a
        print(f"  {year}: {surveys} surveys, {responses:,} responses, {answers:,} answers so far")
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    finished = time.perf_counter()
    return {
        "prefectures": len(prefectures),
        "municipalities": sum(len(v) for v in by_prefecture.values()),
        "fiscal_years": list(YEARS),
        "surveys": surveys,
        "questions_per_survey": 66,
        "scored_questions_per_survey": 26,
        "responses": responses,
        "answers": answers,
        "generation_seconds": {
            "migrate_and_reference": round(migrated - started, 1),
            "survey_definitions": round(definition_seconds, 1),
            "total": round(finished - started, 1),
        },
    }


# --- Measuring ----------------------------------------------------------------------------


def seconds(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def count_queries(fn: Callable[[], object]) -> tuple[int, list[str]]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    # The log keeps the last 9,000 queries and CaptureQueriesContext counts by its
    # length: start from an empty log, or a full one reports 0.
    reset_queries()
    with CaptureQueriesContext(connection) as context:
        fn()
    return len(context.captured_queries), [q["sql"][:160] for q in context.captured_queries]


def ms_summary(runs_s: list[float]) -> dict:
    runs_ms = [round(s * 1000, 2) for s in runs_s]
    return {
        "runs_ms": runs_ms,
        "median_ms": round(statistics.median(runs_ms), 2),
        "min_ms": min(runs_ms),
        "max_ms": max(runs_ms),
    }


def bench_surveys():
    from kyoso.assessments.models import Survey

    return list(Survey.objects.filter(slug__startswith="bench-").exclude(slug=NATIONAL_SLUG))


def reset_scores() -> None:
    """Forget every stored score, as before the first computation."""
    from kyoso.assessments.models import Answer, Response

    Answer.objects.update(points=0)
    Response.objects.update(total=0, maximum=0, computed_level=None)


def full_recompute() -> dict:
    """The steps of recompute_and_analyse(), timed apart: rescoring, then the analyses."""
    from django.db import transaction

    from kyoso.assessments.actions import SurveyQuestions, recompute_survey_cards
    from kyoso.assessments.analysis import build_analyses

    cpu0, t0 = time.process_time(), time.perf_counter()
    with transaction.atomic():  # as recompute_and_analyse: one transaction, one commit
        surveys = bench_surveys()
        loaded = {survey.pk: SurveyQuestions.load(survey) for survey in surveys}
        cards = {s.pk: recompute_survey_cards(s, loaded[s.pk])[1] for s in surveys}
        t1 = time.perf_counter()
        build_analyses(surveys, loaded, cards)
    cpu2, t2 = time.process_time(), time.perf_counter()
    return {
        "rescore_s": round(t1 - t0, 3),
        "analysis_s": round(t2 - t1, 3),  # includes the commit
        "total_s": round(t2 - t0, 3),
        "process_cpu_s": round(cpu2 - cpu0, 3),  # wall ≫ CPU: waiting (I/O, server, VM)
    }


def full_recompute_queries() -> dict:
    """Queries of a full recomputation: rescoring counted survey by survey (the query log
    keeps 9,000), then the analyses of all surveys together."""
    from kyoso.assessments.actions import SurveyQuestions, recompute_survey_cards
    from kyoso.assessments.analysis import build_analyses

    surveys = bench_surveys()
    rescore: list[int] = []
    loaded, cards = {}, {}
    for survey in surveys:

        def rescore_one(s=survey):
            loaded[s.pk] = SurveyQuestions.load(s)
            cards[s.pk] = recompute_survey_cards(s, loaded[s.pk])[1]

        rescore.append(count_queries(rescore_one)[0])
    analysis = count_queries(lambda: build_analyses(surveys, loaded, cards))[0]
    return {
        "rescore": sum(rescore),
        "analysis": analysis,
        "total": sum(rescore) + analysis,
        "per_survey_rescore": [min(rescore), max(rescore)],
    }


def measure_full_recompute() -> dict:
    from kyoso.assessments.models import Response

    cold = []
    for run in range(RUNS_RECOMPUTE):
        reset_scores()
        cold.append(full_recompute())
        print(f"  full recomputation, all scores stale, run {run + 1}: {cold[-1]}")
    noop = []
    for run in range(RUNS_RECOMPUTE):
        noop.append(full_recompute())
        print(f"  full recomputation, scores current, run {run + 1}: {noop[-1]}")
    reset_scores()
    cold_queries = full_recompute_queries()
    noop_queries = full_recompute_queries()
    levels = Counter(Response.objects.values_list("computed_level", flat=True))
    return {
        "what": "recompute_and_analyse()'s steps for the 235 surveys (47 prefectures × 5 "
        "fiscal years) in one transaction: questions loaded once per survey, "
        "recompute_survey_cards() for each, then build_analyses() from the fresh score cards "
        "(one shared context per prefecture); surveys re-read each run",
        "all_scores_stale": {
            "what": "every Answer.points and Response total/level reset to 0 before each run "
            "(first computation after generation, or after a change of scoring): "
            "every non-zero point is written back",
            "runs": cold,
            "best": min(cold, key=lambda r: r["total_s"]),
            "queries": cold_queries,
        },
        "scores_current": {
            "what": "nothing to change: everything is read, scored and compared, nothing written",
            "runs": noop,
            "best": min(noop, key=lambda r: r["total_s"]),
            "queries": noop_queries,
        },
        "computed_levels": {str(k): v for k, v in sorted(levels.items(), key=str)},
    }


def measure_rescore_one() -> dict:
    from kyoso.assessments import actions
    from kyoso.assessments.models import Response, ResponseState, Survey, SurveyState

    survey = Survey.objects.get(slug=f"bench-{TOKYO}-2025")
    Survey.objects.filter(pk=survey.pk).update(state=SurveyState.OPEN)
    response = (
        Response.objects.filter(survey=survey).order_by("municipality__code").select_related()
    ).first()
    # save_answers refuses submitted responses: this one goes back to draft for the test.
    Response.objects.filter(pk=response.pk).update(state=ResponseState.DRAFT)
    values = ("promoting", "not_planned")

    def save(i: int):
        fresh = Response.objects.get(pk=response.pk)
        return lambda: actions.save_answers(
            fresh,
            {EDITED_QUESTION: values[i % 2]},
            user=None,
            expected_revision=fresh.revision,
        )

    save(1)()  # a known starting value, and warm caches
    runs = [seconds(save(i)) for i in range(RUNS_RESCORE)]
    save_queries, save_sql = count_queries(save(RUNS_RESCORE))
    final = Response.objects.get(pk=response.pk)

    loaded = Response.objects.select_related("survey").get(pk=response.pk)
    actions.rescore(loaded)
    rescore_runs = [seconds(lambda: actions.rescore(loaded)) for _ in range(RUNS_RESCORE)]
    rescore_queries, rescore_sql = count_queries(lambda: actions.rescore(loaded))
    return {
        "what": f"one response of bench-{TOKYO}-2025 (municipality "
        f"{response.municipality.code}), item {EDITED_QUESTION} toggled between "
        "推進している (3) and 推進する予定はない (0) so that every call changes points",
        "save_answers": {
            **ms_summary(runs),
            "queries": save_queries,
            "sql": save_sql,
            "final_revision": final.revision,
            "final_total": final.total,
        },
        "rescore_alone": {
            **ms_summary(rescore_runs),
            "queries": rescore_queries,
            "sql": rescore_sql,
        },
    }


def login_client(prefecture):
    from django.test import Client

    from kyoso.accounts.actions import save_account
    from kyoso.accounts.models import Role

    admin = save_account(
        email="bench-admin@example.jp",
        name="ベンチ 管理者",
        role=Role.PREFECTURE_ADMIN,
        prefecture=prefecture,
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(admin, backend=MODEL_BACKEND)
    return client


def measure_page(client, url: str, runs: int) -> dict:
    def get():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        return response

    first = seconds(get)
    times = [seconds(get) for _ in range(runs)]
    queries, sql = count_queries(get)
    return {
        "url": url,
        "first_request_ms": round(first * 1000, 1),
        **ms_summary(times),
        "queries": queries,
        "sql": sql,
        "bytes": len(get().content),
    }


def measure_prefecture_pages(client) -> dict:
    slug = f"bench-{WAKAYAMA}-2025"
    result = {
        "what": "和歌山県 2025 survey (30 municipalities), GET through django.test.Client "
        "logged in as a prefecture admin; server time = wall time of client.get; "
        "measured before the national survey existed",
        "analysis": measure_page(client, f"/surveys/{slug}/analysis/", RUNS_PREFECTURE_PAGE),
        "heatmap": measure_page(client, f"/surveys/{slug}/heatmap/", RUNS_PREFECTURE_PAGE),
    }
    return result


def create_national_survey() -> tuple[object, dict]:
    from kyoso.assessments.actions import save_survey_definition
    from kyoso.municipalities.models import Municipality

    survey, _ = save_survey_definition(
        bench_definition(
            WAKAYAMA, 2025, NATIONAL_SLUG, "全国 1,741 団体（ベンチマーク用・和歌山県に紐づけ）"
        )
    )
    municipalities = list(Municipality.objects.filter(is_active=True).order_by("code"))
    responses, answers = add_responses(survey, municipalities, 2025)
    return survey, {"responses": responses, "answers": answers}


def measure_national(client) -> dict:
    from kyoso.assessments.actions import recompute_survey
    from kyoso.assessments.analysis import build_analysis
    from kyoso.assessments.models import Survey

    survey, sizes = create_national_survey()
    recompute_runs = [seconds(lambda: recompute_survey(survey))]  # first: every score new
    recompute_runs += [seconds(lambda: recompute_survey(survey)) for _ in range(2)]
    survey = Survey.objects.get(pk=survey.pk)
    build_analysis(survey)
    analysis_runs = [
        seconds(lambda: build_analysis(Survey.objects.get(pk=survey.pk)))
        for _ in range(RUNS_NATIONAL)
    ]
    analysis_queries, analysis_sql = count_queries(lambda: build_analysis(survey))
    url = f"/surveys/{NATIONAL_SLUG}/"
    return {
        "how_built": "A survey belongs to one prefecture, so the 1,741-municipality case is a "
        f"synthetic survey '{NATIONAL_SLUG}' tied to 和歌山県 (fiscal year 2025) with one "
        "SUBMITTED response and 66 answers for every one of the 1,741 active municipalities, "
        "generated like the others and scored with recompute_survey(). Its page shows "
        "「未提出」 as a negative number (30 expected − 1,741 submitted): cosmetic.",
        "sizes": sizes,
        "recompute_survey": {
            "runs_ms": [round(s * 1000, 1) for s in recompute_runs],
            "note": "first run writes every score, the others find nothing to change",
        },
        "build_analysis": {
            **ms_summary(analysis_runs),
            "queries": analysis_queries,
            "sql": analysis_sql,
        },
        "analysis": measure_page(client, url + "analysis/", RUNS_NATIONAL),
        "heatmap": measure_page(client, url + "heatmap/", RUNS_NATIONAL),
    }


def write_profiles(vendor: str, client) -> list[str]:
    """cProfile summaries of the main steps (run after, never during, the timings)."""
    from kyoso.assessments import actions
    from kyoso.assessments.models import Response, Survey

    folder = BENCH_VAR / "profiles"
    folder.mkdir(parents=True, exist_ok=True)
    tokyo = Survey.objects.get(slug=f"bench-{TOKYO}-2025")
    response = Response.objects.filter(survey=tokyo).order_by("municipality__code").first()

    def save_one():
        fresh = Response.objects.get(pk=response.pk)
        current = fresh.answers.get(question__code=EDITED_QUESTION).value
        new = "planned" if current != "planned" else "considering"
        actions.save_answers(
            fresh, {EDITED_QUESTION: new}, user=None, expected_revision=fresh.revision
        )

    steps: list[tuple[str, Callable[[], object], Callable[[], object] | None]] = [
        ("full-recompute-stale", full_recompute, reset_scores),
        ("full-recompute-current", full_recompute, None),
        ("save-answers", save_one, None),
        (
            "prefecture-analysis",
            lambda: client.get(f"/surveys/bench-{WAKAYAMA}-2025/analysis/"),
            None,
        ),
        ("national-analysis", lambda: client.get(f"/surveys/{NATIONAL_SLUG}/analysis/"), None),
        ("national-heatmap", lambda: client.get(f"/surveys/{NATIONAL_SLUG}/heatmap/"), None),
    ]
    written = []
    for name, fn, before in steps:
        if before:
            before()
        profiler = cProfile.Profile()
        profiler.enable()
        fn()
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs()
        out.write(f"# {name} ({vendor})\n\n## by cumulative time\n")
        stats.sort_stats("cumulative").print_stats(45)
        out.write("\n## by own time\n")
        stats.sort_stats("tottime").print_stats(30)
        path = folder / f"{vendor}-{name}.txt"
        path.write_text(out.getvalue())
        written.append(str(path.relative_to(ROOT)))
    return written


# --- Report -------------------------------------------------------------------------------


def verdicts(m: dict) -> list[dict]:
    """Each measurement against its target: pass, and by how much it misses."""
    full, one = m["full_recompute"], m["rescore_one"]
    pref, nat = m["prefecture_dashboard"], m["national_dashboard"]
    stale, current = full["all_scores_stale"], full["scores_current"]
    checks = [
        ("Full recomputation, all stored scores stale (best of 3)",
         stale["best"]["total_s"], "recompute_s", "s", stale["queries"]["total"]),
        ("Full recomputation, scores already current (best of 3)",
         current["best"]["total_s"], "recompute_s", "s", current["queries"]["total"]),
        ("save_answers, one answer changed, incl. rescore (median of 20)",
         one["save_answers"]["median_ms"], "rescore_ms", "ms", one["save_answers"]["queries"]),
        ("rescore(response) alone (median of 20)",
         one["rescore_alone"]["median_ms"], "rescore_ms", "ms", one["rescore_alone"]["queries"]),
        ("和歌山県 analysis page, 30 municipalities (median of 10)",
         pref["analysis"]["median_ms"], "prefecture_page_ms", "ms", pref["analysis"]["queries"]),
        ("和歌山県 heat map page, 30 municipalities (median of 10)",
         pref["heatmap"]["median_ms"], "prefecture_page_ms", "ms", pref["heatmap"]["queries"]),
        ("Analysis page, 1,741 municipalities (median of 5)",
         nat["analysis"]["median_ms"], "national_page_ms", "ms", nat["analysis"]["queries"]),
        ("build_analysis() alone, 1,741 municipalities (median of 5)",
         nat["build_analysis"]["median_ms"], "national_page_ms", "ms",
         nat["build_analysis"]["queries"]),
        ("Heat map page, 1,741 municipalities (median of 5)",
         nat["heatmap"]["median_ms"], "national_page_ms", "ms", nat["heatmap"]["queries"]),
    ]  # fmt: skip
    rows = []
    for name, measured, target_key, unit, queries in checks:
        target = TARGETS[target_key]
        ok = measured <= target
        rows.append(
            {
                "measurement": name,
                "measured": measured,
                "target": target,
                "unit": unit,
                "queries": queries,
                "pass": ok,
                "over_by": None if ok else round(measured - target, 3),
                "ratio_to_target": round(measured / target, 2),
            }
        )
    return rows


def print_table(rows: list[dict]) -> None:
    width = max(len(r["measurement"]) for r in rows)
    print(f"\n{'measurement':<{width}}  {'measured':>10}  {'target':>8}  {'queries':>7}  result")
    for r in rows:
        unit = r["unit"]
        measured, target = f"{r['measured']:g} {unit}", f"{r['target']:g} {unit}"
        verdict = "PASS"
        if not r["pass"]:
            verdict = f"FAIL (+{r['over_by']:g} {unit}, {r['ratio_to_target']:g}× target)"
        queries = str(r["queries"])
        print(f"{r['measurement']:<{width}}  {measured:>10}  {target:>8}  {queries:>7}  {verdict}")
    print()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    url = configure(args)
    from django.conf import settings
    from django.db import connection
    from django.test.utils import override_settings

    from kyoso.municipalities.models import Prefecture

    if not args.keep_debug:
        override_settings(DEBUG=False).enable()  # production-like: no query log, no template debug
    vendor = connection.vendor
    started = dt.datetime.now(dt.UTC)
    counters_at_start = cpu_counters()
    code_at_start = code_fingerprint()
    print(f"Kyoso assessment scale benchmark on {vendor}, DEBUG={settings.DEBUG}")
    print("Generating data…")
    data = generate(vendor)
    print(f"  done in {data['generation_seconds']['total']} s")
    machine = machine_info(args.database)

    measurements: dict = {}
    print("a. Full recomputation…")
    measurements["full_recompute"] = measure_full_recompute()
    print("b. Rescoring one saved response…")
    measurements["rescore_one"] = measure_rescore_one()
    print("c. 和歌山県 dashboard…")
    client = login_client(Prefecture.objects.get(code=WAKAYAMA))
    measurements["prefecture_dashboard"] = measure_prefecture_pages(client)
    print("d. 1,741-municipality dashboard…")
    measurements["national_dashboard"] = measure_national(client)
    rows = verdicts(measurements)
    print_table(rows)

    profiles = []
    if args.profile:
        print("Profiling…")
        profiles = write_profiles(args.database, client)
        print("  " + "\n  ".join(profiles))

    result = {
        "benchmark": "bench/assessment_scale.py",
        "date": started.isoformat(timespec="seconds"),
        "database": args.database,
        "machine": machine,
        "settings": {
            "debug_during_timing": settings.DEBUG,
            "database_url_scheme": urlparse(url).scheme,
            "conn_max_age": settings.DATABASES["default"].get("CONN_MAX_AGE"),
            "timer": "time.perf_counter, one process, warm caches (a first request is reported "
            "separately for each page)",
            "query_counts": "django.test.utils.CaptureQueriesContext in separate untimed runs",
        },
        "code": {"at_start": code_at_start},
        "data": data,
        "targets": TARGETS,
        "results": rows,
        "all_pass": all(r["pass"] for r in rows),
        "measurements": measurements,
        "profiles": profiles,
        "duration_s": round((dt.datetime.now(dt.UTC) - started).total_seconds(), 1),
    }
    if hasattr(os, "sched_getaffinity"):  # Linux: ru_maxrss is in KiB
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        machine["peak_rss_mib"] = round(peak / 1024)
    # Includes the PostgreSQL server's CPU when it runs on this machine.
    machine.update(contention(counters_at_start, result["duration_s"]))
    machine["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    if (machine.get("other_processes_share_of_one_core") or 0) > 0.1 and vendor == "sqlite":
        print("WARNING: other processes used CPU during the run; timings may be pessimistic.")
    code_at_end = code_fingerprint()
    result["code"]["changed_during_run"] = code_at_end != code_at_start
    if result["code"]["changed_during_run"]:
        result["code"]["at_end"] = code_at_end
        print("WARNING: the code under test changed during the run; results are mixed.")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(f"Results written to {args.out} ({result['duration_s']} s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
