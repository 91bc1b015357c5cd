"""The public letter check on a cheap phone (360x640): what a villager reads, and its weight."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.core.cache import cache

from partners.services.letters import letter_issue, letter_revoke
from tests import factories

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

BUDGET = 30 * 1024


@pytest.fixture
def letters(roles_after_flush, vetted_partner, approver):
    cache.clear()  # failed look-ups are counted per address
    valid = letter_issue(vetted_partner.authorisations.get(), actor=approver)
    second = factories.AuthorisationFactory(partner=vetted_partner, regions=["411381"])
    revoked = letter_issue(second, actor=approver)
    letter_revoke(revoked, actor=approver, reason="Reported stolen from an agent's car.")
    return valid, revoked


def open_and_weigh(page, live_server, path: str) -> int:
    """Open ``path``; return the bytes of every response it took, and fail on any other host."""
    loaded: list[tuple[str, int]] = []
    page.on("response", lambda response: loaded.append((response.url, len(response.body()))))
    page.goto(path)
    page.wait_for_load_state("networkidle")
    own = urlsplit(live_server.url).netloc
    assert [url for url, _ in loaded if urlsplit(url).netloc != own] == []
    # One request: no stylesheet, script, image or favicon to fetch over a slow network.
    assert [urlsplit(url).path for url, _ in loaded] == [path]
    return sum(size for _, size in loaded)


def test_a_villager_reads_valid_and_revoked_in_large_plain_words(
    letters, vetted_partner, phone_page, live_server, screenshot
):
    valid, revoked = letters

    weight = open_and_weigh(phone_page, live_server, f"/verify/letters/{valid.number}")

    verdict = phone_page.locator("#verdict")
    assert verdict.get_attribute("data-status") == "valid"
    assert "VALID" in verdict.inner_text()
    assert "genuine letter of the bureau, valid today" in verdict.inner_text()
    details = phone_page.locator("#letter").inner_text()
    assert vetted_partner.legal_name in details and vetted_partner.uscc in details
    assert valid.document["valid_until"] in details
    assert "4113" in details
    assert "12393" in phone_page.locator("#misuse").inner_text()
    # Large words: the verdict is the biggest text on the page, and nothing is wider than a phone.
    size = verdict.locator(".big").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 32
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    assert weight < BUDGET, f"{weight} bytes"
    screenshot(phone_page, "valid", full_page=False)
    screenshot(phone_page, "valid-full")

    weight = open_and_weigh(phone_page, live_server, f"/verify/letters/{revoked.number}")

    verdict = phone_page.locator("#verdict")
    assert verdict.get_attribute("data-status") == "revoked"
    assert "REVOKED" in verdict.inner_text()
    assert "do not give your information" in verdict.inner_text()
    assert vetted_partner.legal_name in phone_page.locator("#letter").inner_text()
    assert weight < BUDGET, f"{weight} bytes"
    screenshot(phone_page, "revoked", full_page=False)


def test_a_village_doctor_checks_a_company_by_its_credit_code(
    letters, vetted_partner, phone_page, live_server, screenshot
):
    phone_page.goto("/verify/")
    phone_page.fill("#uscc", vetted_partner.uscc.lower())
    phone_page.click("#company button")
    phone_page.wait_for_load_state()

    answer = phone_page.locator("#company-answer")
    assert answer.get_attribute("data-state") == "authorised"
    assert "AUTHORISED NOW" in answer.inner_text() and "4113" in answer.inner_text()
    screenshot(phone_page, "company")

    phone_page.fill("#number", "zzzz zzzz zzzz zzzz")
    phone_page.click("#another button")
    phone_page.wait_for_load_state()
    assert phone_page.locator("#verdict").get_attribute("data-status") == "unknown"
    assert "UNKNOWN NUMBER" in phone_page.locator("#verdict").inner_text()
    screenshot(phone_page, "unknown", full_page=False)
