"""Background tasks (django-tasks; the database backend and its ``db_worker`` run them)."""

from __future__ import annotations

from django_tasks import task

from .actions import run_batch


@task()
def build_report_zip(batch_id: int) -> None:
    run_batch(batch_id)
