"""The read-only admin of sessions, accesses and account events, and the resident lookup."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from auditsvc.base.identities import resident_identity
from auditsvc.ingestion.models import AccessEvent, AccountEvent, EnrolmentSession
from auditsvc.ledger.models import BUREAU_LOG_ID, LedgerEntry
from tests import factories
from tests.admin_clients import admin_client_for

from .support import (
    ACCESS_URL,
    ACCOUNT_URL,
    OTHER_RESIDENT,
    PHONE,
    RESIDENT,
    SESSIONS_URL,
    access_event,
    account_event,
    post,
    resident,
    session_body,
)

MODELS = ["enrolmentsession", "accessevent", "accountevent"]
LOOKUP_URL = "/admin/ingestion/accessevent/resident-lookup/"


def changelist(model: str) -> str:
    return f"/admin/ingestion/{model}/"


@pytest.fixture
def reported(partner_client, other_partner_client, platform_client, now):
    """Records of two partners and a platform, about two residents."""
    session = post(partner_client, SESSIONS_URL, session_body(now - dt.timedelta(hours=1))).json()
    post(
        partner_client,
        ACCESS_URL,
        {
            "events": [
                access_event(now, 1, session=session["id"]),
                access_event(now, 2, agent="A-0404"),
                access_event(now, 3, resident=resident(OTHER_RESIDENT), purpose="info_update"),
            ]
        },
    )
    post(other_partner_client, ACCESS_URL, {"events": [access_event(now, 1)]})
    post(
        platform_client,
        ACCOUNT_URL,
        {"events": [account_event(now, 1), account_event(now, 2, holder=resident(OTHER_RESIDENT))]},
    )
    return session


@pytest.mark.parametrize("model", MODELS)
def test_staff_can_list_and_view_but_not_add_change_or_delete(as_staff, reported, model):
    record = {
        "enrolmentsession": EnrolmentSession,
        "accessevent": AccessEvent,
        "accountevent": AccountEvent,
    }[model].objects.first()
    change = f"{changelist(model)}{record.pk}/change/"

    assert as_staff.get(changelist(model)).status_code == 200
    page = as_staff.get(change)
    assert page.status_code == 200
    assert b'name="_save"' not in page.content  # a read-only view
    assert as_staff.get(f"{changelist(model)}add/").status_code == 403
    assert as_staff.post(change, {}).status_code == 403
    assert as_staff.get(f"{changelist(model)}{record.pk}/delete/").status_code == 403
    assert (
        as_staff.post(f"{changelist(model)}{record.pk}/delete/", {"post": "yes"}).status_code == 403
    )


def test_even_a_superuser_cannot_change_evidence(reported):
    root = factories.UserFactory(username="root", is_superuser=True)
    client = admin_client_for(root)
    event = AccessEvent.objects.first()

    assert client.get(f"{changelist('accessevent')}add/").status_code == 403
    assert (
        client.post(f"{changelist('accessevent')}{event.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert AccessEvent.objects.filter(pk=event.pk).exists()


def rows(response) -> list[str]:
    return [str(obj.client_event_id) for obj in response.context["cl"].result_list]


def test_it_filters_by_violation(as_staff, reported):
    unknown_agent = as_staff.get(changelist("accessevent"), {"violation": "agent_unknown"})
    clean = as_staff.get(changelist("accessevent"), {"violation": "none"})
    sessionless = as_staff.get(changelist("accessevent"), {"violation": "no_open_session"})

    assert rows(unknown_agent) == ["e-2"]
    assert sorted(rows(clean)) == ["e-1"]
    assert sorted(rows(sessionless)) == ["e-1", "e-2", "e-3"]  # e-1 of the other partner too


def test_it_filters_by_partner_agent_and_purpose(as_staff, reported, vetted_partner):
    by_partner = as_staff.get(changelist("accessevent"), {"partner__id__exact": vetted_partner.pk})
    by_code = as_staff.get(changelist("accessevent"), {"agent": f"{vetted_partner.code}/A-0404"})
    by_purpose = as_staff.get(changelist("accessevent"), {"purpose__exact": "info_update"})

    assert sorted(rows(by_partner)) == ["e-1", "e-2", "e-3"]
    assert rows(by_code) == ["e-2"]  # an unregistered code, by partner and code
    assert rows(by_purpose) == ["e-3"]
    [agents] = [f for f in by_partner.context["cl"].filter_specs if f.title == "agent"]
    code = vetted_partner.code
    assert [label for _, label in agents.lookup_choices] == [f"{code} / A-0001", f"{code} / A-0002"]
    a_0001 = vetted_partner.agents.get(code="A-0001")
    registered = as_staff.get(changelist("accessevent"), {"agent": a_0001.pk})
    assert sorted(rows(registered)) == ["e-1", "e-3"]


def test_the_agent_filter_never_mixes_two_partners_agents_of_one_code(
    as_staff, reported, vetted_partner, other_partner
):
    # Both partners have an A-0001; each one's accesses are its own.
    everyone = as_staff.get(changelist("accessevent"))
    [agents] = [f for f in everyone.context["cl"].filter_specs if f.title == "agent"]
    labels = [label for _, label in agents.lookup_choices]
    assert f"{vetted_partner.code} / A-0001" in labels
    assert f"{other_partner.code} / A-0001" in labels
    assert "A-0001" not in labels

    theirs = other_partner.agents.get(code="A-0001")
    response = as_staff.get(changelist("accessevent"), {"agent": theirs.pk})
    assert [(e.partner_id, e.client_event_id) for e in response.context["cl"].result_list] == [
        (other_partner.pk, "e-1")
    ]


@pytest.mark.parametrize("model", MODELS)
def test_it_finds_records_by_partner_code(
    as_staff, reported, vetted_partner, account_platform, model
):
    partner = account_platform if model == "accountevent" else vetted_partner
    response = as_staff.get(changelist(model), {"q": partner.code})

    listed = list(response.context["cl"].result_list)
    assert listed
    assert {record.partner_id for record in listed} == {partner.pk}


def test_it_finds_a_partners_records_of_one_agent(as_staff, reported, vetted_partner):
    response = as_staff.get(changelist("accessevent"), {"q": f"{vetted_partner.code} A-0404"})

    assert rows(response) == ["e-2"]


def test_it_filters_records_with_any_violation_and_by_period(as_staff, reported, now):
    old = AccessEvent.objects.get(client_event_id="e-3", partner__code=reported["receipt"]["log"])
    AccessEvent.objects.filter(pk=old.pk).update(occurred_at=now - dt.timedelta(days=10))

    flagged = as_staff.get(changelist("accessevent"), {"violation": "any"})
    today = as_staff.get(changelist("accessevent"), {"period": "today"})
    fortnight = as_staff.get(changelist("accessevent"), {"period": "14d"})

    assert len(rows(flagged)) == 3  # every access but the one in a session (e-1)
    assert sorted(rows(today)) == ["e-1", "e-1", "e-2"]  # e-3 was 10 days ago
    assert sorted(rows(fortnight)) == ["e-1", "e-1", "e-2", "e-3"]


def test_a_sessions_page_links_to_the_accesses_made_in_it(as_staff, reported):
    page = as_staff.get(f"{changelist('enrolmentsession')}{reported['id']}/change/")

    url = f"{changelist('accessevent')}?session__id__exact={reported['id']}"
    assert f'href="{url}">1 in this session</a>' in page.content.decode()
    assert rows(as_staff.get(url)) == ["e-1"]


@pytest.mark.parametrize("model", MODELS)
def test_the_lists_cost_the_same_queries_for_many_rows(
    as_staff, partner_client, platform_client, now, model
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert as_staff.get(changelist(model)).status_code == 200
        return len(captured)

    def report(start: int, count: int) -> None:
        for n in range(start, start + count):
            post(partner_client, SESSIONS_URL, session_body(now, client_session_id=f"s-{n}"))
        post(
            partner_client,
            ACCESS_URL,
            {"events": [access_event(now, n) for n in range(start, start + count)]},
        )
        post(
            platform_client,
            ACCOUNT_URL,
            {"events": [account_event(now, n) for n in range(start, start + count)]},
        )

    report(0, 2)
    few = queries()
    report(2, 20)
    many = queries()

    assert many == few


def test_the_lists_offer_a_date_hierarchy_and_the_lookup(as_staff, reported):
    page = as_staff.get(changelist("accessevent"))

    assert page.context["cl"].date_hierarchy == "occurred_at"
    assert LOOKUP_URL.encode() in page.content


def test_the_resident_lookup_lists_everything_about_one_resident(as_staff, reported):
    response = as_staff.post(LOOKUP_URL, {"identity_number": RESIDENT})

    assert response.status_code == 200
    records = response.context["records"]
    assert [s.client_session_id for s in records.sessions] == ["s-1"]
    assert sorted((a.partner.code, a.client_event_id) for a in records.accesses) == sorted(
        [
            (reported["receipt"]["log"], "e-1"),
            (reported["receipt"]["log"], "e-2"),
            (
                AccessEvent.objects.exclude(partner__code=reported["receipt"]["log"])
                .get()
                .partner.code,
                "e-1",
            ),
        ]
    )
    assert [a.client_event_id for a in records.accounts] == ["acc-1"]
    ref = resident_identity("cn-resident-id", RESIDENT).identity_ref
    content = response.content.decode()
    assert ref[:12] in content
    assert RESIDENT not in content  # not even in the form's input
    assert RESIDENT[:17] not in content


def test_the_resident_lookup_keeps_the_number_out_of_error_reports(as_staff, reported):
    response = as_staff.post(LOOKUP_URL, {"identity_number": RESIDENT})

    assert response.wsgi_request.sensitive_post_parameters == ("identity_number",)


def test_the_resident_lookup_explains_an_invalid_number(as_staff, reported):
    bad = RESIDENT[:17] + ("1" if RESIDENT[17] != "1" else "2")

    response = as_staff.post(LOOKUP_URL, {"identity_number": bad})

    assert response.status_code == 200
    assert response.context["records"] is None
    errors = response.context["form"].errors["identity_number"]
    assert errors == [
        "This is not a valid resident identity number: The check character does not match."
    ]
    assert bad not in response.content.decode()


def test_the_resident_lookup_never_takes_the_number_from_the_url(as_staff, reported):
    response = as_staff.get(LOOKUP_URL, {"identity_number": RESIDENT})

    assert response.status_code == 200
    assert response.context["records"] is None
    assert b'method="post"' in response.content


def test_the_resident_lookup_needs_permission_to_view_accesses(reported):
    nobody = factories.UserFactory(username="clerk")  # staff, but in no group

    response = admin_client_for(nobody).post(LOOKUP_URL, {"identity_number": RESIDENT})

    assert response.status_code == 403


def test_auditors_can_look_residents_up(auditor, reported):
    response = admin_client_for(auditor).post(LOOKUP_URL, {"identity_number": RESIDENT})

    assert response.status_code == 200
    assert len(response.context["records"].accesses) == 3


def test_the_lookup_requires_a_second_factor(staff, reported):
    from django.test import Client

    client = Client()
    client.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")

    response = client.post(LOOKUP_URL, {"identity_number": RESIDENT})

    assert response.status_code == 302  # to the sign-in page
    assert "login" in response["Location"]


def test_each_resident_lookup_is_signed_into_the_bureau_log(as_staff, staff, reported):
    ref = resident_identity("cn-resident-id", RESIDENT).identity_ref
    before = LedgerEntry.objects.filter(log_id=BUREAU_LOG_ID, kind="resident.lookup").count()

    response = as_staff.post(LOOKUP_URL, {"identity_number": RESIDENT})

    assert response.status_code == 200
    [entry] = LedgerEntry.objects.filter(log_id=BUREAU_LOG_ID, kind="resident.lookup")[before:]
    body = json.loads(entry.canonical)["body"]
    # 1 session, 3 accesses (two partners), 1 account event about this resident.
    assert body == {
        "actor": staff.get_username(),
        "actor_id": staff.pk,
        "identity_ref": ref,
        "found": 5,
    }
    assert RESIDENT not in entry.canonical


def test_a_refused_lookup_is_not_recorded(as_staff, reported):
    bad = RESIDENT[:17] + ("1" if RESIDENT[17] != "1" else "2")

    as_staff.post(LOOKUP_URL, {"identity_number": bad})

    assert not LedgerEntry.objects.filter(kind="resident.lookup").exists()


def test_the_account_search_does_not_invite_raw_numbers_into_the_url(as_staff, reported):
    # Phones, devices and accounts are pseudonyms: a raw value typed in the
    # search box (sent as ?q=) would never match, and would reach access logs.
    page = as_staff.get(changelist("accountevent"), {"q": PHONE})

    assert page.status_code == 200
    search_fields = page.context["cl"].search_fields
    assert not {"=account_ref", "=phone_ref", "=device_ref"} & set(search_fields)
    assert list(page.context["cl"].result_list) == []
    found = as_staff.get(changelist("accountevent"), {"q": "acc-1"})
    assert [e.client_event_id for e in found.context["cl"].result_list] == ["acc-1"]


@pytest.mark.parametrize("model", MODELS)
def test_the_lists_do_not_read_the_entries_canonical_json_or_signature(as_staff, reported, model):
    with CaptureQueriesContext(connection) as queries:
        page = as_staff.get(changelist(model))

    assert page.status_code == 200
    listing = [q["sql"] for q in queries.captured_queries if "ledger_ledgerentry" in q["sql"]]
    assert listing  # the entry is joined (its log and seq are shown)
    for sql in listing:
        assert '"ledger_ledgerentry"."canonical"' not in sql
        assert '"ledger_ledgerentry"."signature"' not in sql
