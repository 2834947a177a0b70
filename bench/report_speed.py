"""Kyoso feedback reports: rendering speed, and memory over a national batch.

Measures the targets of the reports issue (issue 4):

1. one municipality's PDF ≤ 1.5 s: (a) the first PDF in a fresh process, WeasyPrint's
   import and font loading included, and (b) warm, median and max over 10 different
   municipalities of 和歌山県. Excel and HTML of one municipality, the summary PDF and the
   cost of ``SurveyReports(...)`` are reported beside it;
2. the PDF reports of all 30 municipalities of 和歌山県 plus the prefecture summary
   ≤ 30 s with both cores: ``report_files(survey, "pdf", workers=2)`` (and workers=1 for
   comparison), files written to a temporary folder;
3. the reports of all 1,741 municipalities in one batch with memory that stays flat:
   ``report_files`` over the synthetic survey ``bench-national-2025`` with workers=2, each
   file written and deleted at once, the RSS of the batch process and of each worker
   sampled every second.

Builds its own database, ``bench/var/report_speed.sqlite3`` (never the developer's
``var/kyoso.sqlite3``), with the generator of ``bench/assessment_scale.py``: 1,741
municipalities × 5 fiscal years, one survey per prefecture and year; the 和歌山県 surveys
are scored, then (for 3) the synthetic survey ``bench-national-2025`` tied to 和歌山県 with
one submitted response per municipality is added and scored. Cases 1 and 2 are measured
before that survey exists, so 和歌山県's own 2025 survey has no same-year twin.

Run from the project root, on an idle machine::

    DJANGO_DEBUG=1 .venv/bin/python bench/report_speed.py
    DJANGO_DEBUG=1 .venv/bin/python bench/report_speed.py --limit 20 --skip-national

``--format`` picks the format of the batches (pdf by default), ``--limit N`` renders only
the first N municipalities of each batch (a quick trial), ``--skip-national`` leaves out
case 3. Trial runs (any of those) write to ``bench/var/report_speed-trial.json`` unless
``--out`` says otherwise; the full PDF run writes ``bench/results/report_speed.json``.

Timed runs switch ``DEBUG`` off (``DJANGO_DEBUG=1`` only supplies the development secret
key and hosts). Fresh-process cases and the batches run in child processes of this script
(``--child``), as the download view's first request or ``render_reports`` would; this
process samples their memory from /proc. The results record which code was measured (a
hash of ``kyoso/**/*.py|html`` plus ``report.css``, and HEAD, at start and end) and the CPU
used by other processes meanwhile. A cProfile summary of one warm PDF render goes to
``bench/var/profiles/report-pdf.txt``. docs/benchmarks.md has the results.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import fcntl
import gc
import hashlib
import importlib.util
import io
import json
import os
import pstats
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_VAR = ROOT / "bench" / "var"
DATABASE = BENCH_VAR / "report_speed.sqlite3"
DEVELOPER_DATABASE = ROOT / "var" / "kyoso.sqlite3"
FULL_RESULTS = ROOT / "bench" / "results" / "report_speed.json"
TRIAL_RESULTS = BENCH_VAR / "report_speed-trial.json"
PROFILE_FILE = BENCH_VAR / "profiles" / "report-pdf.txt"

WAKAYAMA = "300004"
WAKAYAMA_SLUG = f"bench-{WAKAYAMA}-2025"  # the newest 和歌山県 survey: 30 responses
NATIONAL_SLUG = "bench-national-2025"
WAKAYAMA_YEARS = (2021, 2022, 2023, 2024, 2025)
HOKKAIDO = "010006"  # the largest real prefecture: 179 municipalities
HOKKAIDO_SLUG = f"bench-{HOKKAIDO}-2025"

WARM_RUNS = 10  # warm PDFs, each of a different municipality
OTHER_RUNS = 5  # warm xlsx / html / view path
SUMMARY_RUNS = 3
FRESH_RUNS = 3  # fresh processes for the first PDF
MILESTONES = (100, 500, 1000, 1741)
SAMPLE_SECONDS = 1.0
FLAT_GROWTH = 0.10  # "flat": RSS grows < 10 % from the 100th report to the last

TARGETS = {"one_pdf_s": 1.5, "prefecture_batch_s": 30.0, "flat_growth": FLAT_GROWTH}


def _load_scale():
    """bench/assessment_scale.py as a module: its generator, fingerprint and machine info."""
    spec = importlib.util.spec_from_file_location(
        "assessment_scale", ROOT / "bench" / "assessment_scale.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


scale = _load_scale()


# --- Set-up -----------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--format", choices=["pdf", "xlsx", "html"], default="pdf", help="format of the batches"
    )
    parser.add_argument(
        "--limit", type=int, help="render only the first N municipalities of each batch"
    )
    parser.add_argument("--skip-national", action="store_true", help="leave out case 3")
    parser.add_argument("--out", type=Path, help="JSON results file")
    parser.add_argument("--keep-debug", action="store_true", help="time with DEBUG on")
    # Internal: the script runs itself for the fresh-process cases and the batches.
    parser.add_argument("--child", choices=["first-pdf", "first-pdf-parts", "batch"])
    parser.add_argument("--survey", help=argparse.SUPPRESS)
    parser.add_argument("--code", action="append", help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=2, help=argparse.SUPPRESS)
    parser.add_argument("--delete-files", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    trial = args.limit is not None or args.format != "pdf" or args.skip_national
    if args.out is None:
        args.out = TRIAL_RESULTS if trial else FULL_RESULTS
    args.trial = trial
    return args


def setup_django(keep_debug: bool) -> None:
    url = f"sqlite:///{DATABASE}"
    if str(DEVELOPER_DATABASE) in url:
        sys.exit("refusing to use the developer's database")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "kyoso.settings"
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    if not keep_debug:
        from django.test.utils import override_settings

        override_settings(DEBUG=False).enable()  # production-like


def code_fingerprint() -> dict:
    """assessment_scale's fingerprint of all of kyoso/, plus one of the reports' own code:
    kyoso/reports/**/*.py, the report templates and report.css (a .css, not hashed there),
    which tells whether a change during the run touched what is measured."""
    fingerprint = scale.code_fingerprint()
    kyoso = ROOT / "kyoso"
    files = sorted(
        [f for f in (kyoso / "reports").rglob("*.py") if "__pycache__" not in f.parts]
        + list((kyoso / "templates" / "reports").glob("*.html"))
        + [kyoso / "static" / "kyoso" / "report.css"]
    )
    digest = hashlib.sha256()
    for f in files:
        digest.update(str(f.relative_to(ROOT)).encode() + b"\0" + f.read_bytes())
    fingerprint["reports_sha256"] = digest.hexdigest()[:16]
    fingerprint["reports_files"] = len(files)
    return fingerprint


def build_data() -> dict:
    """A fresh database: assessment_scale's generator, then 和歌山県's surveys scored."""
    from kyoso.assessments.actions import recompute_survey
    from kyoso.assessments.models import Survey

    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    data = scale.generate("sqlite")  # migrate, reference data, 235 surveys, answers
    changed = {}
    # Reports read stored scores: score 和歌山県's five surveys, and 北海道's for its summary.
    for prefecture in (WAKAYAMA, HOKKAIDO):
        for year in WAKAYAMA_YEARS:
            survey = Survey.objects.get(slug=f"bench-{prefecture}-{year}")
            changed[survey.slug] = recompute_survey(survey)
    data["scored_surveys"] = changed
    data["build_seconds"] = round(time.perf_counter() - started, 1)
    return data


def add_national_survey() -> dict:
    from kyoso.assessments.actions import recompute_survey

    started = time.perf_counter()
    survey, sizes = scale.create_national_survey()
    sizes["scored_responses"] = recompute_survey(survey)
    sizes["seconds"] = round(time.perf_counter() - started, 1)
    return sizes


# --- Measuring helpers ------------------------------------------------------------------


def seconds(fn: Callable[[], object]) -> float:
    return timed(fn)[0]


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def s_summary(runs: list[float]) -> dict:
    rounded = [round(s, 3) for s in runs]
    return {
        "runs_s": rounded,
        "median_s": round(statistics.median(runs), 3),
        "min_s": min(rounded),
        "max_s": max(rounded),
    }


class GcClock:
    """Time spent in the garbage collector while enabled (gc.callbacks)."""

    def __init__(self):
        self.seconds = 0.0
        self.collections = {0: 0, 1: 0, 2: 0}
        self._started = 0.0

    def _callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started
            self.collections[info["generation"]] += 1

    def __enter__(self) -> GcClock:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc) -> None:
        gc.callbacks.remove(self._callback)


def pdf_pages(content: bytes) -> int | None:
    """Pages of a PDF (pypdf, a test dependency of the project; None without it)."""
    try:
        from pypdf import PdfReader
    except ImportError:
        return None
    return len(PdfReader(io.BytesIO(content)).pages)


def machine_busy() -> float | None:
    """Machine-wide busy CPU seconds (all cores) from /proc/stat."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq = fields[:7]
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def own_cpu() -> float:
    """CPU seconds of this process and of every child it has waited for."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def status_kib(pid: int | str) -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) of a process, in KiB; {} when it has gone."""
    values = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value = line.split(":", 1)
                values[key] = int(value.split()[0])
    except (OSError, ValueError):
        return {}
    return values


