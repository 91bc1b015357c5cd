"""Qualification documents: stored, pinned by their SHA-256, and recorded in the bureau log.

Adding or changing a partner's documents makes the actor one of its makers
(vetting.maker_checker_refusal): they may not approve it afterwards.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from auditsvc.base.actors import actor_fields
from auditsvc.core.canonical import format_time

from ..kinds import RegistryKind
from ..models import Partner, QualificationDocument
from ._common import bureau_log

__all__ = ["document_add"]

_HASH_CHUNK = 1024 * 1024


def document_add(
    partner: Partner,
    *,
    actor,
    doc_type: str,
    file,
    issued_on: dt.date,
    expires_on: dt.date | None = None,
) -> QualificationDocument:
    """Store a qualification document, pin it by its SHA-256, and record it in the bureau log.

    ``file`` is a Django File (an upload) or any binary file object. The hash
    is computed in chunks, so a large scan is never read into memory at once.
    The ledger gets the type, hash and dates, never the content.
    """
    if not isinstance(file, File):
        file = File(file, name=os.path.basename(getattr(file, "name", "") or "document"))
    digest = hashlib.sha256()
    for chunk in file.chunks(_HASH_CHUNK):
        digest.update(chunk)
    file.seek(0)

    document = QualificationDocument(
        partner=partner,
        doc_type=doc_type,
        sha256=digest.hexdigest(),
        issued_on=issued_on,
        expires_on=expires_on,
        uploaded_by=actor,
    )
    document.file = file
    errors: dict = {}
    try:
        document.full_clean()
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    if (
        "issued_on" not in errors
        and "expires_on" not in errors
        and document.expires_on is not None
        and document.expires_on < document.issued_on
    ):
        errors["expires_on"] = [_("A document cannot expire before it was issued.")]
    if errors:
        raise ValidationError(errors)

    try:
        with transaction.atomic():
            document.save()
            bureau_log(
                RegistryKind.PARTNER_DOCUMENT_ADDED,
                {
                    "partner": partner.code,
                    "document": document.pk,
                    "doc_type": document.doc_type,
                    "sha256": document.sha256,
                    "issued_on": document.issued_on.isoformat(),
                    "expires_on": document.expires_on.isoformat() if document.expires_on else None,
                    **actor_fields(actor),
                    "uploaded_at": format_time(document.uploaded_at),
                },
            )
    except BaseException:
        # The row rolled back; a stored file would be an orphan nobody can see.
        # (_committed: the storage holds the file under document.file.name.)
        if document.file._committed:
            document.file.delete(save=False)
        raise
    return document
