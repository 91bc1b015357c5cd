"""Removing export files: finished bundles past their retention time, and abandoned parts.

Run hourly by ``tasks.remove_expired_exports``. The export rows always stay:
they are the record of who asked for which log and range.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .models import Export, ExportStatus
from .services import EXPORT_TIME_LIMIT, export_file_path

__all__ = ["exports_remove_expired"]

logger = logging.getLogger(__name__)


def exports_remove_expired(*, now: dt.datetime | None = None) -> int:
    """Remove the files of exports past their retention time; return how many were removed.

    The export rows stay (the record of who asked for what); a download of
    one then answers ``export_gone``. Partial files that no writer will
    finish go too (``_remove_abandoned_parts``). Safe to run twice.
    """
    now = now or timezone.now()
    removed = 0
    expired = Export.objects.filter(
        status=ExportStatus.DONE, expires_at__lte=now, file_removed_at__isnull=True
    )
    for export in expired.iterator():
        export_file_path(export).unlink(missing_ok=True)
        Export.objects.filter(pk=export.pk).update(file_removed_at=now)
        removed += 1
    _remove_abandoned_parts(now)
    return removed


def _remove_abandoned_parts(now: dt.datetime) -> None:
    """Remove ``<export>.part`` files whose writer is gone.

    ``export_run`` removes its partial file when it fails, but a worker killed
    mid-write (its time limit, the OOM killer, a restart) cannot. A part is
    abandoned when its export is no longer queued or running, or when it has
    not grown for longer than any writer may run.
    """
    folder = Path(settings.AUDITSVC_EXPORT_DIR)
    if not folder.is_dir():
        return
    parts = {}
    for part in folder.glob("*.part"):
        try:
            parts[uuid.UUID(part.stem)] = part
        except ValueError:
            continue  # not named after an export: not ours to remove
    writing = set(
        Export.objects.filter(
            pk__in=parts, status__in=(ExportStatus.QUEUED, ExportStatus.RUNNING)
        ).values_list("pk", flat=True)
    )
    oldest_live = (now - EXPORT_TIME_LIMIT).timestamp()
    for pk, part in parts.items():
        try:
            if pk in writing and part.stat().st_mtime > oldest_live:
                continue
            part.unlink()
        except FileNotFoundError:
            continue  # its writer finished or removed it meanwhile
        logger.warning("removed the abandoned partial file of export %s", pk)
