"""GET /api/schema/ is a valid OpenAPI 3 document naming every ingestion endpoint."""

from __future__ import annotations

import re

import pytest
import yaml
from django.urls import get_resolver
from drf_spectacular.validation import validate_schema

INGESTION = {
    "/api/v1/sessions": "sessions_open",
    "/api/v1/sessions/{session_id}/close": "sessions_close",
    "/api/v1/access-events": "access_events_record",
    "/api/v1/account-events": "account_events_record",
}


@pytest.fixture
def schema(client, db) -> dict:
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_the_schema_is_valid_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)  # raises on an invalid document


def test_the_yaml_schema_parses_too(client, db):
    response = client.get("/api/schema/")

    assert response.status_code == 200
    assert yaml.safe_load(response.content)["info"]["title"] == "auditsvc API"


@pytest.mark.parametrize(("path", "operation_id"), INGESTION.items())
def test_the_schema_describes_each_ingestion_endpoint(schema, path, operation_id):
    operation = schema["paths"][path]["post"]

    assert operation["operationId"] == operation_id
    assert operation["security"] == [{"partnerKey": []}]
    assert "application/json" in operation["requestBody"]["content"]
    responses = operation["responses"]
    assert {"201", "400", "401", "403", "429"} <= set(responses)
    assert "200" not in responses  # DESIGN.md: always 201, resends included
    assert "application/problem+json" in responses["400"]["content"]


def test_the_schema_names_the_stable_codes(schema):
    components = schema["components"]["schemas"]
    violations = components["EventResult"]["properties"]["violations"]["items"]
    codes = set(components[violations["$ref"].rsplit("/", 1)[1]]["enum"])

    assert {"agent_unknown", "no_open_session", "daily_cap_exceeded"} <= codes
    assert schema["components"]["securitySchemes"]["partnerKey"]["scheme"] == "bearer"


def test_the_interactive_docs_load(client, db):
    page = client.get("/api/docs/")
    script = client.get("/api/docs/", {"script": ""})

    assert page.status_code == script.status_code == 200
    assert b"swagger" in page.content.lower()
    # The start-up script is a file of its own (no inline script: CSP), naming the schema.
    assert b'<script src="/api/docs/?script=">' in page.content
    assert b"/api/schema/" in script.content


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_the_docs_load_nothing_from_outside_the_service(client, db, path):
    page = client.get(path).content.decode()

    assert "cdn.jsdelivr.net" not in page
    assert "fonts.googleapis.com" not in page
    assert re.findall(r'(?:src|href)="(https?:)?//', page) == []
    assert "/static/drf_spectacular_sidecar/" in page


def api_paths() -> set[str]:
    """Every URL under /api/v1/, written as OpenAPI paths (/api/v1/sessions/{session_id}/close)."""
    found = set()

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns, route)
            elif route.startswith("api/v1/"):
                found.add("/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route))

    walk(get_resolver().url_patterns, "")
    return found


def test_the_schema_names_every_api_endpoint(schema):
    paths = api_paths()

    assert set(INGESTION) <= paths  # the walk sees the routes
    assert paths <= set(schema["paths"])
