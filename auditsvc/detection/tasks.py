"""Celery tasks of detection. Thin: they call a service and say what they did.

Beat sends ``dispatch_detection`` every DETECTION_SCHEDULE_SECONDS (the
schedule lives in config/celery.py); it sends one ``detect_rule_partner``
per rule and partner log with entries past the watermark. Both are safe to
run twice, late or at once: the watermark row lock lets one run per (rule,
log), and a window examined again updates its alert.
"""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError

from .services import detect_rule_for_partner, detection_backlog

_RETRY = {
    "autoretry_for": (DatabaseError,),
    "retry_backoff": 5,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 3,
}


@shared_task(
    name="auditsvc.detection.tasks.dispatch_detection",
    acks_late=True,
    # Beat sends one a minute: a copy that waited longer in the queue is stale.
    expires=300,
    time_limit=300,
    soft_time_limit=240,
    ignore_result=True,
    **_RETRY,
)
def dispatch_detection() -> int:
    """Send a detection task for every (rule, partner) with new entries; returns how many."""
    work = detection_backlog()
    for rule, partner, _head, _pending in work:
        detect_rule_partner.delay(rule.code, partner.code)
    return len(work)


@shared_task(
    name="auditsvc.detection.tasks.detect_rule_partner",
    acks_late=True,
    # Kept below the broker's visibility timeout (settings: 4 hours), so Redis
    # never hands a running task to a second worker (celery #5935).
    time_limit=3600,
    soft_time_limit=3500,
    ignore_result=True,
    **_RETRY,
)
def detect_rule_partner(rule_code: str, partner_code: str) -> int:
    """Run one rule over one partner's log up to its head; returns the alerts created."""
    return detect_rule_for_partner(rule_code, partner_code).alerts_created
