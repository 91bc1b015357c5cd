"""Celery tasks of the signed ledger. Thin: they call a service and say what they did.

The schedule lives in config/celery.py (BEAT_SCHEDULE).
"""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError

from .checkpoints import checkpoint_sign_due


@shared_task(
    name="auditsvc.ledger.tasks.sign_checkpoints",
    acks_late=True,
    # A lost database connection is worth a retry; a missing signing key is
    # not (beat asks again in 30 seconds, and the error is logged each time).
    autoretry_for=(DatabaseError,),
    retry_backoff=5,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=3,
    # Beat sends one every 30 s: a copy that waited longer than this in the
    # queue (worker down) is stale, the next one does the same work.
    expires=300,
    time_limit=600,
    soft_time_limit=540,
    ignore_result=True,
)
def sign_checkpoints() -> int:
    """Sign the head of every log that is due (grown, or older than the maximum age).

    Idempotent: it reads what is due from the database each time, so running
    it twice signs nothing new the second time. Returns how many it signed.
    """
    return len(checkpoint_sign_due())
