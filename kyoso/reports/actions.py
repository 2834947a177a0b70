"""Every write of the reports app: settings, and batches of reports in the background."""

from __future__ import annotations

import logging
import tempfile
import uuid
import zipfile

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from kyoso.accounts.models import User
from kyoso.assessments.models import Survey

from .batch import default_workers, report_files
from .models import BatchState, ReportBatch, ReportSettings

logger = logging.getLogger(__name__)


def save_settings(prefecture_id: int, *, share_peer_names: bool, user: User) -> ReportSettings:
    settings, _ = ReportSettings.objects.update_or_create(
        prefecture_id=prefecture_id,
        defaults={"share_peer_names": share_peer_names, "updated_by": user},
    )
    return settings


def request_batch(survey: Survey, fmt: str, *, user: User) -> ReportBatch:
    """Queue the ZIP of all reports; the task starts once the request's data is saved."""
    from .tasks import build_report_zip

    with transaction.atomic():
        batch = ReportBatch.objects.create(survey=survey, format=fmt, requested_by=user)
        transaction.on_commit(lambda: build_report_zip.enqueue(batch.pk))
    return batch


def run_batch(batch_id: int, workers: int | None = None) -> ReportBatch:
    """Render every report of the batch into one ZIP in storage, counting progress."""
    # Claimed in one conditional UPDATE: two workers never run the same batch.
    claimed = ReportBatch.objects.filter(pk=batch_id, state=BatchState.QUEUED).update(
        state=BatchState.RUNNING
    )
    batch = ReportBatch.objects.select_related("survey__prefecture").get(pk=batch_id)
    if not claimed:
        return batch  # already taken by another worker, or finished

    def progress(done: int, total: int) -> None:
        ReportBatch.objects.filter(pk=batch.pk).update(done=done, total=total)

    compression = zipfile.ZIP_DEFLATED if batch.format == "html" else zipfile.ZIP_STORED
    try:
        with tempfile.TemporaryFile() as scratch:
            with zipfile.ZipFile(scratch, "w", compression) as archive:
                for name, content in report_files(
                    batch.survey,
                    batch.format,
                    workers=default_workers() if workers is None else workers,
                    progress=progress,
                ):
                    archive.writestr(name, content)
            size = scratch.tell()
            scratch.seek(0)
            year = timezone.localdate().year
            stored = default_storage.save(
                f"reports/{year:04d}/{uuid.uuid4().hex}.zip", File(scratch)
            )
    except Exception as error:
        logger.exception("Report batch %s failed", batch.pk)
        ReportBatch.objects.filter(pk=batch.pk).update(
            state=BatchState.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
    else:
        ReportBatch.objects.filter(pk=batch.pk).update(
            state=BatchState.DONE, file=stored, size=size, finished_at=timezone.now()
        )
    batch.refresh_from_db()
    return batch
