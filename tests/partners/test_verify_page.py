"""The public letter check: what anyone reads for a letter number, and the company search."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from auditsvc.core.documents import LETTER, verify_document
from auditsvc.core.keys import VerifierKey
from partners.services.authorisations import authorisation_revoke
from partners.services.letters import letter_issue, letter_revoke
from partners.services.vetting import vetting_reinstate, vetting_revoke, vetting_suspend
from tests import factories

pytestmark = pytest.mark.django_db

UNKNOWN = "ZZZZ-ZZZZ-ZZZZ-ZZZZ"


@pytest.fixture(autouse=True)
def _fresh_lookup_counts():
    # Failed look-ups are counted per address in the cache, which tests share.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def authorisation(vetted_partner):
    return vetted_partner.authorisations.get()


@pytest.fixture
def letter(authorisation, approver):
    return letter_issue(authorisation, actor=approver)


def page_url(number: str) -> str:
    return f"/verify/letters/{number}"


def read(client: Client, url: str):
    """The response and the page's text as a person reads it (tags and extra spaces gone)."""
    response = client.get(url)
    html = response.content.decode()
    text = re.sub(
        r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r"<style.*?</style>", "", html, flags=re.S))
    )
    return response, text


def verdict(response) -> str:
    """The status the page shows in large words (its data-status attribute)."""
    match = re.search(r'id="verdict" data-status="([a-z_]+)"', response.content.decode())
    return match.group(1) if match else ""


def test_a_valid_letter_says_valid_for_whom_where_and_until_when(client, letter, authorisation):
    response, text = read(client, page_url(letter.number))

    assert response.status_code == 200
    assert verdict(response) == "valid"
    assert "VALID" in text and "A genuine letter of the bureau, valid today." in text
    partner = authorisation.partner
    assert partner.legal_name in text and partner.uscc in text
    assert ", ".join(authorisation.regions) in text
    assert authorisation.valid_until.isoformat() in text
    assert "Card activation" in text and "Identity number" in text
    assert "12393" in text and 'href="tel:12393"' in response.content.decode()
    assert f'href="/verify/letters/{letter.number}.json"' in response.content.decode()


def test_it_turns_suspended_at_once_and_valid_again_when_the_partner_is_reinstated(
    client, letter, authorisation, approver, second_approver
):
    partner = authorisation.partner
    vetting_suspend(partner, actor=approver, reason="Villagers complained about agent A-0001.")
    response, text = read(client, page_url(letter.number))
    assert verdict(response) == "suspended"
    assert "SUSPENDED" in text and "NOT valid now" in text

    vetting_reinstate(partner, actor=second_approver, reason="Checked: the complaint was wrong.")
    response, text = read(client, page_url(letter.number))
    assert verdict(response) == "valid"


def test_it_turns_revoked_when_the_partner_is_revoked(client, letter, authorisation, approver):
    vetting_suspend(authorisation.partner, actor=approver, reason="Investigation opened.")
    vetting_revoke(authorisation.partner, actor=approver, reason="Fraud confirmed.")

    response, text = read(client, page_url(letter.number))

    assert verdict(response) == "revoked"
    assert "REVOKED" in text and "It is NOT valid" in text


def test_it_turns_revoked_when_the_authorisation_is_revoked(
    client, letter, authorisation, approver
):
    authorisation_revoke(authorisation, actor=approver, reason="Scope withdrawn.")
    response, _ = read(client, page_url(letter.number))
    assert verdict(response) == "revoked"


def test_it_turns_revoked_when_the_letter_itself_is_revoked(client, letter, approver):
    letter_revoke(letter, actor=approver, reason="Reported lost.")
    response, _ = read(client, page_url(letter.number))
    assert verdict(response) == "revoked"


def test_it_turns_expired_the_day_after_the_authorisation_ends(
    client, vetted_partner, approver, monkeypatch
):
    today = timezone.localdate()
    short = factories.AuthorisationFactory(
        partner=vetted_partner, valid_from=today - dt.timedelta(days=5), valid_until=today
    )
    letter = letter_issue(short, actor=approver)
    assert verdict(client.get(page_url(letter.number))) == "valid"

    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + dt.timedelta(days=1))
    response, text = read(client, page_url(letter.number))

    assert verdict(response) == "expired"
    assert f"it ended on {today.isoformat()}" in text


def test_a_letter_for_later_says_not_yet_valid(client, vetted_partner, approver):
    start = timezone.localdate() + dt.timedelta(days=7)
    later = factories.AuthorisationFactory(
        partner=vetted_partner, valid_from=start, valid_until=start + dt.timedelta(days=90)
    )
    letter = letter_issue(later, actor=approver)

    response, text = read(client, page_url(letter.number))

    assert verdict(response) == "not_yet_valid"
    assert f"valid only from {start.isoformat()}" in text


@pytest.mark.parametrize("number", [UNKNOWN, "NOT-A-NUMBER", "1234", "%3Cscript%3E", "ÄÖÜ"])
def test_an_unknown_or_malformed_number_gets_a_plain_unknown_page(client, letter, number):
    response, text = read(client, page_url(number))

    assert response.status_code == 404
    assert verdict(response) == "unknown"
    assert "UNKNOWN NUMBER" in text and "may be forged" in text
    assert letter.partner.legal_name not in text and letter.number not in text
    assert "<script" not in response.content.decode()


