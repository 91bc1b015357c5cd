"""Celery tasks of exports. Thin: they call a service and say what they did.

The schedule lives in config/celery.py (BEAT_SCHEDULE).
"""

from __future__ import annotations

from celery import Task, shared_task
from django.db import DatabaseError

from .retention import exports_remove_expired
from .services import EXPORT_TIME_LIMIT, export_give_up, export_run


class _ExportTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        # Out of retries, or killed by the time limit: the export must not stay
        # "running" for ever; it says why it stopped.
        export_give_up(args[0] if args else kwargs["export_id"], exc)


@shared_task(
    base=_ExportTask,
    name="auditsvc.exports.tasks.write_export",
    acks_late=True,
    # A lost database connection is worth a retry: the export is written again
    # from what its request fixed, byte for byte. Other failures are recorded
    # on the export by the service, with their reason.
    autoretry_for=(DatabaseError,),
    retry_backoff=10,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
    time_limit=EXPORT_TIME_LIMIT.total_seconds(),
    soft_time_limit=EXPORT_TIME_LIMIT.total_seconds() - 60,
    ignore_result=True,
)
def write_export(export_id: str) -> str:
    """Write the bundle of export ``export_id``; returns its status.

    Idempotent: a finished export is left alone, and a redelivered or retried
    one writes the same bytes again.
    """
    return export_run(export_id).status


@shared_task(
    name="auditsvc.exports.tasks.remove_expired_exports",
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=5,
    max_retries=3,
    # Beat sends one every hour: a copy that waited longer is stale.
    expires=1800,
    time_limit=1800,
    ignore_result=True,
)
def remove_expired_exports() -> int:
    """Remove the files of exports past their retention time; returns how many."""
    return exports_remove_expired()
