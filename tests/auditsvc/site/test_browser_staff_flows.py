"""The staff flows that matter most, in a real browser (issue 8, "Done when").

Sign-in with a second factor and its lockout; a partner registered and
documented by an approver, reviewed by staff, refused to that approver
(maker-checker) and approved by another; an API key shown once (a reload
issues nothing), copied, then revoked; a partner suspended. Each person
works in a browser context of their own; screenshots go to var/screenshots/.
"""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from auditsvc.ledger.models import LedgerEntry
from partners.choices import PartnerStatus
from partners.kinds import RegistryKind
from partners.models import ApiCredential, Partner
from tests import factories
from tests.admin_clients import PASSWORD, current_code, sign_in_through_the_form
from tests.browser import DESKTOP, messages_on

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

DOCUMENT_TYPES = [
    "business_licence",
    "entrustment_agreement",
    "confidentiality_undertaking",
    "security_assessment",
    "staff_list",
]


def decide(page, partner: Partner, button: str, reason: str) -> None:
    """Click a vetting button on the partner page, give the reason, confirm."""
    page.goto(f"/admin/partners/partner/{partner.pk}/change/")
    page.click(f"a.vetting-action:text-is('{button}')")
    page.fill("#id_reason", reason)
    page.click(f"input[type=submit][value='{button}']")
    page.wait_for_load_state()


def test_a_staff_member_signs_in_with_a_second_factor(
    roles_after_flush, staff, signed_in, screenshot
):
    page = signed_in(staff)
    assert page.locator("#user-tools").inner_text().upper().startswith("WELCOME")
    screenshot(page, "dashboard")


def test_repeated_failures_lock_the_account_even_for_the_right_password(
    roles_after_flush, staff, page, screenshot
):
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    for attempt in range(5):
        page.goto("/admin/login/?next=/admin/")
        page.fill("#id_username", "staff")
        page.fill("#id_password", f"guess number {attempt}")
        page.fill("#id_otp_token", "000000")
        page.click("input[type=submit]")
        page.wait_for_load_state()
    assert "locked" in page.content().lower()
    screenshot(page, "locked")

    sign_in_through_the_form(page, staff, device, password=PASSWORD)
    assert "/admin/login/" in page.url and "locked" in page.content().lower()
    assert page.goto("/admin/").url.endswith("/admin/login/?next=/admin/")


def test_registration_through_approval_with_maker_checker(
    roles_after_flush, staff, approver, second_approver, signed_in, screenshot, tmp_path
):
    # The approver registers the partner and hands in its five documents.
    maker = signed_in(approver)
    maker.goto("/admin/partners/partner/add/")
    maker.fill("#id_legal_name", "Nanyang Quick Card Helpers Co., Ltd.")
    maker.fill("#id_uscc", factories.make_uscc(seed=2026))
    maker.select_option("#id_kind", "enrolment_partner")
    maker.fill("#id_contact_name", "He Ping")
    maker.fill("#id_contact_email", "he.ping@quick.example")
    maker.fill("#id_dpo_name", "Ma Lin")
    maker.fill("#id_dpo_email", "dpo@quick.example")
    maker.fill("#id_address", "9 Wolong Road, Nanyang, Henan")
    maker.click("input[name=_continue]")
    maker.wait_for_load_state()
    partner = Partner.objects.get(legal_name="Nanyang Quick Card Helpers Co., Ltd.")
    assert partner.registered_by == approver

    issued = (dt.date.today() - dt.timedelta(days=30)).isoformat()
    for doc_type in DOCUMENT_TYPES:
        scan = tmp_path / f"{doc_type}.pdf"
        scan.write_bytes(b"%PDF-1.4 " + doc_type.encode())
        group = maker.locator(".inline-group", has_text="hand in new documents")
        group.locator("select[name$='-doc_type']").first.select_option(doc_type)
        group.locator("input[type=file][name$='-file']").first.set_input_files(str(scan))
        group.locator("input[name$='-issued_on']").first.fill(issued)
        maker.click("input[name=_continue]")
        maker.wait_for_load_state()
    assert partner.documents.count() == 5
    screenshot(maker, "registered-and-documented")

    # Staff start the review.
    reviewer = signed_in(staff)
    decide(reviewer, partner, "Start review", "File received from the partner.")
    assert Partner.objects.get(pk=partner.pk).status == PartnerStatus.UNDER_REVIEW

    # The approver who prepared the file is warned, then refused.
    maker.goto(f"/admin/partners/partner/{partner.pk}/change/")
    maker.click("a.vetting-action:text-is('Approve')")
    warning = maker.locator("ul.messagelist li.warning").inner_text()
    assert "you registered it and you added its documents" in warning
    screenshot(maker, "approve-warned")
    maker.fill("#id_reason", "All checked.")
    maker.click("input[type=submit][value='Approve']")
    maker.wait_for_load_state()
    assert "[maker_checker]" in messages_on(maker)
    assert Partner.objects.get(pk=partner.pk).status == PartnerStatus.UNDER_REVIEW
    screenshot(maker, "approve-refused")

    # Another approver approves.
    checker = signed_in(second_approver)
    decide(checker, partner, "Approve", "Documents and credit code checked again.")
    assert Partner.objects.get(pk=partner.pk).status == PartnerStatus.APPROVED
    assert "now approved" in messages_on(checker)
    screenshot(checker, "approved")


