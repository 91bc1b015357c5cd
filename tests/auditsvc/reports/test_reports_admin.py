"""The staff's page: type the number (POST), get the printable report and its signed JSON."""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import re

import pytest
from django.urls import reverse

from auditsvc.core.documents import REPORT, verify_document
from auditsvc.reports.kinds import ReportKind
from auditsvc.reports.models import AccessReport
from tests.auditsvc.ingestion.support import (
    ACCESS_URL,
    RESIDENT,
    access_event,
    post,
    published_verifier,
)
from tests.auditsvc.ingestion.test_no_raw_identities import scan_database
from tests.partners.support import bureau_entries, ledger_size

pytestmark = pytest.mark.django_db

PRODUCE_URL = "/admin/reports/accessreport/add/"


@pytest.fixture
def reported(partner_client, now):
    response = post(
        partner_client,
        ACCESS_URL,
        {"events": [access_event(now - dt.timedelta(minutes=5), 1), access_event(now, 2)]},
    )
    assert response.status_code == 201


def spellings(number: str) -> set[str]:
    return {number, number.lower(), number[:17]}


def test_staff_produce_a_printable_report_with_its_signed_json(as_staff, reported, vetted_partner):
    form = as_staff.get(PRODUCE_URL)
    assert form.status_code == 200 and 'name="identity_number"' in form.content.decode()

    response = as_staff.post(PRODUCE_URL, {"identity_number": RESIDENT})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Who accessed your personal information" in html
    assert html.count(vetted_partner.legal_name) == 2  # one row per access
    assert "@media print" in html
    assert "no-store" in response["Cache-Control"]
    data_url = re.search(r'href="data:application/json;base64,([A-Za-z0-9+/=]+)"', html).group(1)
    signed = json.loads(base64.b64decode(data_url))
    document = verify_document(signed, [published_verifier(signed["key_id"])], expected_type=REPORT)
    assert document["counts"]["accesses"] == 2
    report = AccessReport.objects.get()
    assert report.document_sha256 in html and signed["signature"] in html


def test_the_number_is_never_echoed_stored_or_logged(as_staff, reported, caplog):
    caplog.set_level(logging.DEBUG)
    response = as_staff.post(PRODUCE_URL, {"identity_number": RESIDENT})
    assert response.status_code == 200
    refused = as_staff.post(PRODUCE_URL, {"identity_number": RESIDENT[:17] + "0"})
    assert refused.status_code == 200

    for page in (response, refused):
        assert not [s for s in spellings(RESIDENT) if s in page.content.decode()]
    assert scan_database(spellings(RESIDENT)) == []
    assert not [s for s in spellings(RESIDENT) if s in caplog.text]
    [entry] = bureau_entries(ReportKind.REPORT_PRODUCED)
    assert RESIDENT not in entry.canonical


def test_an_invalid_number_is_explained_and_nothing_is_recorded(as_staff, reported):
    before = ledger_size()
    response = as_staff.post(PRODUCE_URL, {"identity_number": "11010519491231002"})
    assert response.status_code == 200
    assert "not a valid resident identity number" in response.content.decode()
    assert ledger_size() == before and not AccessReport.objects.exists()


def test_the_number_is_never_taken_from_the_url(as_staff, reported):
    response = as_staff.get(PRODUCE_URL, {"identity_number": RESIDENT})
    assert response.status_code == 200
    assert not AccessReport.objects.exists()
    assert "Who accessed your personal information" not in response.content.decode()


def test_auditors_see_the_reports_produced_but_cannot_produce_one(as_staff, as_auditor, reported):
    as_staff.post(PRODUCE_URL, {"identity_number": RESIDENT})
    report = AccessReport.objects.get()

    assert as_auditor.get(PRODUCE_URL).status_code == 403
    assert as_auditor.post(PRODUCE_URL, {"identity_number": RESIDENT}).status_code == 403
    changelist = as_auditor.get(reverse("admin:reports_accessreport_changelist"))
    assert changelist.status_code == 200 and report.identity_ref[:12] in changelist.content.decode()
    change = reverse("admin:reports_accessreport_change", args=[report.pk])
    assert as_auditor.get(change).status_code == 200
    assert as_auditor.post(change, {}).status_code == 403
    assert AccessReport.objects.count() == 1
