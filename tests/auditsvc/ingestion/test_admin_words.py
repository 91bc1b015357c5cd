"""The record pages read as words, not storage formats, and link to the session and receipt.

Issue 8, item 11: violations were shown as ``,purpose_not_authorised,field_not_permitted,``,
fields as ``["name", "bank_account"]``, channels as "E Card Activation" and titles as
"4:xy-e-2".
"""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from auditsvc.ingestion.models import AccessEvent, AccountEvent, EnrolmentSession

from .support import (
    ACCESS_URL,
    ACCOUNT_URL,
    SESSIONS_URL,
    access_event,
    account_event,
    post,
    session_body,
)

pytestmark = pytest.mark.django_db


def changelist(model: str) -> str:
    return f"/admin/ingestion/{model}/"


def change(record) -> str:
    return f"/admin/ingestion/{record._meta.model_name}/{record.pk}/change/"


def text(response) -> str:
    """The page's text as a person reads it: no tags, entities decoded, spaces collapsed."""
    content = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", content)).split())


@pytest.fixture
def flagged(partner_client, platform_client, vetted_partner, now):
    """An access outside the partner's purposes and fields, in a session; an account event."""
    vetted_partner.authorisations.update(purposes=["card_activation"])
    session = post(
        partner_client,
        SESSIONS_URL,
        session_body(now - dt.timedelta(minutes=5), client_session_id="xy-s-1"),
    ).json()
    post(
        partner_client,
        ACCESS_URL,
        {
            "events": [
                access_event(
                    now,
                    2,
                    client_event_id="xy-e-2",
                    session=session["id"],
                    fields=["name", "bank_account"],
                    purpose="benefit_enquiry",
                )
            ]
        },
    )
    post(platform_client, ACCOUNT_URL, {"events": [account_event(now, 1)]})
    access = AccessEvent.objects.get(client_event_id="xy-e-2")
    assert access.violation_list == ["purpose_not_authorised", "field_not_permitted"]
    return {
        "session": EnrolmentSession.objects.get(pk=session["id"]),
        "access": access,
        "account": AccountEvent.objects.get(),
    }


def test_the_access_list_shows_violations_and_fields_as_words(as_staff, flagged):
    response = as_staff.get(changelist("accessevent"))
    content = response.content.decode()
    words = text(response)

    assert ",purpose_not_authorised," not in content
    assert '["name", "bank_account"]' not in html.unescape(content)
    # Short words in the column, the full label (and code) in the tooltip.
    assert "purpose field" in words
    assert 'title="Purpose not authorised (purpose_not_authorised)"' in content
    assert 'title="Field not permitted (field_not_permitted)"' in content
    assert "name, bank account" in words
    assert 'title="Name, Bank account"' in content


def test_an_access_page_shows_full_labels_and_a_readable_title(as_staff, flagged, vetted_partner):
    response = as_staff.get(change(flagged["access"]))
    content = response.content.decode()
    words = text(response)

    assert "Purpose not authorised" in words and "Field not permitted" in words
    assert "Name, Bank account" in words
    assert ",purpose_not_authorised," not in content
    assert "bank_account" not in words
    # The title names the partner's log and the partner's own id, not "4:xy-e-2".
    assert f"{vetted_partner.code} access xy-e-2" in words
    assert f"{vetted_partner.pk}:xy-e-2" not in words


def test_an_access_links_to_its_session_and_its_receipt(as_staff, flagged):
    access, session = flagged["access"], flagged["session"]
    entry = access.ledger_entry
    receipt = f"/admin/ledger/ledgerentry/{entry.pk}/change/"
    session_url = change(session)

    listed = as_staff.get(changelist("accessevent")).content.decode()
    page = as_staff.get(change(access)).content.decode()

    for content in (listed, page):
        assert f'href="{receipt}"' in content
        assert f"{entry.log_id}#{entry.seq}" in content
        assert f'href="{session_url}"' in content
    assert as_staff.get(receipt).status_code == 200


def test_a_session_shows_words_and_links_to_its_receipt(as_staff, flagged, vetted_partner):
    session = flagged["session"]
    response = as_staff.get(change(session))
    words = text(response)

    assert f"{vetted_partner.code} session xy-s-1" in words
    assert (
        f'href="/admin/ledger/ledgerentry/{session.ledger_entry_id}/change/"'
        in response.content.decode()
    )
    assert "Card activation" in words


def test_account_events_show_channels_and_actions_as_words(as_staff, flagged, account_platform):
    listed = text(as_staff.get(changelist("accountevent")))
    page = text(as_staff.get(change(flagged["account"])))

    for words in (listed, page):
        assert "E-card activation" in words
        assert "E Card Activation" not in words
        assert "Opened" in words
    assert f"{account_platform.code} account event acc-1" in page


def test_a_test_record_says_so(as_staff, vetted_partner, now):
    from tests import factories
    from tests.conftest import bearer_client

    client = bearer_client(factories.issue_partner_key(vetted_partner, test=True))
    post(client, ACCESS_URL, {"events": [access_event(now, 1, client_event_id="dev-1")]})
    access = AccessEvent.objects.get(client_event_id="dev-1")

    words = text(as_staff.get(change(access)))

    assert f"{vetted_partner.code}T access dev-1" in words
    assert f"kept in the test log {vetted_partner.code}T, never evidence" in words
