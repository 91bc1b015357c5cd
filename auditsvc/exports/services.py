"""Asking for, writing, downloading and expiring export bundles; each is on the bureau log.

``export_request`` fixes what the bundle will hold (``bundles.bundle_snapshot``)
and records who asked for which log and range in the bureau log, in one
transaction; the bundle is then written in the web process when the range
is small (``AUDITSVC_EXPORT_INLINE_MAX_ENTRIES``) or by a worker
(``tasks.write_export``) after the commit. ``export_run`` is safe to run
twice: it writes the same bytes again. ``export_download`` records the
download before the file is handed over. Files are removed after their
retention time by ``retention.exports_remove_expired``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from auditsvc.base.actors import actor_fields
from auditsvc.base.errors import ServiceError
from auditsvc.core.canonical import format_time
from auditsvc.ledger.models import BUREAU_LOG_ID, Log
from auditsvc.ledger.services import ledger_append, log_for_update
from partners.errors import NotPermitted
from partners.models import Partner

from . import bundles
from .errors import ExportGone, ExportNotReady, UnknownLog
from .kinds import ExportKind
from .models import Export, ExportStatus

__all__ = [
    "EXPORT_PERMISSION",
    "EXPORT_TIME_LIMIT",
    "export_download",
    "export_file_path",
    "export_give_up",
    "export_request",
    "export_run",
    "export_to_file",
    "resolve_log",
]

logger = logging.getLogger(__name__)

EXPORT_PERMISSION = "ledger.export_ledger"
#: No worker writes a bundle for longer (``tasks.write_export``'s time limit);
#: below the broker's visibility timeout (4 h), so Redis never hands a running
#: export to a second worker (celery #5935).
EXPORT_TIME_LIMIT = dt.timedelta(hours=3)
# How often a running export writes its progress to the database, at most.
_PROGRESS_SECONDS = 1.0


def _require_permission(actor: Any, what: str) -> None:
    # None is an operator at the command line, who already holds the server.
    if actor is not None and not actor.has_perm(EXPORT_PERMISSION):
        raise NotPermitted(
            _("%(action)s needs the %(permission)s permission (auditors hold it).")
            % {"action": what, "permission": EXPORT_PERMISSION}
        )


def resolve_log(log: str) -> str:
    """Return the log id asked for: ``bureau``, a partner's code (or its test log), or a log.

    A registered partner that has recorded nothing yet has an empty log: its
    head is created so that an empty bundle can prove it. Raises ``UnknownLog``.
    """
    value = (log or "").strip()
    if value.lower() == BUREAU_LOG_ID:
        value = BUREAU_LOG_ID
    if Log.objects.filter(pk=value).exists():
        return value
    upper = value.upper()
    if Partner.objects.filter(code=upper).exists() or (
        upper.endswith("T") and Partner.objects.filter(code=upper[:-1]).exists()
    ):
        with transaction.atomic():
            log_for_update(upper)
        return upper
    if value == BUREAU_LOG_ID:
        with transaction.atomic():
            log_for_update(BUREAU_LOG_ID)
        return value
    raise UnknownLog(
        _("There is no log '%(log)s': give a partner's code (e.g. P0001) or 'bureau'.")
        % {"log": value},
        field="log",
    )


def _range_body(log_id: str, from_: dt.datetime, to: dt.datetime) -> dict[str, Any]:
    return {"log": log_id, "from": format_time(from_), "to": format_time(to)}


def export_request(
    *,
    actor: Any,
    log: str,
    from_: dt.datetime,
    to: dt.datetime,
    previous_size: int | None = None,
    via: str,
) -> Export:
    """Ask for the bundle of ``log`` over ``[from_, to)``; return the export, queued or done.

    Needs ``ledger.export_ledger``. Fixes the tree size (signing a checkpoint
    of it if none exists) and ``created_at``, and writes ``export.requested``
    to the bureau log naming the actor, the log and the range, in the same
    transaction as the export row. ``via`` says where the request came from
    (``admin``, ``api``). Raises ``UnknownLog``, ``InvalidRange`` (from >= to,
    to later than now), ``InvalidPreviousSize`` or ``NotPermitted``.
    """
    _require_permission(actor, _("Exporting a log"))
    log_id = resolve_log(log)
    with transaction.atomic():
        snapshot = bundles.bundle_snapshot(log_id)
        bundles.check_request(from_, to, snapshot.created_at, previous_size, snapshot.tree_size)
        a, b = bundles.seq_range(log_id, from_, to, snapshot.tree_size)
        export = Export.objects.create(
            requested_by=actor,
            log_id=log_id,
            range_from=from_,
            range_to=to,
            previous_size=previous_size,
            tree_size=snapshot.tree_size,
            created_at=snapshot.created_at,
            key_id=snapshot.key_id,
            entry_count=b - a + 1,
        )
        ledger_append(
            BUREAU_LOG_ID,
            ExportKind.EXPORT_REQUESTED,
            {
                "export": str(export.pk),
                **_range_body(log_id, from_, to),
                "previous_size": previous_size,
                "tree_size": snapshot.tree_size,
                "via": via,
                **actor_fields(actor),
            },
        )
        if export.entry_count <= settings.AUDITSVC_EXPORT_INLINE_MAX_ENTRIES:
            transaction.on_commit(lambda: export_run(export.pk))
        else:
            from .tasks import write_export  # the task module imports these services

            transaction.on_commit(lambda: write_export.delay(str(export.pk)))
    export.refresh_from_db()
    return export


def export_file_path(export: Export) -> Path:
    """Where the bundle of ``export`` is (or will be) kept."""
    return Path(settings.AUDITSVC_EXPORT_DIR) / f"{export.pk}.zip"


def _download_name(export: Export) -> str:
    def stamp(value: dt.datetime) -> str:
        return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")

    return f"auditsvc-{export.log_id}-{stamp(export.range_from)}-{stamp(export.range_to)}.zip"


def _progress_writer(export_id: Any) -> Callable[[int, int], None]:
    last = {"at": 0.0, "percent": -1}

    def report(done: int, total: int) -> None:
        # The zip's last members take a moment after the entries: 99 until the end.
        percent = min(99, done * 100 // total) if total else 0
        now = timezone.now().timestamp()
        if percent != last["percent"] and now - last["at"] >= _PROGRESS_SECONDS:
            last.update(at=now, percent=percent)
            Export.objects.filter(pk=export_id).update(progress=percent)

    return report


def export_run(export_id: Any) -> Export:
    """Write the bundle of an export to its file; safe to run twice (same bytes, done once).

    A finished export is left as it is. A failure is recorded on the export
    with its reason (``failed``) and not raised, except database errors, which
    the task retries.
    """
    export = Export.objects.get(pk=export_id)
    if export.status == ExportStatus.DONE:
        return export
    Export.objects.filter(pk=export.pk).update(
        status=ExportStatus.RUNNING, started_at=timezone.now(), error=""
    )
    path = export_file_path(export)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    snapshot = bundles.BundleSnapshot(export.tree_size, export.created_at, export.key_id)
    try:
        with open(partial, "wb") as out:
            bundles.write_bundle(
                export.log_id,
                export.range_from,
                export.range_to,
                previous_size=export.previous_size,
                requested_by=export.requested_by,
                out=out,
                snapshot=snapshot,
                progress=_progress_writer(export.pk),
            )
            out.flush()
            os.fsync(out.fileno())
        digest = _sha256(partial)
        os.replace(partial, path)
    except ServiceError as exc:
        partial.unlink(missing_ok=True)
        return _failed(export, exc.detail)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        return _failed(export, f"The bundle could not be written: {exc.strerror or exc}.")
    finished = timezone.now()
    Export.objects.filter(pk=export.pk).update(
        status=ExportStatus.DONE,
        progress=100,
        finished_at=finished,
        file_name=path.name,
        size=path.stat().st_size,
        sha256=digest,
        expires_at=finished + dt.timedelta(days=settings.AUDITSVC_EXPORT_RETENTION_DAYS),
    )
    export.refresh_from_db()
    logger.info(
        "export %s written: %s entries, %s bytes", export.pk, export.entry_count, export.size
    )
    return export


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while chunk := source.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _failed(export: Export, reason: str) -> Export:
    logger.warning("export %s failed: %s", export.pk, reason)
    Export.objects.filter(pk=export.pk).update(
        status=ExportStatus.FAILED, error=reason, finished_at=timezone.now()
    )
    export.refresh_from_db()
    return export


def export_give_up(export_id: Any, exc: BaseException) -> None:
    """Mark an export failed after its task gave up (out of retries, or over its time limit)."""
    export = Export.objects.filter(pk=export_id).first()
    if export is not None and export.status != ExportStatus.DONE:
        _failed(export, f"The export stopped and was not retried further ({type(exc).__name__}).")


def export_download(export: Export, *, actor: Any, via: str) -> tuple[Path, str]:
    """Record that ``actor`` downloads ``export``; return the file's path and download name.

    Needs ``ledger.export_ledger``. Writes ``export.downloaded`` (actor, log,
    range, the file's SHA-256) to the bureau log before the file is handed
    over. Raises ``ExportNotReady`` (queued, running or failed), ``ExportGone``
    (removed after its retention time) or ``NotPermitted``.
    """
    _require_permission(actor, _("Downloading an export"))
    if export.status != ExportStatus.DONE:
        raise ExportNotReady(
            _("This export is %(status)s: it can be downloaded once it is ready.")
            % {"status": export.get_status_display().lower()}
        )
    path = export_file_path(export)
    if export.file_removed_at is not None or not path.exists():
        raise ExportGone(
            _(
                "This export's file was removed after its retention time; ask for the export "
                "again (the same request gives the same entries)."
            )
        )
    ledger_append(
        BUREAU_LOG_ID,
        ExportKind.EXPORT_DOWNLOADED,
        {
            "export": str(export.pk),
            **_range_body(export.log_id, export.range_from, export.range_to),
            "sha256": export.sha256,
            "via": via,
            **actor_fields(actor),
        },
    )
    return path, _download_name(export)


def export_to_file(
    *,
    actor: Any,
    log: str,
    from_: dt.datetime,
    to: dt.datetime,
    previous_size: int | None = None,
    out: BinaryIO,
    progress: Callable[[int, int], None] | None = None,
    via: str = "command",
) -> dict[str, Any]:
    """Write a bundle straight to ``out`` (command line), on record; return the manifest.

    No export row and no kept file: the operator chose where the bundle goes.
    The bureau-log entry is written first, so even an interrupted export is
    on record.
    """
    _require_permission(actor, _("Exporting a log"))
    log_id = resolve_log(log)
    snapshot = bundles.bundle_snapshot(log_id)
    bundles.check_request(from_, to, snapshot.created_at, previous_size, snapshot.tree_size)
    ledger_append(
        BUREAU_LOG_ID,
        ExportKind.EXPORT_REQUESTED,
        {
            "export": None,
            **_range_body(log_id, from_, to),
            "previous_size": previous_size,
            "tree_size": snapshot.tree_size,
            "via": via,
            **actor_fields(actor),
        },
    )
    return bundles.write_bundle(
        log_id,
        from_,
        to,
        previous_size=previous_size,
        requested_by=actor,
        out=out,
        snapshot=snapshot,
        progress=progress,
    )
