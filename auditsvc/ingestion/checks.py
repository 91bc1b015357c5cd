"""System checks of the ingestion app."""

from __future__ import annotations

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.compatibility)
def check_body_limit(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Every valid batch must fit under DATA_UPLOAD_MAX_MEMORY_SIZE.

    A valid batch refused for its size would be answered 413 for ever: the
    partner's software could not record those accesses at all.
    """
    from .validation.limits import largest_batch_bytes

    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    needed = largest_batch_bytes()
    if limit is not None and limit < needed:
        return [
            checks.Error(
                f"DATA_UPLOAD_MAX_MEMORY_SIZE ({limit} bytes) is smaller than the largest valid "
                f"batch of {settings.AUDITSVC_MAX_BATCH} records ({needed} bytes).",
                hint="Raise AUDITSVC_MAX_BODY_BYTES, or lower AUDITSVC_MAX_BATCH.",
                id="auditsvc.E010",
            )
        ]
    return []
