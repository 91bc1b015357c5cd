"""The export tasks: the names beat and the web process send, late acknowledgement, giving up."""

from __future__ import annotations

import pytest
from django.utils import timezone

from auditsvc.exports.models import Export, ExportStatus
from auditsvc.exports.services import export_give_up
from auditsvc.exports.tasks import remove_expired_exports, write_export

from .support import at


def test_the_tasks_are_registered_under_the_names_beat_and_the_service_use():
    from config.celery import BEAT_SCHEDULE, app

    assert BEAT_SCHEDULE["remove-expired-exports"]["task"] == remove_expired_exports.name
    assert {write_export.name, remove_expired_exports.name} <= set(app.tasks)
    assert write_export.acks_late is True and remove_expired_exports.acks_late is True


@pytest.mark.django_db
def test_an_export_whose_task_gave_up_is_failed_with_a_reason(auditor):
    export = Export.objects.create(
        requested_by=auditor,
        log_id="bureau",
        range_from=at(0),
        range_to=at(10),
        tree_size=0,
        created_at=timezone.now(),
        key_id="00000000",
        status=ExportStatus.RUNNING,
    )

    export_give_up(export.pk, TimeoutError())

    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED
    assert "TimeoutError" in export.error and "not retried further" in export.error