def child_pids(pid: int | str) -> list[int]:
    pids: set[int] = set()
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            try:
                pids.update(int(x) for x in (task / "children").read_text().split())
            except OSError:
                continue
    except OSError:
        return []
    return sorted(pids)


def contention_since(busy0: float | None, cpu0: float, t0: float) -> dict:
    """CPU used by other processes since (machine busy, own CPU, time) were read."""
    busy, wall = machine_busy(), time.perf_counter() - t0
    if busy is None or busy0 is None:
        return {}
    others = (busy - busy0) - (own_cpu() - cpu0)
    return {
        "wall_s": round(wall, 1),
        "cpu_used_by_other_processes_s": round(others, 1),
        "other_processes_share_of_one_core": round(others / wall, 2) if wall else None,
    }


def mib(kib: int | None) -> float | None:
    return None if kib is None else round(kib / 1024, 1)


def memory_snapshot(pid: int | str = "self") -> dict:
    """RSS of a process and of each of its children (the pool's workers), in MiB."""
    me = status_kib(pid)
    workers = {}
    for child in child_pids(os.getpid() if pid == "self" else pid):
        status = status_kib(child)
        if status:
            workers[str(child)] = {
                "rss_mib": mib(status.get("VmRSS")),
                "peak_mib": mib(status.get("VmHWM")),
            }
    return {"rss_mib": mib(me.get("VmRSS")), "peak_mib": mib(me.get("VmHWM")), "workers": workers}


# --- Child processes --------------------------------------------------------------------


