"""An approver issues a letter in a real browser and gets the printable page (screen and print)."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners.models import Letter
from tests.admin_clients import sign_in_through_the_form

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_an_approver_issues_and_prints_a_letter(
    roles_after_flush, approver, vetted_partner, page, screenshot
):
    authorisation = vetted_partner.authorisations.get()
    sign_in_through_the_form(
        page, approver, TOTPDevice.objects.create(user=approver, confirmed=True)
    )

    page.goto(f"/admin/partners/authorisation/{authorisation.pk}/change/")
    page.click("text=Issue a letter")
    page.wait_for_load_state()
    screenshot(page, "issue-form")
    page.click("input[name=_save]")
    page.wait_for_load_state()

    letter = Letter.objects.get()
    assert page.url.endswith(f"/admin/partners/letter/{letter.pk}/print/")
    assert page.locator("#letter-number").inner_text() == letter.number
    assert f"Letter {letter.number} issued" in page.locator(".toolbar .message").inner_text()
    assert page.locator("#letter-key-id").inner_text() == letter.key_id
    assert page.locator("#letter-signature").inner_text() == letter.signature
    assert page.locator(".qr svg").count() == 1
    assert f"/verify/letters/{letter.number}" in page.locator("#how-to-check").inner_text()
    screenshot(page, "print-screen")
    page.emulate_media(media="print")
    assert not page.locator(".toolbar").is_visible()
    screenshot(page, "print-paper")

    page.emulate_media(media="screen")
    page.goto(f"/admin/partners/authorisation/{authorisation.pk}/change/")
    assert letter.number in page.locator("#content-main").inner_text()
    screenshot(page, "authorisation")
    page.goto(f"/admin/partners/letter/{letter.pk}/change/")
    assert "REVOKE" in page.locator(".object-tools").inner_text().upper()
    screenshot(page, "letter")