def test_an_api_key_is_shown_once_copied_and_revoked(
    roles_after_flush, staff, vetted_partner, signed_in, screenshot
):
    page = signed_in(staff)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"/admin/partners/apicredential/add/?partner={vetted_partner.pk}")
    page.fill("#id_label", "field app v3")
    page.click("input[type=submit][value='Issue API key']")
    page.wait_for_load_state()

    key = page.locator("#issued-secret").inner_text()
    assert key.startswith("ask_")
    page.click("#copy-secret")
    page.wait_for_function("document.querySelector('#copy-secret').textContent === 'Copied'")
    assert page.evaluate("navigator.clipboard.readText()") == key
    screenshot(page, "key-shown-once")

    page.reload()
    assert key not in page.content()
    assert "already shown" in page.locator("#secret-gone").inner_text()
    assert ApiCredential.objects.filter(partner=vetted_partner, label="field app v3").count() == 1
    assert LedgerEntry.objects.filter(kind=RegistryKind.CREDENTIAL_ISSUED).count() == 1
    screenshot(page, "key-reloaded")

    credential = ApiCredential.objects.get(label="field app v3")
    page.goto(f"/admin/partners/apicredential/{credential.pk}/change/")
    page.click("a.record-action:text-is('Revoke')")
    page.fill("#id_reason", "Laptop stolen.")
    page.click("input[type=submit][value='Revoke']")
    page.wait_for_load_state()
    credential.refresh_from_db()
    assert credential.revoked_at is not None and credential.revoke_reason == "Laptop stolen."
    assert "revoked" in messages_on(page)
    screenshot(page, "key-revoked")


def test_an_approver_suspends_a_partner(
    roles_after_flush, approver, vetted_partner, signed_in, screenshot
):
    page = signed_in(approver)
    decide(page, vetted_partner, "Suspend", "Alert 17: accesses at night without sessions.")
    assert Partner.objects.get(pk=vetted_partner.pk).status == PartnerStatus.SUSPENDED
    assert "now suspended" in messages_on(page)
    screenshot(page, "suspended")


def test_a_security_officer_resets_a_lost_authenticator(
    roles_after_flush, security_officer, staff, signed_in, browser, live_server, screenshot
):
    TOTPDevice.objects.create(user=staff, name="phone in the river", confirmed=True)
    officer = signed_in(security_officer)
    officer.goto("/admin/site/staffaccount/")
    screenshot(officer, "staff-accounts")
    officer.goto(f"/admin/site/staffaccount/{staff.pk}/change/")
    officer.click("a.record-action:text-is('Reset second factor')")
    officer.fill("#id_reason", "Phone lost in the river, ticket 88; identity checked in person.")
    officer.click("input[type=submit][value='Reset second factor']")
    officer.wait_for_load_state()
    codes = officer.locator("#issued-secret").inner_text().split()
    assert len(codes) == 5
    assert not TOTPDevice.objects.filter(user=staff).exists()
    screenshot(officer, "new-backup-codes")
    officer.reload()
    assert not any(code in officer.content() for code in codes)

    # The staff member signs in with one code and adds a new authenticator with another.
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url, locale="en-GB")
    try:
        page = context.new_page()
        page.goto("/admin/login/?next=/admin/")
        page.fill("#id_username", "staff")
        page.fill("#id_password", PASSWORD)
        page.fill("#id_otp_token", codes[0])
        page.click("input[type=submit]")
        page.wait_for_load_state()
        assert page.url.endswith("/admin/")
        page.goto("/admin/two-factor/")
        screenshot(page, "two-factor-page")
        page.fill("#id_password", PASSWORD)
        page.fill("#id_otp_token", codes[1])
        page.click("button[value=add_totp]")
        page.wait_for_load_state()
        secret = page.locator("#otp-secret").inner_text()
        screenshot(page, "enrolling")
        app = TOTPDevice(key=base64.b32decode(secret).hex())
        page.fill("#id_token", current_code(app))
        page.click("#enrolment input[type=submit]")
        page.wait_for_load_state()
        assert "is ready" in messages_on(page)
        assert TOTPDevice.objects.get(user=staff).confirmed
        screenshot(page, "authenticator-added")
    finally:
        context.close()
