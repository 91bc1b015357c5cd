"""GET /api/schema/ is a valid OpenAPI 3 document naming every ingestion endpoint."""

from __future__ import annotations

import re

import jsonschema
import pytest
import yaml
from django.conf import settings
from django.urls import get_resolver
from drf_spectacular.validation import validate_schema

from auditsvc.ingestion import validation
from auditsvc.ingestion.validation import limits

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


# --- The request schemas say what the server enforces (issue 8, item 5) ----------------------

VALIDATORS = {
    "sessions_open": lambda body: validation.validate_session_open(body),
    "sessions_close": lambda body: validation.validate_session_close(body),
    "access_events_record": lambda body: validation.validate_access_batch(body),
    "account_events_record": lambda body: validation.validate_account_batch(
        body, platform_code="P0001"
    ),
}


def resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def as_json_schema(schema: dict, node):
    """``node`` with its $refs inlined and OpenAPI 3.0's ``nullable`` as a type list."""
    if isinstance(node, dict):
        if "$ref" in node:
            return as_json_schema(schema, resolve(schema, node))
        out = {key: as_json_schema(schema, value) for key, value in node.items()}
        if out.pop("nullable", False):
            out["type"] = [out["type"], "null"]
        return out
    if isinstance(node, list):
        return [as_json_schema(schema, item) for item in node]
    return node


def json_validator(schema: dict, node: dict) -> jsonschema.Draft4Validator:
    return jsonschema.Draft4Validator(
        as_json_schema(schema, node), format_checker=jsonschema.FormatChecker()
    )


def request_schema(schema: dict, path: str) -> dict:
    content = schema["paths"][path]["post"]["requestBody"]["content"]["application/json"]
    return resolve(schema, content["schema"])


def objects_in(node):
    if isinstance(node, dict):
        if node.get("type") == "object":
            yield node
        for value in node.values():
            yield from objects_in(value)
    elif isinstance(node, list):
        for item in node:
            yield from objects_in(item)


@pytest.mark.parametrize(("path", "operation_id"), INGESTION.items())
def test_every_request_example_passes_validation_and_the_schema(schema, path, operation_id):
    operation = schema["paths"][path]["post"]
    examples = operation["requestBody"]["content"]["application/json"]["examples"]
    validator = json_validator(schema, request_schema(schema, path))

    assert examples
    for example in examples.values():
        VALIDATORS[operation_id](example["value"])  # raises ValidationFailed if refused
        validator.validate(example["value"])


@pytest.mark.parametrize("path", INGESTION)
def test_every_answer_example_fits_its_schema(schema, path):
    responses = schema["paths"][path]["post"]["responses"]
    checked = 0
    for status, response in responses.items():
        for content in response["content"].values():
            validator = json_validator(schema, content["schema"])
            for example in content.get("examples", {}).values():
                validator.validate(example["value"])
                if "application/problem+json" in response["content"]:
                    assert example["value"]["status"] == int(status)
                checked += 1
    assert checked >= 2


@pytest.mark.parametrize("path", INGESTION)
def test_the_request_schemas_allow_no_other_properties(schema, path):
    objects = list(objects_in(request_schema(schema, path)))

    assert objects
    assert all(node.get("additionalProperties") is False for node in objects)


def test_the_request_limits_come_from_the_validation_constants(schema):
    batch = request_schema(schema, "/api/v1/access-events")["properties"]["events"]
    record = batch["items"]["properties"]
    session = request_schema(schema, "/api/v1/sessions")["properties"]

    assert batch["maxItems"] == settings.AUDITSVC_MAX_BATCH
    assert record["client_event_id"]["pattern"] == f"^{limits.CLIENT_ID_PATTERN}$"
    assert record["agent"]["pattern"] == f"^{limits.AGENT_PATTERN}$"
    assert record["resident"]["properties"]["value"]["pattern"] == "^[0-9]{17}[0-9Xx]$"
    assert record["fields"]["maxItems"] == len(limits.DATA_FIELDS)
    assert session["region_code"]["pattern"] == f"^{limits.REGION_PATTERN}$"
    assert "^(?:11|12|13|" in session["region_code"]["pattern"]
    # consent_ref "" is accepted (no consent): the schema has no minLength for it.
    assert "minLength" not in session["consent_ref"]
    assert session["consent_ref"]["nullable"] is True
    assert set(request_schema(schema, "/api/v1/sessions")["required"]) == set(
        limits.SESSION_OPEN_KEYS
    ) - {"consent_ref"}


def test_the_schema_follows_the_batch_size_setting(client, db, settings):
    settings.AUDITSVC_MAX_BATCH = 250

    schema = client.get("/api/schema/", {"format": "json"}).json()

    events = request_schema(schema, "/api/v1/account-events")["properties"]["events"]
    assert events["maxItems"] == 250


@pytest.mark.parametrize("path", INGESTION)
def test_every_status_the_server_can_answer_is_documented(schema, path):
    responses = schema["paths"][path]["post"]["responses"]

    assert {"201", "400", "401", "403", "409", "413", "415", "429"} <= set(responses)


@pytest.mark.parametrize(
    ("path", "field", "value"),
    [
        ("/api/v1/sessions", "consent_ref", ""),
        ("/api/v1/sessions", "consent_ref", None),
    ],
)
def test_what_the_server_accepts_the_schema_accepts(schema, path, field, value, partner_client):
    import datetime as dt

    from .support import session_body

    body = session_body(dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1), **{field: value})
    validator = json_validator(schema, request_schema(schema, path))

    assert partner_client.post(path, body, format="json").status_code == 201
    validator.validate(body)


def test_the_schema_documents_test_keys(schema):
    partner_key = schema["components"]["securitySchemes"]["partnerKey"]["description"]

    assert "ask_test_" in partner_key
    assert "P0001T" in partner_key
    assert "ask_test_" in schema["info"]["description"]
