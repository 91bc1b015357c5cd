"""GET /api/v1/alerts: staff and auditors, filtered, paginated, problem+json errors."""

from __future__ import annotations

import pytest

from tests import factories
from tests.conftest import bearer_client

from .support import alerts, detect, local, read, read_many

URL = "/api/v1/alerts"


@pytest.fixture
def raised(partner, second_partner, yesterday):
    read_many(partner, local(yesterday, 22), range(1, 31))  # high: 30 residents, no session
    read(second_partner, local(yesterday, 10), 1)  # low
    detect()
    return alerts()


@pytest.fixture
def staff_client(staff):
    return bearer_client(factories.issue_test_token(staff))


def test_an_auditor_reads_alerts_in_designs_shape(raised, auditor_client, partner):
    response = auditor_client.get(URL, {"partner": partner.code})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    (alert,) = body["results"]
    assert set(alert) == {
        "id",
        "rule",
        "severity",
        "status",
        "partner",
        "subject",
        "window",
        "evidence",
        "numbers",
        "entries",
        "assignee",
        "created_at",
        "updated_at",
    }
    assert alert["rule"] == "access_without_session"
    assert alert["partner"] == partner.code
    assert alert["subject"] == {"kind": "agent", "ref": "A-0001"}
    assert alert["evidence"].startswith("Agent A-0001 read 30 residents")
    assert alert["entries"][0] == {"log": partner.code, "seq": 0}
    assert alert["window"]["from"].endswith("Z")


def test_filters_narrow_the_list(raised, staff_client):
    def count(**params):
        return staff_client.get(URL, params).json()["count"]

    assert count() == 2
    assert count(severity="high") == 1
    assert count(severity="low", rule="access_without_session") == 1
    assert count(status="closed_benign") == 0
    assert count(since="2999-01-01T00:00:00+08:00") == 0
    assert count(since="2000-01-01T00:00:00Z") == 2


def test_pages_link_to_each_other(raised, staff_client):
    first = staff_client.get(URL, {"page_size": 1}).json()
    assert first["count"] == 2
    assert first["previous"] is None
    assert "page=2" in first["next"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"rule": "made_up"}, "rule"),
        ({"severity": "urgent"}, "severity"),
        ({"since": "May"}, "since"),
    ],
)
def test_a_bad_parameter_is_a_problem_naming_it(staff_client, db, params, field):
    response = staff_client.get(URL, params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert [error["field"] for error in response.json()["errors"]] == [field]


def test_partner_software_cannot_read_alerts(raised, partner):
    client = bearer_client(factories.issue_partner_key(partner))
    response = client.get(URL)
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/problem+json")


def test_without_a_token_it_is_401(client, db):
    assert client.get(URL).status_code == 401


def test_the_evidence_follows_accept_language(raised, staff_client, partner):
    response = staff_client.get(URL, {"partner": partner.code}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert response.json()["results"][0]["evidence"]


def test_the_schema_describes_the_endpoint(client, db):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/alerts"]["get"]
    assert operation["operationId"] == "alerts_list"
    assert {"200", "400", "401", "403", "404", "429"} <= set(operation["responses"])
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {"partner", "rule", "status", "severity", "since"} <= names