def test_a_number_typed_loosely_is_sent_to_its_canonical_page(client, letter):
    loose = letter.number.replace("-", " ").lower()
    response = client.get(f"/verify/?number={loose}")
    assert response.status_code == 302
    assert response["Location"] == page_url(letter.number)

    response = client.get(page_url(letter.number.replace("-", "").lower()) + "?uscc=X")
    assert response.status_code == 302
    assert response["Location"] == page_url(letter.number) + "?uscc=X"


def test_it_says_nothing_about_residents_agents_or_other_partners(
    client, letter, vetted_partner, other_partner
):
    agent = vetted_partner.agents.first()
    other_authorisation = other_partner.authorisations.get()
    html = client.get(page_url(letter.number)).content.decode()

    for secret in (
        agent.code,
        agent.name,
        agent.identity_ref,
        agent.phone_ref,
        other_partner.legal_name,
        other_partner.uscc,
        other_partner.code,
        other_authorisation.letter_number,
        vetted_partner.contact_name,
        vetted_partner.contact_email,
        vetted_partner.address,
        letter.authorisation.letter_number,  # the bureau's internal reference
    ):
        assert secret not in html, secret


def test_the_page_is_small_and_loads_nothing_from_elsewhere(client, letter):
    response = client.get(page_url(letter.number) + f"?uscc={letter.partner.uscc}")
    html = response.content.decode()

    assert len(response.content) < 30 * 1024
    assert not re.search(r"<(script|img|iframe|object|embed)\b", html)
    # The one link: an empty icon, so that phones do not ask for /favicon.ico.
    assert re.findall(r"<link[^>]*>", html) == ['<link rel="icon" href="data:,">']
    assert not re.search(r"""(src|href|action)=["']?(https?:)?//""", html)
    assert "url(" not in html and "@import" not in html


def test_the_answer_is_never_cached_or_indexed(client, letter):
    response = client.get(page_url(letter.number))
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]


# --- The signed JSON ------------------------------------------------------------------------


def test_the_signed_json_verifies_offline_with_the_published_key(client, letter):
    published = client.get("/api/v1/keys").json()["keys"]
    trusted = [VerifierKey.from_string(key["verifier_key"]) for key in published]

    response = client.get(f"/verify/letters/{letter.number}.json")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert f'filename="letter-{letter.number}.json"' in response["Content-Disposition"]
    signed = json.loads(response.content)
    document = verify_document(signed, trusted, expected_type=LETTER)
    assert document["number"] == letter.number
    assert document["partner"]["uscc"] == letter.partner.uscc

    signed["document"]["valid_until"] = "2099-12-31"  # a forger extends the letter
    with pytest.raises(ValueError, match="does not verify"):
        verify_document(signed, trusted, expected_type=LETTER)


def test_the_signed_json_of_an_unknown_number_is_a_404(client, db):
    assert client.get(f"/verify/letters/{UNKNOWN}.json").status_code == 404
    assert client.get("/verify/letters/nonsense.json").status_code == 404


# --- The company search ---------------------------------------------------------------------


def company_answer(response) -> str:
    match = re.search(r'id="company-answer" data-state="([a-z_]+)"', response.content.decode())
    return match.group(1) if match else ""


def test_a_search_by_credit_code_says_an_authorised_company_and_where(
    client, vetted_partner, other_partner
):
    authorisation = vetted_partner.authorisations.get()

    response, text = read(client, f"/verify/?uscc={vetted_partner.uscc.lower()}")

    assert response.status_code == 200
    assert company_answer(response) == "authorised"
    assert "AUTHORISED NOW" in text and vetted_partner.legal_name in text
    assert ", ".join(authorisation.regions) in text
    assert authorisation.valid_until.isoformat() in text
    assert other_partner.legal_name not in text


def test_a_company_that_is_not_authorised_gets_the_same_answer_whatever_the_reason(
    client, vetted_partner, approver, account_platform, pending_partner
):
    vetting_suspend(vetted_partner, actor=approver, reason="Investigation opened.")
    never_registered = factories.make_uscc(seed=987654)

    answers = {}
    for name, code in (
        ("suspended", vetted_partner.uscc),
        ("platform", account_platform.uscc),
        ("applied", pending_partner.uscc),
        ("unknown", never_registered),
    ):
        response, text = read(client, f"/verify/?uscc={code}")
        assert company_answer(response) == "not_authorised", name
        answers[name] = text.replace(code, "<code>")
        for partner in (vetted_partner, account_platform, pending_partner):
            assert partner.legal_name not in text
    # A public page must not tell who applied, who was suspended, or why.
    assert len(set(answers.values())) == 1


def test_a_malformed_credit_code_is_called_so(client, db):
    response, text = read(client, "/verify/?uscc=91411381ABCDEFGHI0")
    assert company_answer(response) == "malformed"
    assert "not a valid unified social credit code" in text