def child_first_pdf(args) -> dict:
    """A fresh process: the download view's path for one PDF, then a second one."""
    t0 = time.perf_counter()
    setup_django(args.keep_debug)
    from kyoso.assessments.models import Survey
    from kyoso.reports.data import SurveyReports
    from kyoso.reports.render import render_municipality

    t1 = time.perf_counter()
    survey = Survey.objects.select_related("prefecture").get(slug=args.survey)
    reports = SurveyReports(survey)
    t2 = time.perf_counter()
    report = reports.report(args.code[0])
    t3 = time.perf_counter()
    content = render_municipality(report, "pdf")
    t4 = time.perf_counter()
    second = render_municipality(SurveyReports(survey).report(args.code[1]), "pdf")
    t5 = time.perf_counter()
    return {
        "django_setup_s": round(t1 - t0, 3),
        "survey_reports_s": round(t2 - t1, 3),
        "report_s": round(t3 - t2, 3),
        "render_pdf_s": round(t4 - t3, 3),
        "view_path_s": round(t4 - t1, 3),  # survey + SurveyReports + report + render
        "second_view_path_s": round(t5 - t4, 3),
        "bytes": len(content),
        "pages": pdf_pages(content),
        "second_bytes": len(second),
    }


def child_first_pdf_parts(args) -> dict:
    """A fresh process, the first PDF taken apart: WeasyPrint's import, its font and
    stylesheet set-up (pdf._renderer), our template, then WeasyPrint's conversion."""
    setup_django(args.keep_debug)
    from kyoso.assessments.models import Survey
    from kyoso.reports import pdf
    from kyoso.reports.data import SurveyReports
    from kyoso.reports.render import municipality_html

    survey = Survey.objects.select_related("prefecture").get(slug=args.survey)
    report = SurveyReports(survey).report(args.code[0])
    t0 = time.perf_counter()
    import weasyprint  # noqa: F401

    t1 = time.perf_counter()
    pdf._renderer()
    t2 = time.perf_counter()
    html = municipality_html(report, standalone=False)
    t3 = time.perf_counter()
    pdf.html_to_pdf(html)
    t4 = time.perf_counter()
    html2 = municipality_html(report, standalone=False)
    t5 = time.perf_counter()
    pdf.html_to_pdf(html2)
    t6 = time.perf_counter()
    return {
        "import_weasyprint_s": round(t1 - t0, 3),
        "renderer_setup_s": round(t2 - t1, 3),
        "first_template_s": round(t3 - t2, 3),
        "first_html_to_pdf_s": round(t4 - t3, 3),
        "second_template_s": round(t5 - t4, 3),
        "second_html_to_pdf_s": round(t6 - t5, 3),
        "html_chars": len(html),
    }


def child_batch(args) -> dict:
    """One batch as ``render_reports`` runs it: report_files, each file written."""
    t_start = time.perf_counter()
    setup_django(args.keep_debug)
    from kyoso.assessments.models import ResponseState, Survey
    from kyoso.reports.batch import report_files

    survey = Survey.objects.select_related("prefecture").get(slug=args.survey)
    codes = None
    if args.limit:
        codes = list(
            survey.responses.filter(state=ResponseState.SUBMITTED)
            .order_by("municipality__code")
            .values_list("municipality__code", flat=True)[: args.limit]
        )
    folder = Path(tempfile.mkdtemp(prefix="kyoso-report-bench-"))
    done_at: list[float] = []
    milestones: dict[str, dict] = {}
    municipalities = {"n": 0}

    def progress(done: int, total: int) -> None:
        now = time.perf_counter() - t0
        municipalities["n"] = total - 1  # summary=True: the last file is the summary
        if done:
            done_at.append(now)
        if done in MILESTONES or (done and done == total - 1):
            milestones[str(done)] = {"at_s": round(now, 2), **memory_snapshot()}
        print(f"progress {done} {total}", flush=True)

    files = size = 0
    last = b""
    pages: list[int] = []
    largest = ("", 0)
    cpu0, busy0, t0 = own_cpu(), machine_busy(), time.perf_counter()
    first: list[bytes] = []  # pages are counted after the timing
    try:
        for name, content in report_files(
            survey, args.format, codes=codes, summary=True, workers=args.workers, progress=progress
        ):
            path = folder / name
            path.write_bytes(content)
            files += 1
            size += len(content)
            if len(content) > largest[1]:
                largest = (name, len(content))
            if len(first) < 3:
                first.append(content)
            last = content  # the summary, at the end
            if args.delete_files:
                path.unlink()
        wall = time.perf_counter() - t0
        cpu, busy = own_cpu() - cpu0, machine_busy()
        left = sorted(p.name for p in folder.iterdir())
        if args.format == "pdf":
            kept = [(folder / name).read_bytes() for name in left] if left else first
            pages = [pdf_pages(content) for content in kept]
        summary_pages = pdf_pages(last) if args.format == "pdf" else None
        summary_bytes = len(last)
        del last, first
    finally:
        shutil.rmtree(folder)
    n = municipalities["n"]
    last_report = done_at[n - 1] if n and len(done_at) >= n else None
    at_end = memory_snapshot()  # after the summary; the pool's workers are gone
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "survey": args.survey,
        "format": args.format,
        "workers": args.workers,
        "municipality_reports": n,
        "files": files,
        "files_left_in_folder_at_end": len(left),
        "bytes": size,
        "largest_file": {"name": largest[0], "bytes": largest[1]},
        "pdf_pages": pages,  # of every file kept, else of the first three
        "wall_s": round(wall, 2),
        "first_report_at_s": round(done_at[0], 2) if done_at else None,
        "municipality_reports_done_at_s": round(last_report, 2) if last_report else None,
        "summary_s": round(wall - last_report, 2) if last_report else None,
        "summary_bytes": summary_bytes,
        "summary_pages": summary_pages,
        "reports_per_s": round(n / last_report, 2) if last_report else None,
        "process_start_to_end_s": round(time.perf_counter() - t_start, 2),
        "cpu_s": round(cpu, 1),
        "cpu_parent_s": round(cpu - (kids.ru_utime + kids.ru_stime), 1),
        "cpu_workers_s": round(kids.ru_utime + kids.ru_stime, 1),
        "cores_busy": round(cpu / wall, 2),
        "cpu_utilisation_of_2_cores": round(cpu / wall / 2, 2),
        "machine_busy_s": round(busy - busy0, 1) if busy is not None and busy0 else None,
        "done_at_every_100_s": [
            round(done_at[i - 1], 2) for i in range(100, len(done_at) + 1, 100)
        ],
        "milestones": milestones,
        "memory_at_end": at_end,
        "peak_rss_mib": {  # the parent's VmHWM (ru_maxrss would carry the value of the
            # process that started it across exec); workers: the largest ru_maxrss
            "parent": at_end["peak_mib"],
            "largest_worker": round(kids.ru_maxrss / 1024, 1),
        },
    }


