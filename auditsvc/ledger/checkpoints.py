"""Signed tree heads: C2SP tlog checkpoints of each log, in the signed-note format.

A checkpoint commits the service to a log's whole history up to a size: once
an auditor holds one, any later rewrite of that history is caught by a
consistency proof. Beat signs each log soon after it grows, and at least
every ``AUDITSVC_CHECKPOINT_MAX_AGE_MINUTES`` anyway, so that a quiet log
still shows it is alive and its head is fresh.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.db.models import CharField, F, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Concat
from django.utils import timezone

from auditsvc.core import merkle, notes

from .keys import checkpoint_signing_keys, published_keys_missing_here
from .models import Log, SignedCheckpoint
from .selectors import DatabaseHashReader, log_get

logger = logging.getLogger(__name__)


def checkpoint_origin(log_id: str) -> str:
    """The first line of a log's checkpoints: ``<AUDITSVC_ORIGIN>/<log id>``."""
    return f"{settings.AUDITSVC_ORIGIN}/{log_id}"


def checkpoint_sign(log_id: str) -> SignedCheckpoint:
    """Sign and store a checkpoint of log ``log_id`` at its current size.

    Signed by every key of ``checkpoint_signing_keys()`` (both keys during a
    rotation's overlap). The size is the committed head's: the log keeps
    growing meanwhile, and the checkpoint simply covers the prefix it names.
    Raises ``NotFound`` for an unknown log and ``NoSigningKey`` when nothing
    can sign.
    """
    log = log_get(log_id)
    size = log.size
    root = merkle.tree_hash(size, DatabaseHashReader(log_id))
    keys = checkpoint_signing_keys()
    text = notes.checkpoint_text(checkpoint_origin(log_id), size, root)
    signed = notes.sign_note(text, keys)
    checkpoint = SignedCheckpoint.objects.create(
        log_id=log_id,
        size=size,
        root_hash=root,
        note=signed,
        key_ids=",".join(key.key_id for key in keys),
        signed_at=timezone.now(),
    )
    logger.info("signed checkpoint %s@%s by %s", log_id, size, checkpoint.key_ids)
    return checkpoint


def checkpoints_due(
    *, now: dt.datetime | None = None, key_ids: Iterable[str] | None = None
) -> list[str]:
    """Return the ids of the logs whose head needs signing, in log id order.

    Due: no checkpoint yet, grown since the largest one, or the newest one
    is older than ``AUDITSVC_CHECKPOINT_MAX_AGE_MINUTES``. With ``key_ids``
    (the published, unretired keys this host can sign with) also every log
    whose newest checkpoint lacks one of them, so that a rotation reaches
    every log's head on the next beat, not an hour later. One query.

    "Lacks one of them", not "was signed by another set": hosts may hold
    different key files for a while during a rotation, and comparing with
    the local set made two such hosts re-sign every log on every beat, each
    undoing the other. Now a host re-signs only to add a signature it can
    make; a checkpoint that still carries a key retired since is left for
    the next growth or the maximum age to replace.
    """
    now = now or timezone.now()
    cutoff = now - dt.timedelta(minutes=settings.AUDITSVC_CHECKPOINT_MAX_AGE_MINUTES)
    due = Q(signed_size__isnull=True) | Q(signed_size__lt=F("size")) | Q(signed_at__lt=cutoff)
    logs = Log.objects.annotate(
        signed_size=Max("checkpoints__size"), signed_at=Max("checkpoints__signed_at")
    )
    if key_ids is not None:
        newest = SignedCheckpoint.objects.filter(log_id=OuterRef("pk")).order_by(
            "-size", "-signed_at", "-id"
        )
        # Fenced with commas, so that one key id cannot match inside another.
        logs = logs.annotate(
            signed_by=Concat(
                Value(","),
                Subquery(newest.values("key_ids")[:1]),
                Value(","),
                output_field=CharField(),
            )
        )
        for key_id in key_ids:
            due |= ~Q(signed_by__contains=f",{key_id},")
    return list(logs.filter(due).order_by("log_id").values_list("log_id", flat=True))


def checkpoint_sign_due() -> list[SignedCheckpoint]:
    """Sign a checkpoint of every log that is due (see ``checkpoints_due``); return them.

    Safe to run twice at once (a redelivered task): the worst outcome is two
    equivalent checkpoints of the same size, both valid. Logs a warning when
    a published, unretired key cannot sign here (its key file was not
    copied to this host).
    """
    missing = published_keys_missing_here()
    if missing:
        logger.warning(
            "published signing keys %s are not loaded on this host; copy their key files to "
            "AUDITSVC_KEY_DIR of every web and worker host before the rotation's overlap ends",
            ", ".join(row.key_id for row in missing),
        )
    key_ids = [key.key_id for key in checkpoint_signing_keys()]
    return [checkpoint_sign(log_id) for log_id in checkpoints_due(key_ids=key_ids)]
