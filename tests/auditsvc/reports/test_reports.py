"""A resident's access report: exactly the records about that resident, signed, recorded."""

from __future__ import annotations

import datetime as dt

import pytest

from auditsvc.base.identities import RESIDENT_ID_SCHEME, resident_identity
from auditsvc.core.documents import LETTER, REPORT, DocumentError, verify_document
from auditsvc.ingestion.models import AccessEvent, AccountEvent, EnrolmentSession
from auditsvc.reports.kinds import ReportKind
from auditsvc.reports.models import AccessReport
from auditsvc.reports.services import report_produce
from partners.errors import NotPermitted
from tests import factories
from tests.auditsvc.ingestion.support import (
    ACCESS_URL,
    ACCOUNT_URL,
    OTHER_RESIDENT,
    RESIDENT,
    SESSIONS_URL,
    access_event,
    account_event,
    assert_receipt_verifies,
    close_url,
    post,
    published_verifier,
    resident,
    session_body,
)
from tests.conftest import bearer_client
from tests.partners.support import bureau_entries, entry_body, ledger_size

pytestmark = pytest.mark.django_db


@pytest.fixture
def reported(partner_client, other_partner_client, platform_client, vetted_partner, now):
    """Records about RESIDENT and OTHER_RESIDENT by two partners and a platform, and a
    test-key record about RESIDENT (never evidence, so never in a report)."""
    session = post(partner_client, SESSIONS_URL, session_body(now - dt.timedelta(hours=1))).json()
    post(
        partner_client,
        close_url(session["id"]),
        {"closed_at": now.isoformat(), "outcome": "completed"},
    )
    answers = [
        post(
            partner_client,
            ACCESS_URL,
            {
                "events": [
                    access_event(now, 1, session=session["id"]),
                    access_event(now, 2, agent="A-0404", fields=["name", "bank_account"]),
                    access_event(now, 3, resident=resident(OTHER_RESIDENT)),
                ]
            },
        ),
        post(other_partner_client, ACCESS_URL, {"events": [access_event(now, 1)]}),
        post(
            platform_client,
            ACCOUNT_URL,
            {
                "events": [
                    account_event(now, 1),
                    account_event(now, 2, holder=resident(OTHER_RESIDENT)),
                ]
            },
        ),
        post(
            bearer_client(factories.issue_partner_key(vetted_partner, test=True)),
            ACCESS_URL,
            {"events": [access_event(now, 99)]},
        ),
    ]
    assert all(answer.status_code == 201 for answer in answers), [a.content for a in answers]
    return session


def identity(number: str = RESIDENT):
    return resident_identity(RESIDENT_ID_SCHEME, number)


def receipts(items) -> set[tuple[str, int]]:
    return {(item["receipt"]["log"], item["receipt"]["seq"]) for item in items}


def rows_receipts(queryset) -> set[tuple[str, int]]:
    return set(queryset.values_list("ledger_entry__log_id", "ledger_entry__seq"))


def test_it_lists_exactly_the_live_records_about_that_resident(reported, staff):
    me = identity()

    document = report_produce(me, actor=staff).signed["document"]

    live_about_me = {"identity_ref": me.identity_ref, "test": False}
    assert receipts(document["sessions"]) == rows_receipts(
        EnrolmentSession.objects.filter(**live_about_me)
    )
    assert receipts(document["accesses"]) == rows_receipts(
        AccessEvent.objects.filter(**live_about_me)
    )
    assert receipts(document["account_events"]) == rows_receipts(
        AccountEvent.objects.filter(**live_about_me)
    )
    assert document["counts"] == {"sessions": 1, "accesses": 3, "account_events": 1}
    assert document["complete"] is True
    # Nothing about anyone else, and nothing sent with a test key.
    other = identity(OTHER_RESIDENT).identity_ref
    everything = (
        rows_receipts(EnrolmentSession.objects.exclude(**live_about_me))
        | rows_receipts(AccessEvent.objects.exclude(**live_about_me))
        | rows_receipts(AccountEvent.objects.exclude(**live_about_me))
    )
    assert everything, "the fixture reported about others and with a test key"
    listed = receipts(document["sessions"] + document["accesses"] + document["account_events"])
    assert not listed & everything
    assert other not in str(document)
    assert not [item for item in document["accesses"] if item["receipt"]["log"].endswith("T")]


