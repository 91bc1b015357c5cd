"""The auditors' admin pages: ask for an export, follow it, download it; words, not codes."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from auditsvc.exports.models import Export
from auditsvc.ledger.models import LedgerEntry
from tests.admin_clients import admin_client_for

from .support import fill_log, open_bundle

pytestmark = pytest.mark.django_db

ADD = "/admin/exports/export/add/"
LIST = "/admin/exports/export/"


@pytest.fixture
def as_auditor(auditor):
    return admin_client_for(auditor)


def ask(client, capture, **fields):
    data = {
        "log": "bureau",
        "range_from": "2026-03-01T16:00",
        "range_to": "2026-03-01T16:30",
        "previous_size": "",
        **fields,
    }
    with capture(execute=True):
        return client.post(ADD, data)


def test_an_auditor_asks_for_a_partner_log_by_name_and_downloads_it(
    as_auditor, vetted_partner, signing_key, django_capture_on_commit_callbacks
):
    fill_log(vetted_partner.code, [0, 10, 20, 40])
    form = as_auditor.get(ADD)
    assert f"{vetted_partner.legal_name} ({vetted_partner.code}, partner)" in form.content.decode()
    assert "The bureau&#x27;s own decisions (bureau log)" in form.content.decode()

    # 16:00 to 16:30 Beijing time is 08:00 to 08:30 UTC: the entries at minutes 0, 10 and 20.
    response = ask(as_auditor, django_capture_on_commit_callbacks, log=vetted_partner.code)

    export = Export.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{export.pk}/change/")
    assert export.entry_count == 3
    page = as_auditor.get(response["Location"]).content.decode()
    assert (
        "Ready to download" in page
        and f"{vetted_partner.legal_name} ({vetted_partner.code})" in page
    )
    assert 'http-equiv="refresh"' not in page
    download = as_auditor.get(reverse("admin:exports_export_download", args=[export.pk]))
    data = b"".join(download.streaming_content)
    assert open_bundle(data).manifest["count"] == 3
    body = json.loads(LedgerEntry.objects.get(kind="export.downloaded").canonical)["body"]
    assert (body["via"], body["actor"]) == ("admin", "auditor")


def test_the_list_reads_as_words(as_auditor, signing_key, django_capture_on_commit_callbacks):
    ask(as_auditor, django_capture_on_commit_callbacks)

    page = as_auditor.get(LIST).content.decode()

    assert "Bureau log" in page and "Ready to download" in page and "Download (" in page
    assert "Ask for an export bundle" in page
    assert ">done<" not in page


def test_a_page_in_progress_refreshes_itself(
    as_auditor, settings, signing_key, django_capture_on_commit_callbacks
):
    settings.AUDITSVC_EXPORT_INLINE_MAX_ENTRIES = -1  # nothing is small enough: a worker's job
    with django_capture_on_commit_callbacks(execute=False):
        as_auditor.post(
            ADD,
            {"log": "bureau", "range_from": "2026-03-01T16:00", "range_to": "2026-03-01T16:30"},
        )
    export = Export.objects.get()

    page = as_auditor.get(f"{LIST}{export.pk}/change/").content.decode()

    assert 'http-equiv="refresh"' in page and "Waiting to start" in page
    assert "Download the bundle" not in page


def test_a_refused_request_says_why(as_auditor, signing_key, django_capture_on_commit_callbacks):
    response = ask(
        as_auditor,
        django_capture_on_commit_callbacks,
        range_from="2026-03-01T16:30",
        range_to="2026-03-01T16:00",
    )

    assert response.status_code == 200
    assert "&#x27;from&#x27; must be earlier than &#x27;to&#x27;. [invalid_range]" in (
        response.content.decode()
    )
    assert not Export.objects.exists()


def test_staff_who_may_not_export_cannot_ask_or_download(
    staff, auditor, signing_key, django_capture_on_commit_callbacks
):
    ask(admin_client_for(auditor), django_capture_on_commit_callbacks)
    export = Export.objects.get()
    as_staff = admin_client_for(staff)

    assert as_staff.get(ADD).status_code == 403
    download = as_staff.get(reverse("admin:exports_export_download", args=[export.pk]))
    assert download.status_code == 403
    assert not LedgerEntry.objects.filter(kind="export.downloaded").exists()


def test_the_list_finds_a_partner_s_exports_by_name(
    as_auditor, vetted_partner, signing_key, django_capture_on_commit_callbacks
):
    ask(as_auditor, django_capture_on_commit_callbacks, log=vetted_partner.code)
    ask(as_auditor, django_capture_on_commit_callbacks)  # the bureau log's

    found = as_auditor.get(LIST, {"q": vetted_partner.legal_name.split()[0]})

    assert [export.log_id for export in found.context["cl"].result_list] == [vetted_partner.code]
