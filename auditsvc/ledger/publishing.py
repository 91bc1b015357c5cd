"""Generating, publishing and rotating the ledger's signing keys: bureau-log decisions.

Publishing a key is what lets it sign: once its public half is a
``PublishedKey`` row, ``GET /api/v1/keys`` shows it and ``keys.entry_signing_key``
may choose it. Every publication and retirement is itself a bureau-log
entry (``key.published``, ``key.retired``), written in the same transaction
as the row; the new key signs the entry that records its own publication.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from auditsvc.base.actors import actor_fields
from auditsvc.core.canonical import format_time
from auditsvc.core.keys import SigningKey

from .keys import KEY_SUFFIX, forget_loaded_keys, loaded_unpublished_keys
from .kinds import LedgerKind
from .models import BUREAU_LOG_ID, PublishedKey
from .services import ledger_append

logger = logging.getLogger(__name__)

__all__ = ["key_generate", "key_publish", "key_rotate"]


def _write_key_file(key: SigningKey) -> Path:
    key_dir = Path(settings.AUDITSVC_KEY_DIR)
    key_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = key_dir / f"{key.key_id}{KEY_SUFFIX}"
    # Written under a name the scan ignores, then renamed: another worker
    # re-scanning at that moment never reads half a key. O_EXCL + 0600: the
    # secret is never readable by others, not even for an instant.
    temp = key_dir / f".{key.key_id}.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(key.private_string() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            raise FileExistsError(f"{path} already exists")
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    forget_loaded_keys()
    return path


def _publish(key: SigningKey, *, actor, valid_from: dt.datetime | None = None) -> PublishedKey:
    """Insert the public half and write ``key.published``; inside the caller's transaction."""
    row = PublishedKey.objects.create(
        key_id=key.key_id,
        name=key.name,
        algorithm="ed25519",
        public_key=key.public_key,
        verifier_key=key.verifier_string(),
        valid_from=valid_from or timezone.now(),
    )
    ledger_append(
        BUREAU_LOG_ID,
        LedgerKind.KEY_PUBLISHED,
        {
            "key_id": row.key_id,
            "name": row.name,
            "algorithm": row.algorithm,
            "verifier_key": row.verifier_key,
            **actor_fields(actor),
        },
    )
    return row


def key_publish(*, actor=None) -> list[PublishedKey]:
    """Publish every private key loaded here that is not published yet (a hand-provisioned key).

    An operator who put a key into ``AUDITSVC_KEY_DIR`` or
    ``AUDITSVC_SIGNING_KEY`` by hand decides with this that it may sign.
    Each publication is a ``key.published`` bureau-log entry. Returns the
    rows published (none when there was nothing to publish).
    """
    unpublished = loaded_unpublished_keys()
    if not unpublished:
        return []
    with transaction.atomic():
        rows = [_publish(key, actor=actor) for key in unpublished]
    logger.info("published signing keys %s", ", ".join(row.key_id for row in rows))
    return rows


def key_generate(*, actor=None, name: str | None = None) -> PublishedKey:
    """Generate a new signing key, store its private half in the key directory and publish it.

    Writes a bureau-log entry ``key.published`` naming the key. From now on
    the new key is the newest, so it signs new entries. Returns the
    published row. If publishing fails the key file is removed again, so no
    unpublished key is left behind.
    """
    key = SigningKey.generate(name or settings.AUDITSVC_ORIGIN)
    path = _write_key_file(key)
    try:
        with transaction.atomic():
            row = _publish(key, actor=actor)
    except BaseException:
        path.unlink(missing_ok=True)
        forget_loaded_keys()
        raise
    logger.info("generated and published signing key %s (%s)", row.key_id, row.name)
    return row


def key_rotate(*, actor=None, overlap_hours: int | None = None) -> PublishedKey:
    """Generate and publish a new key and retire the previous active ones after an overlap.

    Every key that was active (``retired_at`` null or later than the new
    end) gets ``retired_at = now + overlap_hours`` (default
    ``AUDITSVC_KEY_OVERLAP_HOURS``): until then checkpoints carry both
    signatures, afterwards it signs nothing but stays published. Writes
    ``key.published`` and one ``key.retired`` bureau-log entry per retired
    key. Returns the new key's row.
    """
    hours = settings.AUDITSVC_KEY_OVERLAP_HOURS if overlap_hours is None else overlap_hours
    if hours < 0:
        raise ValueError("overlap_hours must not be negative")
    key = SigningKey.generate(settings.AUDITSVC_ORIGIN)
    path = _write_key_file(key)
    try:
        with transaction.atomic():
            now = timezone.now()
            retire_at = now + dt.timedelta(hours=hours)
            previous = list(
                PublishedKey.objects.select_for_update()
                .filter(Q(retired_at__isnull=True) | Q(retired_at__gt=retire_at))
                .order_by("valid_from", "key_id")
            )
            row = _publish(key, actor=actor, valid_from=now)
            for old in previous:
                old.retired_at = retire_at
                old.save(update_fields=["retired_at"])
                ledger_append(
                    BUREAU_LOG_ID,
                    LedgerKind.KEY_RETIRED,
                    {
                        "key_id": old.key_id,
                        "name": old.name,
                        "verifier_key": old.verifier_key,
                        "retired_at": format_time(retire_at),
                        "replaced_by": row.key_id,
                        **actor_fields(actor),
                    },
                )
    except BaseException:
        path.unlink(missing_ok=True)
        forget_loaded_keys()
        raise
    logger.info("rotated signing keys: %s replaces %s", row.key_id, [k.key_id for k in previous])
    return row