def child_main(args) -> int:
    handler = {
        "first-pdf": child_first_pdf,
        "first-pdf-parts": child_first_pdf_parts,
        "batch": child_batch,
    }[args.child]
    result = handler(args)
    args.result.write_text(json.dumps(result, ensure_ascii=False))
    return 0


def run_child(mode: str, args, extra: list[str], *, sample: bool = False) -> dict:
    """Run this script as a child; with ``sample``, read the RSS of the child and of its
    workers every second while it runs. Returns the child's JSON, plus, for batches, the
    memory samples and the CPU other processes used meanwhile."""
    result_file = Path(tempfile.mkstemp(prefix="kyoso-report-bench-", suffix=".json")[1])
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        mode,
        "--result",
        str(result_file),
        *extra,
    ]
    if args.keep_debug:
        command.append("--keep-debug")
    progress = {"done": 0, "total": 0}
    cpu0, busy0, t0 = own_cpu(), machine_busy(), time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)  # noqa: S603

    def read() -> None:
        for line in child.stdout:
            if line.startswith("progress "):
                _, done, total = line.split()
                progress["done"], progress["total"] = int(done), int(total)
            else:
                sys.stdout.write(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    samples: list[list] = []
    peaks: dict[str, float] = {}
    last_print = 0.0
    while child.poll() is None:
        if sample:
            elapsed = time.perf_counter() - t0
            snap = memory_snapshot(child.pid)
            if snap["rss_mib"] is not None:
                samples.append(
                    [
                        round(elapsed, 1),
                        progress["done"],
                        snap["rss_mib"],
                        [w["rss_mib"] for w in snap["workers"].values()],
                    ]
                )
                peaks["parent"] = max(peaks.get("parent", 0), snap["peak_mib"] or 0)
                for pid, w in snap["workers"].items():
                    peaks[pid] = max(peaks.get(pid, 0), w["peak_mib"] or 0)
            if progress["total"] and elapsed - last_print >= 30:
                last_print = elapsed
                print(
                    f"    {progress['done']}/{progress['total']} after {elapsed:.0f} s, "
                    f"RSS {snap['rss_mib']} MiB + workers "
                    f"{[w['rss_mib'] for w in snap['workers'].values()]}",
                    flush=True,
                )
        time.sleep(SAMPLE_SECONDS if sample else 0.05)
    reader.join(timeout=5)
    wall = time.perf_counter() - t0
    if child.returncode != 0:
        raise RuntimeError(f"child {mode} failed with exit code {child.returncode}")
    result = json.loads(result_file.read_text())
    result_file.unlink()
    busy = machine_busy()
    if busy is not None and busy0 is not None:
        others = (busy - busy0) - (own_cpu() - cpu0)
        result["contention"] = {
            "process_wall_s": round(wall, 1),
            "cpu_used_by_other_processes_s": round(others, 1),
            "other_processes_share_of_one_core": round(others / wall, 2) if wall else None,
        }
    if sample:
        workers = [v for k, v in peaks.items() if k != "parent"]
        result["sampled_peak_mib"] = {
            "parent": peaks.get("parent"),
            "workers": workers,
            "worker_processes_seen": len(workers),
        }
        if result.get("workers", 1) > 1 and not result.get("cpu_workers_s"):
            print("WARNING: the batch rendered in one process: no worker was forked.")
        result["samples"] = {
            "every_s": SAMPLE_SECONDS,
            "columns": ["t_s", "reports_done", "parent_rss_mib", "worker_rss_mib"],
            "rows": samples,
        }
    return result


# --- Case 1: one report -----------------------------------------------------------------


def measure_one_report(args) -> dict:
    from kyoso.assessments.models import Survey
    from kyoso.reports.data import SurveyReports
    from kyoso.reports.pdf import html_to_pdf
    from kyoso.reports.render import municipality_html, render_municipality, render_summary
    from kyoso.reports.summary import build_summary

    survey = Survey.objects.select_related("prefecture").get(slug=WAKAYAMA_SLUG)
    codes = SurveyReports(survey).codes
    print(f"  first PDF in {FRESH_RUNS} fresh processes…")
    fresh = [
        run_child(
            "first-pdf",
            args,
            ["--survey", WAKAYAMA_SLUG, "--code", codes[i], "--code", codes[i + 1]],
        )
        for i in range(FRESH_RUNS)
    ]
    parts = run_child("first-pdf-parts", args, ["--survey", WAKAYAMA_SLUG, "--code", codes[0]])

    print("  SurveyReports and warm renders in this process…")
    survey_reports = [seconds(lambda: SurveyReports(survey)) for _ in range(SUMMARY_RUNS)]
    queries, _sql = scale.count_queries(lambda: SurveyReports(survey))
    reports = SurveyReports(survey)
    report_runs = [seconds(lambda c=c: reports.report(c)) for c in codes]

    first_in_process = seconds(lambda: render_municipality(reports.report(codes[0]), "pdf"))
    warm, sizes, pages, contents = [], [], [], []
    with GcClock() as collector:
        for code in codes[1 : 1 + WARM_RUNS]:
            report = reports.report(code)
            spent, content = timed(lambda r=report: render_municipality(r, "pdf"))
            warm.append(spent)
            contents.append(content)
    for content in contents:
        sizes.append(len(content))
        pages.append(pdf_pages(content))
    del contents
    # Diagnostic: the same renders with the garbage collector off.
    gc.collect()
    gc.disable()
    try:
        no_gc = [
            seconds(lambda c=c: render_municipality(reports.report(c), "pdf"))
            for c in codes[1 : 1 + OTHER_RUNS]
        ]
    finally:
        gc.enable()
    # Template vs WeasyPrint, for the same ten municipalities.
    template, weasy = [], []
    for code in codes[1 : 1 + WARM_RUNS]:
        report = reports.report(code)
        spent, html = timed(lambda r=report: municipality_html(r, standalone=False))
        template.append(spent)
        weasy.append(seconds(lambda h=html: html_to_pdf(h)))
    view_path = [
        seconds(lambda c=c: render_municipality(SurveyReports(survey).report(c), "pdf"))
        for c in codes[11 : 11 + OTHER_RUNS]
    ]
    other = {}
    for fmt in ("xlsx", "html"):
        first = seconds(lambda f=fmt: render_municipality(reports.report(codes[0]), f))
        runs, size = [], 0
        for code in codes[16 : 16 + OTHER_RUNS]:
            report = reports.report(code)
            spent, content = timed(lambda r=report, f=fmt: render_municipality(r, f))
            runs.append(spent)
            size = len(content)
        other[fmt] = {"first_in_process_s": round(first, 3), **s_summary(runs), "bytes": size}

    print("  summary…")
    build = [seconds(lambda: build_summary(survey)) for _ in range(SUMMARY_RUNS)]
    summary_queries, _sql = scale.count_queries(lambda: build_summary(survey))
    summary = build_summary(survey)
    summary_pdf = [seconds(lambda: render_summary(summary, "pdf")) for _ in range(SUMMARY_RUNS)]
    summary_content = render_summary(summary, "pdf")
    summary_other = {
        fmt: round(min(seconds(lambda f=fmt: render_summary(summary, f)) for _ in range(2)), 3)
        for fmt in ("xlsx", "html")
    }
    view_warm = statistics.median(view_path)

    print("  summary of the largest prefecture…")
    hokkaido = Survey.objects.select_related("prefecture").get(slug=HOKKAIDO_SLUG)
    spent_build, large = timed(lambda: build_summary(hokkaido))
    spent_pdf, large_pdf = timed(lambda: render_summary(large, "pdf"))
    largest = {
        "what": f"{HOKKAIDO_SLUG} (北海道, {len(large.analysis.municipalities)} municipalities):"
        " build_summary, then render_summary(pdf), once, warm process",
        "build_summary_s": round(spent_build, 3),
        "pdf_s": round(spent_pdf, 3),
        "bytes": len(large_pdf),
        "pages": pdf_pages(large_pdf),
    }
    return {
        "survey": WAKAYAMA_SLUG,
        "municipalities": len(codes),
        "first_pdf_fresh_process": {
            "what": "a fresh Python process per run: django.setup(), then as the download "
            "view: the survey, SurveyReports(survey), .report(code), render_municipality(pdf) "
            "(WeasyPrint imported and fonts loaded on first use); then a second PDF of "
            "another municipality in the same process",
            "runs": fresh,
            "median_view_path_s": round(statistics.median(r["view_path_s"] for r in fresh), 3),
            "median_render_pdf_s": round(statistics.median(r["render_pdf_s"] for r in fresh), 3),
            "parts": parts,
        },
        "survey_reports": {
            "what": "SurveyReports(survey): analysis, last year's analysis, answers, settings",
            **s_summary(survey_reports),
            "queries": queries,
        },
        "report_of_one_code": {
            "what": "SurveyReports.report(code), in memory, all 30 codes",
            **s_summary(report_runs),
        },
        "pdf_first_in_this_process_s": round(first_in_process, 3),
        "pdf_warm": {
            "what": f"render_municipality(report, 'pdf') for {WARM_RUNS} different "
            "municipalities after one warm-up PDF",
            **s_summary(warm),
            "bytes": sizes,
            "pages": pages,
            "gc_s_per_render": round(collector.seconds / len(warm), 3),
            "gc_collections": collector.collections,
            "template_s": s_summary(template),
            "html_to_pdf_s": s_summary(weasy),
        },
        "pdf_warm_gc_disabled": {
            "what": f"diagnostic: the first {OTHER_RUNS} of those municipalities again with "
            "the garbage collector disabled",
            **s_summary(no_gc),
        },
        "pdf_warm_view_path": {
            "what": "SurveyReports(survey).report(code) + render pdf, as each download request "
            "(warm process), 5 municipalities",
            **s_summary(view_path),
        },
        "xlsx": other["xlsx"],
        "html": other["html"],
        "summary": {
            "build_summary": {**s_summary(build), "queries": summary_queries},
            "pdf": {
                **s_summary(summary_pdf),
                "bytes": len(summary_content),
                "pages": pdf_pages(summary_content),
            },
            "xlsx_s": summary_other["xlsx"],
            "html_s": summary_other["html"],
            "download_path_warm_s": round(
                statistics.median(build) + statistics.median(summary_pdf), 3
            ),
        },
        "view_path_warm_median_s": round(view_warm, 3),
        "summary_largest_prefecture": largest,
    }


# --- Profile ------------------------------------------------------------------------------

# Entry points whose cumulative time splits one PDF into its stages.
STAGES = [
    ("our data: SurveyReports.report()", "kyoso/reports/data.py", "report"),
    ("our charts: figures.municipality_charts()", "kyoso/reports/figures.py",
     "municipality_charts"),
    ("our template: render_to_string()", "django/template/loader.py", "render_to_string"),
    ("WeasyPrint: parse HTML (HTML.__init__)", "weasyprint/__init__.py", "__init__"),
    ("WeasyPrint: styles + layout (Document._render)", "weasyprint/document.py", "_render"),
    ("  CSS cascade (get_all_computed_styles)", "weasyprint/css/__init__.py",
     "get_all_computed_styles"),
    ("  layout (layout_document)", "weasyprint/layout/__init__.py", "layout_document"),
    ("    tables: column widths (table_wrapper_width)", "weasyprint/layout/table.py",
     "table_wrapper_width"),
    ("    tables: rows (table_layout)", "weasyprint/layout/table.py", "table_layout"),
    ("    line breaking with Pango (split_first_line, all callers)",
     "weasyprint/text/line_break.py", "split_first_line"),
    ("WeasyPrint: write PDF (Document.write_pdf)", "weasyprint/document.py", "write_pdf"),
    ("  drawing (draw_page)", "weasyprint/draw/__init__.py", "draw_page"),
    ("    SVG charts (draw_replacedbox)", "weasyprint/draw/__init__.py", "draw_replacedbox"),
    ("  font embedding (build_fonts_dictionary)", "weasyprint/pdf/fonts.py",
     "build_fonts_dictionary"),
    ("    font subsetting (Font.subset)", "weasyprint/pdf/fonts.py", "subset"),
    ("  PDF serialisation (pydyf PDF.write)", "pydyf/__init__.py", "write"),
]  # fmt: skip


def profile_pdf() -> dict:
    """cProfile of one warm PDF render (data → template → WeasyPrint), after the timings."""
    from kyoso.assessments.models import Survey
    from kyoso.reports.data import SurveyReports
    from kyoso.reports.render import render_municipality

    survey = Survey.objects.select_related("prefecture").get(slug=WAKAYAMA_SLUG)
    reports = SurveyReports(survey)
    codes = reports.codes
    render_municipality(reports.report(codes[0]), "pdf")  # warm
    # With the collector on, a collection's pause lands in whatever function happens to
    # allocate (once it was 0.13 s in a CSS helper): profile without it; the timings
    # measure the collector's share (pdf_warm.gc_s_per_render).
    gc.collect()
    gc.disable()
    profiler = cProfile.Profile()
    wall = time.perf_counter()
    profiler.enable()
    render_municipality(reports.report(codes[1]), "pdf")
    profiler.disable()
    wall = time.perf_counter() - wall
    gc.enable()
    stats = pstats.Stats(profiler)
    total = max(ct for (_cc, _nc, _tt, ct, _callers) in stats.stats.values())
    stages = []
    for label, path, name in STAGES:
        ct = sum(
            v[3]
            for (file, _line, func), v in stats.stats.items()
            if func == name and file.endswith(path)
        )
        stages.append(
            {
                "stage": label,
                "cumulative_s": round(ct, 3),
                "share": round(ct / total, 3) if total else None,
            }
        )
    own_by_package: dict[str, float] = defaultdict(float)
    for (file, _line, _func), v in stats.stats.items():
        own_by_package[_package(file)] += v[2]
    packages = sorted(own_by_package.items(), key=lambda kv: -kv[1])[:12]
    out = io.StringIO()
    out.write(f"# One warm PDF render of {codes[1]} ({WAKAYAMA_SLUG}), cProfile, gc off\n\n")
    out.write(f"Wall time under the profiler: {wall:.3f} s\n\n## stages\n")
    for s in stages:
        out.write(f"{s['cumulative_s']:8.3f} s  {s['share'] or 0:6.1%}  {s['stage']}\n")
    out.write("\n## own time by package\n")
    for name, tt in packages:
        out.write(f"{tt:8.3f} s  {name}\n")
    printed = pstats.Stats(profiler, stream=out).strip_dirs()
    out.write("\n## by cumulative time\n")
    printed.sort_stats("cumulative").print_stats(45)
    out.write("\n## by own time\n")
    printed.sort_stats("tottime").print_stats(30)
    PROFILE_FILE.parent.mkdir(parents=True, exist_ok=True)
    PROFILE_FILE.write_text(out.getvalue())
    top_own = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:12]
    return {
        "what": f"cProfile of render_municipality(SurveyReports.report('{codes[1]}'), 'pdf') "
        "after one warm-up PDF, garbage collector disabled; times include the profiler's "
        "overhead (about 2x); stages nest as indented and overlap where a function is "
        "called from several",
        "wall_under_profiler_s": round(wall, 3),
        "profiled_total_s": round(total, 3),
        "stages": stages,
        "own_time_by_package_s": {k: round(v, 3) for k, v in packages},
        "top_own_time": [
            {
                "function": f"{_package(f)}:{Path(f).name}:{line}({func})",
                "own_s": round(v[2], 3),
                "calls": v[1],
            }
            for (f, line, func), v in top_own
        ],
        "file": str(PROFILE_FILE.relative_to(ROOT)),
    }