def test_each_record_says_who_when_what_why_with_violations_and_a_receipt(
    reported, staff, vetted_partner, other_partner, account_platform
):
    document = report_produce(identity(), actor=staff).signed["document"]

    [session] = document["sessions"]
    assert session["partner"] == {
        "code": vetted_partner.code,
        "legal_name": vetted_partner.legal_name,
    }
    assert session["agent"]["code"] == "A-0001" and session["agent"]["name"]
    assert session["purpose"] == "card_activation" and session["region_code"] == "411381"
    assert session["outcome"] == "completed" and session["close_receipt"] is not None
    by_agent = {
        item["agent"]["code"]: item
        for item in document["accesses"]
        if item["partner"]["code"] == vetted_partner.code
    }
    assert by_agent["A-0001"]["session"] == session["id"]
    assert by_agent["A-0001"]["fields"] == ["name", "id_number", "phone"]
    unknown = by_agent["A-0404"]
    assert unknown["agent"] == {"code": "A-0404", "name": None}
    assert "agent_unknown" in unknown["violations"]
    assert "field_not_permitted" in unknown["violations"]  # bank_account was not allowed
    assert {item["partner"]["code"] for item in document["accesses"]} == {
        vetted_partner.code,
        other_partner.code,
    }
    [account] = document["account_events"]
    assert account["platform"]["code"] == account_platform.code
    assert account["action"] == "opened" and account["channel"] == "e_card_activation"
    for item in [session, *document["accesses"], account]:
        assert item["receipt"]["signature"]
        assert_receipt_verifies(item["receipt"])
    assert document["resident"] == {
        "identity_ref": identity().identity_ref,
        "id_region_code": "411381",
        "birth_year": 1950,
    }


def test_the_signed_report_verifies_with_the_published_key_as_a_report(reported, staff):
    produced = report_produce(identity(), actor=staff)
    trusted = [published_verifier(produced.signed["key_id"])]

    assert verify_document(produced.signed, trusted, expected_type=REPORT)
    with pytest.raises(DocumentError):
        verify_document(produced.signed, trusted, expected_type=LETTER)


def test_producing_a_report_is_a_bureau_log_entry_that_pins_the_document(reported, staff):
    from auditsvc.core.documents import document_digest

    produced = report_produce(identity(), actor=staff)

    [entry] = bureau_entries(ReportKind.REPORT_PRODUCED)
    body = entry_body(entry)
    assert (body["actor"], body["actor_id"]) == ("staff", staff.pk)
    assert body["identity_ref"] == identity().identity_ref
    assert body["counts"] == {"sessions": 1, "accesses": 3, "account_events": 1}
    digest = document_digest(produced.signed["document"]).hex()
    assert body["document_sha256"] == digest
    assert body["report"] == str(produced.report.pk)
    report = AccessReport.objects.get()
    assert (report.produced_by, report.document_sha256, report.ledger_seq) == (
        staff,
        digest,
        entry.seq,
    )
    assert (report.sessions, report.accesses, report.account_events) == (1, 3, 1)


def test_a_resident_nobody_served_gets_an_empty_report_all_the_same(staff, db):
    nobody = identity(factories.make_resident_id(sequence=777))
    document = report_produce(nobody, actor=staff).signed["document"]
    assert document["counts"] == {"sessions": 0, "accesses": 0, "account_events": 0}
    assert len(bureau_entries(ReportKind.REPORT_PRODUCED)) == 1


def test_only_bureau_staff_produce_reports(reported, auditor, approver_only_user):
    before = ledger_size()
    for user in (auditor, approver_only_user, None):
        with pytest.raises(NotPermitted):
            report_produce(identity(), actor=user)
    assert ledger_size() == before and not AccessReport.objects.exists()


@pytest.fixture
def approver_only_user(role_groups):
    from partners import roles

    return factories.UserFactory(username="approver-only", groups=[roles.APPROVERS])
