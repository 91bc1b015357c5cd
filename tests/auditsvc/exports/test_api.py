"""POST /api/v1/exports, GET .../<id> and .../<id>/download: auditors only; problems say why."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid

import pytest
from django.utils import timezone

from auditsvc.exports.models import Export, ExportStatus
from auditsvc.exports.retention import exports_remove_expired
from auditsvc.ledger.models import LedgerEntry
from tests import factories
from tests.conftest import bearer_client

from .support import at, fill_log, open_bundle

pytestmark = pytest.mark.django_db

URL = "/api/v1/exports"
MINUTES = [0, 1, 2, 5, 5, 9, 10, 12, 20, 30, 31]
REQUEST = {"log": "P0042", "from": "2026-03-01T16:05:00+08:00", "to": "2026-03-01T08:12:00Z"}


@pytest.fixture
def ledger(signing_key):
    return fill_log("P0042", MINUTES)


def post(client, body, capture):
    with capture(execute=True):
        return client.post(URL, body, format="json")


def problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code
    return body


def test_an_auditor_asks_follows_and_downloads_a_bundle(
    auditor_client, ledger, django_capture_on_commit_callbacks
):
    response = post(auditor_client, REQUEST, django_capture_on_commit_callbacks)

    assert response.status_code == 202, response.content
    export_id = response.json()["id"]
    status = auditor_client.get(f"{URL}/{export_id}").json()
    assert status["status"] == "done" and status["progress"] == 100
    assert (status["log"], status["from"], status["to"]) == (
        "P0042",
        "2026-03-01T08:05:00.000000Z",
        "2026-03-01T08:12:00.000000Z",
    )
    assert (status["entry_count"], status["tree_size"]) == (4, len(MINUTES))
    assert status["download"] == f"{URL}/{export_id}/download"

    download = auditor_client.get(status["download"])

    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert "auditsvc-P0042-20260301T080500Z-20260301T081200Z.zip" in download["Content-Disposition"]
    data = b"".join(download.streaming_content)
    assert hashlib.sha256(data).hexdigest() == status["sha256"]
    assert [r["entry"]["seq"] for r in open_bundle(data).lines("entries.jsonl")] == [3, 4, 5, 6]
    kinds = list(
        LedgerEntry.objects.filter(log_id="bureau").order_by("seq").values_list("kind", flat=True)
    )
    assert kinds == ["export.requested", "export.downloaded"]
    downloaded = json.loads(LedgerEntry.objects.get(kind="export.downloaded").canonical)["body"]
    assert (downloaded["actor"], downloaded["via"]) == ("auditor", "api")
    assert downloaded["log"] == "P0042"


def test_a_previous_size_is_taken(auditor_client, ledger, django_capture_on_commit_callbacks):
    response = post(
        auditor_client, {**REQUEST, "previous_size": 3}, django_capture_on_commit_callbacks
    )

    assert response.status_code == 202
    assert response.json()["previous_size"] == 3


def test_to_later_than_now_is_refused(auditor_client, ledger, django_capture_on_commit_callbacks):
    later = (timezone.now() + dt.timedelta(minutes=2)).isoformat()

    body = problem(
        post(auditor_client, {**REQUEST, "to": later}, django_capture_on_commit_callbacks),
        400,
        "invalid_range",
    )

    assert "later than the request" in body["detail"]
    assert body["errors"][0]["field"] == "to"
    assert not Export.objects.exists()


def test_from_not_before_to_is_refused(auditor_client, ledger, django_capture_on_commit_callbacks):
    body = problem(
        post(
            auditor_client, {**REQUEST, "from": REQUEST["to"]}, django_capture_on_commit_callbacks
        ),
        400,
        "invalid_range",
    )

    assert body["detail"] == "'from' must be earlier than 'to'."


def test_an_unknown_log_is_refused(auditor_client, ledger, django_capture_on_commit_callbacks):
    body = problem(
        post(auditor_client, {**REQUEST, "log": "P9999"}, django_capture_on_commit_callbacks),
        400,
        "unknown_log",
    )

    assert "There is no log 'P9999'" in body["detail"] and "bureau" in body["detail"]


def test_a_previous_size_beyond_the_log_is_refused(
    auditor_client, ledger, django_capture_on_commit_callbacks
):
    body = problem(
        post(auditor_client, {**REQUEST, "previous_size": 99}, django_capture_on_commit_callbacks),
        400,
        "invalid_previous_size",
    )

    assert "from 1 to the log's size 11" in body["detail"]


def test_a_malformed_request_names_every_bad_field(
    auditor_client, ledger, django_capture_on_commit_callbacks
):
    body = problem(
        post(
            auditor_client,
            {"from": "yesterday", "to": 5, "previous_size": 0, "format": "tar"},
            django_capture_on_commit_callbacks,
        ),
        400,
        "validation_error",
    )

    assert {(e["field"], e["code"]) for e in body["errors"]} == {
        ("format", "unknown_field"),
        ("log", "required"),
        ("from", "invalid_datetime"),
        ("to", "invalid_datetime"),
        ("previous_size", "invalid"),
    }


def test_partner_keys_staff_tokens_and_strangers_are_refused(
    partner_client, staff, client, ledger, vetted_partner
):
    staff_client = bearer_client(factories.issue_test_token(staff))
    export = Export.objects.create(
        log_id=vetted_partner.code,
        range_from=at(0),
        range_to=at(10),
        tree_size=0,
        created_at=timezone.now(),
        key_id="00000000",
    )

    # A partner cannot reach its own log's exports either: exports are for auditors.
    for caller in (partner_client, staff_client):
        problem(caller.post(URL, REQUEST, format="json"), 403, "export_permission_required")
        problem(caller.get(f"{URL}/{export.pk}"), 403, "export_permission_required")
        problem(caller.get(f"{URL}/{export.pk}/download"), 403, "export_permission_required")
    problem(client.get(f"{URL}/{export.pk}"), 401, "not_authenticated")
    assert not LedgerEntry.objects.filter(log_id="bureau").exists()


def test_an_unknown_export_is_404(auditor_client, db):
    problem(auditor_client.get(f"{URL}/{uuid.uuid4()}"), 404, "not_found")
    problem(auditor_client.get(f"{URL}/{uuid.uuid4()}/download"), 404, "not_found")


def test_a_queued_export_is_not_ready_and_a_removed_one_is_gone(
    auditor_client, ledger, settings, django_capture_on_commit_callbacks
):
    settings.AUDITSVC_EXPORT_INLINE_MAX_ENTRIES = 0
    with django_capture_on_commit_callbacks(execute=False):
        export_id = auditor_client.post(URL, REQUEST, format="json").json()["id"]

    assert auditor_client.get(f"{URL}/{export_id}").json()["status"] == "queued"
    body = problem(auditor_client.get(f"{URL}/{export_id}/download"), 409, "export_not_ready")
    assert "waiting to start" in body["detail"]

    from auditsvc.exports.services import export_run

    export = export_run(export_id)
    exports_remove_expired(now=export.expires_at)
    problem(auditor_client.get(f"{URL}/{export_id}/download"), 410, "export_gone")
    assert Export.objects.get(pk=export_id).status == ExportStatus.DONE


def test_the_schema_describes_the_three_endpoints_for_staff_tokens(client, db):
    schema = client.get("/api/schema/", {"format": "json"}).json()

    operations = {
        "/api/v1/exports": ("post", "exports_request", "202"),
        "/api/v1/exports/{export_id}": ("get", "exports_status", "200"),
        "/api/v1/exports/{export_id}/download": ("get", "exports_download", "200"),
    }
    for path, (method, operation_id, ok) in operations.items():
        operation = schema["paths"][path][method]
        assert operation["operationId"] == operation_id
        assert {"staffToken": []} in operation["security"]
        assert {ok, "401", "403", "429"} <= set(operation["responses"])
    download = schema["paths"]["/api/v1/exports/{export_id}/download"]["get"]["responses"]
    assert "application/zip" in download["200"]["content"]
    assert {"409", "410"} <= set(download)