def _package(file: str) -> str:
    """A profile entry's package: weasyprint/layout, fontTools, django/template, kyoso…"""
    if file == "~":
        return "built-ins (C: cffi calls into Pango/HarfBuzz, zlib, re…)"
    parts = Path(file).parts
    for anchor in ("site-packages", "lib-dynload"):
        if anchor in parts:
            rest = parts[parts.index(anchor) + 1 :]
            if not rest:
                break
            if rest[0] in ("weasyprint", "django") and len(rest) > 2:
                return "/".join(rest[:2])
            return rest[0].removesuffix(".py")
    if "kyoso" in parts:
        return "kyoso/" + "/".join(parts[parts.index("kyoso") + 1 : -1])
    return "python stdlib"


def pdf_stack() -> dict:
    """What renders the PDFs: WeasyPrint, Pango, whether HarfBuzz subsets the font."""
    import weasyprint
    from weasyprint.text.ffi import harfbuzz_subset, pango

    from kyoso.reports.pdf import font_path

    version = pango.pango_version()  # e.g. 15012 for 1.50.12
    return {
        "weasyprint": weasyprint.__version__,
        "pango": f"{version // 10000}.{version // 100 % 100}.{version % 100}",
        "harfbuzz_subset": harfbuzz_subset is not None,
        "font": font_path().name,
    }


