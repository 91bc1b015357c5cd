"""The Celery application.

Broker: Redis when ``REDIS_URL`` is set, otherwise the embedded file-system
broker under ``var/`` (see settings). Periodic schedules live in
``BEAT_SCHEDULE`` below, in one place; ``django-celery-beat`` stores them in
the database so staff can see and pause them in the admin.
"""

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("auditsvc")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _make_broker_folders() -> None:
    # The embedded file-system broker needs its folders before the first message.
    from django.conf import settings

    for folder in getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}).values():
        if isinstance(folder, str) and folder.startswith("/"):
            Path(folder).mkdir(parents=True, exist_ok=True)


@app.on_after_configure.connect
def _on_after_configure(sender, **kwargs) -> None:
    if str(sender.conf.broker_url).startswith("filesystem://"):
        _make_broker_folders()


from django.conf import settings as _settings  # noqa: E402  (after DJANGO_SETTINGS_MODULE)

BEAT_SCHEDULE = {
    # Sign the head of every log that grew since its last checkpoint, and of
    # every log whose newest checkpoint is older than
    # AUDITSVC_CHECKPOINT_MAX_AGE_MINUTES: "soon after a log grows, and at
    # least hourly anyway".
    "sign-checkpoints": {
        "task": "auditsvc.ledger.tasks.sign_checkpoints",
        "schedule": 30.0,
    },
    # Remove the files of export bundles older than AUDITSVC_EXPORT_RETENTION_DAYS
    # (the export records stay).
    "remove-expired-exports": {
        "task": "auditsvc.exports.tasks.remove_expired_exports",
        "schedule": 3600.0,
    },
    # Detection: one task per rule and partner log that grew since its
    # watermark ("within minutes"); DETECTION_SCHEDULE_SECONDS, a minute by default.
    "dispatch-detection": {
        "task": "auditsvc.detection.tasks.dispatch_detection",
        "schedule": float(_settings.DETECTION_SCHEDULE_SECONDS),
    },
}
app.conf.beat_schedule = BEAT_SCHEDULE
