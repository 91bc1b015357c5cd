"""Qualification documents: stored, pinned by SHA-256, recorded; what a partner still lacks."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from partners.kinds import RegistryKind
from partners.models import QualificationDocument
from partners.selectors import partner_missing_documents
from partners.services.documents import document_add
from tests import factories

from .support import add_required_documents, bureau_entries, entry_body, ledger_size

TODAY = dt.date.today()
CONTENT = b"%PDF-1.7\n" + b"scanned business licence " * 100


def _upload(content: bytes = CONTENT, name: str = "licence.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_it_stores_the_file_and_its_sha256(pending_partner, staff):
    document = document_add(
        pending_partner,
        actor=staff,
        doc_type="business_licence",
        file=_upload(),
        issued_on=TODAY - dt.timedelta(days=100),
        expires_on=TODAY + dt.timedelta(days=265),
    )

    document.refresh_from_db()
    assert document.sha256 == hashlib.sha256(CONTENT).hexdigest()
    assert document.uploaded_by == staff
    assert document.file.name.startswith(f"partners/{pending_partner.code}/documents/")
    with document.file.open("rb") as stored:
        assert stored.read() == CONTENT


def test_it_hashes_a_large_file_in_chunks(pending_partner, staff):
    # Three and a bit chunks of 1 MiB: the hash must cover every one of them.
    content = bytes(range(256)) * (4096 * 3 + 17)
    document = document_add(
        pending_partner,
        actor=staff,
        doc_type="security_assessment",
        file=_upload(content, "assessment.pdf"),
        issued_on=TODAY,
    )
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    with document.file.open("rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == document.sha256


def test_it_accepts_a_plain_binary_file_object(pending_partner, staff):
    raw = io.BytesIO(b"staff list")
    raw.name = "scans/staff.pdf"
    document = document_add(
        pending_partner, actor=staff, doc_type="staff_list", file=raw, issued_on=TODAY
    )
    assert document.sha256 == hashlib.sha256(b"staff list").hexdigest()
    assert document.file.name.endswith("staff.pdf")


def test_it_records_type_hash_and_dates_but_never_the_content(pending_partner, staff):
    secret = b"UNIQUE-CONTENT-MARKER-4711"
    document = document_add(
        pending_partner,
        actor=staff,
        doc_type="entrustment_agreement",
        file=_upload(secret, "agreement.pdf"),
        issued_on=dt.date(2026, 1, 5),
        expires_on=dt.date(2027, 1, 4),
    )

    [entry] = bureau_entries(RegistryKind.PARTNER_DOCUMENT_ADDED)
    body = entry_body(entry)
    assert body["partner"] == pending_partner.code
    assert body["document"] == document.pk
    assert body["doc_type"] == "entrustment_agreement"
    assert body["sha256"] == hashlib.sha256(secret).hexdigest()
    assert (body["issued_on"], body["expires_on"]) == ("2026-01-05", "2027-01-04")
    assert body["actor"] == "staff"
    assert "UNIQUE-CONTENT-MARKER" not in entry.canonical


def test_a_document_that_never_expires_is_recorded_with_null(pending_partner, staff):
    document_add(
        pending_partner, actor=staff, doc_type="staff_list", file=_upload(), issued_on=TODAY
    )
    [entry] = bureau_entries(RegistryKind.PARTNER_DOCUMENT_ADDED)
    assert entry_body(entry)["expires_on"] is None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"doc_type": "horoscope"}, "doc_type"),
        ({"expires_on": TODAY - dt.timedelta(days=1)}, "expires_on"),
        ({"issued_on": "not a date"}, "issued_on"),
    ],
)
def test_it_refuses_a_bad_document_and_records_nothing(pending_partner, staff, kwargs, field):
    arguments = {"doc_type": "business_licence", "issued_on": TODAY, **kwargs}
    size = ledger_size()

    with pytest.raises(ValidationError) as exc:
        document_add(pending_partner, actor=staff, file=_upload(), **arguments)

    assert field in exc.value.message_dict
    assert not QualificationDocument.objects.exists()
    assert ledger_size() == size


# --- What is missing ---------------------------------------------------------------------


def test_a_complete_file_lacks_nothing(pending_partner):
    add_required_documents(pending_partner)
    assert partner_missing_documents(pending_partner) == []


def test_it_lists_every_missing_type_in_the_configured_order(pending_partner, settings):
    factories.DocumentFactory(partner=pending_partner, doc_type="entrustment_agreement")
    assert partner_missing_documents(pending_partner) == [
        f"{doc_type} (missing)"
        for doc_type in settings.AUDITSVC_REQUIRED_DOCUMENTS
        if doc_type != "entrustment_agreement"
    ]


def test_it_names_an_expired_document_with_its_date(pending_partner):
    add_required_documents(pending_partner)
    pending_partner.documents.filter(doc_type="business_licence").update(
        issued_on=dt.date(2025, 1, 2), expires_on=dt.date(2026, 1, 1)
    )
    assert partner_missing_documents(pending_partner, on=max(TODAY, dt.date(2026, 3, 1))) == [
        "business_licence (expired 2026-01-01)"
    ]


def test_it_counts_validity_inclusively_at_both_ends(pending_partner):
    add_required_documents(
        pending_partner, issued_on=dt.date(2026, 1, 1), expires_on=dt.date(2026, 12, 31)
    )
    assert partner_missing_documents(pending_partner, on=dt.date(2026, 1, 1)) == []
    assert partner_missing_documents(pending_partner, on=dt.date(2026, 12, 31)) == []
    assert len(partner_missing_documents(pending_partner, on=dt.date(2027, 1, 1))) == 5
    assert partner_missing_documents(pending_partner, on=dt.date(2025, 12, 31))[0] == (
        "business_licence (not valid before 2026-01-01)"
    )


def test_a_renewed_document_replaces_an_expired_one(pending_partner):
    add_required_documents(pending_partner)
    pending_partner.documents.filter(doc_type="staff_list").update(
        expires_on=TODAY - dt.timedelta(days=10)
    )
    assert partner_missing_documents(pending_partner) == [
        f"staff_list (expired {(TODAY - dt.timedelta(days=10)).isoformat()})"
    ]

    factories.DocumentFactory(partner=pending_partner, doc_type="staff_list", expires_on=None)
    assert partner_missing_documents(pending_partner) == []


def test_another_partners_documents_do_not_count(pending_partner, vetted_partner):
    assert partner_missing_documents(vetted_partner) == []
    assert len(partner_missing_documents(pending_partner)) == 5


def test_the_required_types_come_from_settings(pending_partner, settings):
    settings.AUDITSVC_REQUIRED_DOCUMENTS = ["business_licence"]
    assert partner_missing_documents(pending_partner) == ["business_licence (missing)"]
    factories.DocumentFactory(partner=pending_partner, doc_type="business_licence")
    assert partner_missing_documents(pending_partner) == []