# --- Verdicts ---------------------------------------------------------------------------


def verdicts(m: dict) -> list[dict]:
    one = m["one_report"]
    fresh = one["first_pdf_fresh_process"]
    limit = TARGETS["one_pdf_s"]
    rows = [
        (
            "1a. First PDF in a fresh process, download-view path: SurveyReports + report + "
            f"render (median of {FRESH_RUNS} processes)",
            fresh["median_view_path_s"],
            limit,
            "s",
        ),
        (
            f"1a. First PDF in a fresh process, render_municipality alone (median of {FRESH_RUNS})",
            fresh["median_render_pdf_s"],
            limit,
            "s",
        ),
        (
            f"1b. Warm PDF render, median of {WARM_RUNS} municipalities",
            one["pdf_warm"]["median_s"],
            limit,
            "s",
        ),
        (
            f"1b. Warm PDF render, max of {WARM_RUNS} municipalities",
            one["pdf_warm"]["max_s"],
            limit,
            "s",
        ),
        (
            "1b. Warm download-view path (SurveyReports + report + render), median of "
            f"{OTHER_RUNS}",
            one["view_path_warm_median_s"],
            limit,
            "s",
        ),
    ]
    batch = m.get("prefecture_batch", {}).get("workers_2")
    if batch:
        rows.append(
            (
                f"2. 和歌山県: {batch['municipality_reports']} municipality "
                f"{batch['format'].upper()}s + summary, workers=2 (wall)",
                batch["wall_s"],
                TARGETS["prefecture_batch_s"],
                "s",
            )
        )
    result = []
    for name, measured, target, unit in rows:
        ok = measured <= target
        result.append(
            {
                "measurement": name,
                "measured": measured,
                "target": target,
                "unit": unit,
                "pass": ok,
                "over_by": None if ok else round(measured - target, 3),
                "ratio_to_target": round(measured / target, 2),
            }
        )
    national = m.get("national_batch")
    if national:
        last = national["milestones"][max(national["milestones"], key=int)]
        result.append(
            {
                "measurement": f"3. {national['municipality_reports']} municipality reports + "
                "summary, workers=2: wall time (no target)",
                "measured": national["wall_s"],
                "target": None,
                "unit": "s",
                "pass": None,
                "detail": {
                    "municipality_reports_done_at_s": national["municipality_reports_done_at_s"],
                    "reports_per_s": national["reports_per_s"],
                    "summary_s": national["summary_s"],
                },
            }
        )
        result.append(
            {
                "measurement": "3. Peak RSS of the batch process, the summary included "
                "(no target; after the last municipality report it was "
                f"{last['rss_mib']} MiB)",
                "measured": national["peak_rss_mib"]["parent"],
                "target": None,
                "unit": "MiB",
                "pass": None,
            }
        )
        growth = flat_memory(national)
        worst = max(growth["growth"].values()) if growth["growth"] else None
        ok = worst is not None and worst < FLAT_GROWTH
        result.append(
            {
                "measurement": f"3. {national['municipality_reports']} municipality reports, "
                f"workers=2: RSS growth from report {growth['from']} to {growth['to']} "
                "(worst process)",
                "measured": worst,
                "target": FLAT_GROWTH,
                "unit": "× (share)",
                "pass": ok,
                "over_by": None if ok else round(worst - FLAT_GROWTH, 3),
                "ratio_to_target": round(worst / FLAT_GROWTH, 2) if worst is not None else None,
                "detail": growth,
            }
        )
    return result


