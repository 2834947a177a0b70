"""Many reports at once: every municipality's report of a survey, then the summary.

Used by ``render_reports`` (files into a folder) and by the background task behind the
prefecture's 「一括作成」 (one ZIP in storage). With ``workers`` > 1 the municipality
reports are rendered by forked processes, one report per job, and handed back one at a
time to be written: memory stays flat whatever the number of municipalities.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db import connection, connections

from kyoso.assessments.models import Survey

from .data import SurveyReports
from .render import render_municipality, render_summary
from .summary import build_summary

Progress = Callable[[int, int], None]  # (done, total)
REPORTS_PER_WORKER = 100  # reports a forked worker renders before a fresh one replaces it

_reports_of_process: dict[int, SurveyReports] = {}  # one survey's data per worker process


def default_workers() -> int:
    """KYOSO_REPORT_WORKERS, or by default one process per core up to two."""
    configured = getattr(settings, "KYOSO_REPORT_WORKERS", 0)
    return configured if configured > 0 else max(1, min(2, os.cpu_count() or 1))


def _reports(survey_id: int, issued_on: dt.date) -> SurveyReports:
    reports = _reports_of_process.get(survey_id)
    if reports is None:
        _reports_of_process.clear()  # one survey at a time: memory stays flat
        reports = SurveyReports(Survey.objects.get(pk=survey_id), issued_on)
        _reports_of_process[survey_id] = reports
    return reports


def _render_one(job: tuple[int, str, str, dt.date]) -> tuple[str, bytes]:
    survey_id, code, fmt, issued_on = job
    report = _reports(survey_id, issued_on).report(code)
    return f"{report.file_stem}.{fmt}", render_municipality(report, fmt)


def report_files(
    survey: Survey,
    fmt: str,
    *,
    codes: list[str] | None = None,
    summary: bool = True,
    workers: int = 1,
    progress: Progress | None = None,
    issued_on: dt.date | None = None,
) -> Iterator[tuple[str, bytes]]:
    """Yield (file name, content) per municipality with a submitted response (or just
    ``codes``), then the prefecture summary; ``progress`` hears each file done."""
    reports = SurveyReports(survey, issued_on)
    issued_on = reports.issued_on
    wanted = reports.codes if codes is None else [c for c in reports.codes if c in codes]
    total = len(wanted) + (1 if summary else 0)
    done = 0
    if progress:
        progress(done, total)
    jobs = [(survey.pk, code, fmt, issued_on) for code in wanted]
    # Forked workers inherit the survey's data read here, so they query nothing.
    _reports_of_process.clear()
    _reports_of_process[survey.pk] = reports
    # Forking is safe only from a single-threaded process (a command, the task worker):
    # a fork copies locks that other threads may hold. Otherwise render here, in turn.
    single_threaded = threading.active_count() == 1
    if workers > 1 and len(jobs) > 1 and single_threaded and not connection.in_atomic_block:
        rendered = _in_processes(jobs, workers)
    else:
        rendered = map(_render_one, jobs)
    for name, content in rendered:
        done += 1
        yield name, content
        if progress:
            progress(done, total)
    if summary:
        report = build_summary(survey, issued_on)
        yield f"{report.file_stem}.{fmt}", render_summary(report, fmt)
        if progress:
            progress(total, total)


def _in_processes(jobs: list, workers: int) -> Iterator[tuple[str, bytes]]:
    # Children are forked: the parent's database connections must not be shared with
    # them (a child closing its copy would end the parent's session), so close them
    # first; every process then opens its own.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    # A worker's memory creeps up with every PDF (WeasyPrint and the allocator keep what
    # they used: +50 % over 1,741 reports); a fresh fork every REPORTS_PER_WORKER keeps
    # the batch's memory flat at the cost of a fork.
    with context.Pool(workers, maxtasksperchild=REPORTS_PER_WORKER) as pool:
        yield from pool.imap(_render_one, jobs, chunksize=1)