def flat_memory(batch: dict) -> dict:
    """RSS growth of the batch process, and of the largest worker alive, between the
    first milestone (100 reports) and the last municipality report (before the summary).
    The largest worker alive, not each worker: the pool may replace its workers
    (maxtasksperchild), so the processes at the end need not be those of the start."""
    marks = batch["milestones"]
    keys = sorted(marks, key=int)
    if len(keys) < 2:
        return {"from": None, "to": None, "growth": {}}
    first, last = marks[keys[0]], marks[keys[-1]]
    growth = {"parent": round(last["rss_mib"] / first["rss_mib"] - 1, 3)}
    if first["workers"] and last["workers"]:
        growth["largest worker"] = round(
            max(w["rss_mib"] for w in last["workers"].values())
            / max(w["rss_mib"] for w in first["workers"].values())
            - 1,
            3,
        )
    same = sorted(set(first["workers"]) & set(last["workers"]))
    for i, pid in enumerate(same):  # workers alive at both milestones (no recycling)
        growth[f"worker {i + 1}"] = round(
            last["workers"][pid]["rss_mib"] / first["workers"][pid]["rss_mib"] - 1, 3
        )
    return {"from": int(keys[0]), "to": int(keys[-1]), "growth": growth}


def print_table(rows: list[dict]) -> None:
    print()
    for r in rows:
        verdict = (
            "info" if r["pass"] is None else "PASS" if r["pass"] else f"MISS (+{r['over_by']:g})"
        )
        print(
            f"{r['measurement']}\n    {r['measured']} {r['unit']} (target {r['target']}): {verdict}"
        )
    print()


# --- Main ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        return child_main(args)
    # Each run rebuilds bench/var/report_speed.sqlite3: two at once would delete each
    # other's database. The lock goes with the process.
    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    lock = (BENCH_VAR / "report_speed.lock").open("w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        sys.exit("another run of bench/report_speed.py is using bench/var/: wait for it")
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{DATABASE}{suffix}").unlink(missing_ok=True)
    setup_django(args.keep_debug)
    from django.conf import settings

    started = dt.datetime.now(dt.UTC)
    busy_at_start, cpu_at_start, t_start = machine_busy(), own_cpu(), time.perf_counter()
    code_at_start = code_fingerprint()
    print(
        f"Kyoso report benchmark, DEBUG={settings.DEBUG}, batches in {args.format}"
        f"{f', limit {args.limit}' if args.limit else ''}; load {os.getloadavg()}"
    )
    print("Building the database (assessment_scale's generator)…")
    data = build_data()
    print(f"  done in {data['build_seconds']} s")
    machine = scale.machine_info("sqlite")
    extra = ["--format", args.format] + (["--limit", str(args.limit)] if args.limit else [])

    measurements: dict = {}
    print("1. One report…")
    phase = (machine_busy(), own_cpu(), time.perf_counter())
    measurements["one_report"] = measure_one_report(args)
    measurements["one_report"]["contention"] = contention_since(*phase)
    one = measurements["one_report"]
    print(
        f"  fresh first PDF {one['first_pdf_fresh_process']['median_view_path_s']} s, "
        f"warm median {one['pdf_warm']['median_s']} s, max {one['pdf_warm']['max_s']} s"
    )

    print("2. 和歌山県 batch…")
    measurements["prefecture_batch"] = {}
    for workers in (2, 1):
        batch = run_child(
            "batch",
            args,
            ["--survey", WAKAYAMA_SLUG, "--workers", str(workers), *extra],
            sample=True,
        )
        measurements["prefecture_batch"][f"workers_{workers}"] = batch
        print(f"  workers={workers}: {batch['wall_s']} s, {batch['cores_busy']} cores busy")

    if not args.skip_national:
        print("3. National batch: adding the 1,741-response survey…")
        data["national_survey"] = add_national_survey()
        batch = run_child(
            "batch",
            args,
            ["--survey", NATIONAL_SLUG, "--workers", "2", "--delete-files", *extra],
            sample=True,
        )
        measurements["national_batch"] = batch
        print(f"  {batch['wall_s']} s, {batch['reports_per_s']} reports/s")

    machine["pdf"] = pdf_stack()
    print("Profiling one warm PDF…")
    profile = profile_pdf()
    rows = verdicts(measurements)
    print_table(rows)

    duration = time.perf_counter() - t_start
    result = {
        "benchmark": "bench/report_speed.py",
        "date": started.isoformat(timespec="seconds"),
        "command": "DJANGO_DEBUG=1 .venv/bin/python bench/report_speed.py "
        + " ".join(a for a in (argv if argv is not None else sys.argv[1:])),
        "trial": args.trial,
        "database": "sqlite",
        "machine": machine,
        "settings": {
            "debug_during_timing": not args.keep_debug,
            "timer": "time.perf_counter; batches and fresh-process cases in child processes",
            "memory": "VmRSS / VmHWM from /proc/<pid>/status, workers found through "
            "/proc/<pid>/task/*/children; sampled every second by the benchmark process and "
            "read by the batch process itself at each milestone",
        },
        "code": {"at_start": code_at_start},
        "data": data,
        "targets": TARGETS,
        "results": rows,
        "all_pass": all(r["pass"] for r in rows if r["pass"] is not None),
        "measurements": measurements,
        "profile": profile,
        "duration_s": round(duration, 1),
    }
    busy = machine_busy()
    if busy is not None and busy_at_start is not None:
        others = (busy - busy_at_start) - (own_cpu() - cpu_at_start)
        machine["cpu_used_by_other_processes_s"] = round(others, 1)
        machine["other_processes_share_of_one_core"] = round(others / duration, 2)
        if others / duration > 0.1:
            print("WARNING: other processes used CPU during the run; timings may be pessimistic.")
    machine["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    machine["peak_rss_mib_benchmark_process"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    )
    code_at_end = code_fingerprint()
    result["code"]["changed_during_run"] = code_at_end != code_at_start
    result["code"]["reports_code_changed_during_run"] = (
        code_at_end["reports_sha256"] != code_at_start["reports_sha256"]
    )
    if result["code"]["changed_during_run"]:
        result["code"]["at_end"] = code_at_end
        which = (
            "the reports' own code"
            if result["code"]["reports_code_changed_during_run"]
            else ("kyoso/ (not the reports' own code)")
        )
        print(f"WARNING: {which} changed during the run; results may be mixed.")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(f"Results written to {args.out} ({result['duration_s']} s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
