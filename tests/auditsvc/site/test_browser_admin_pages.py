"""What staff see, in a real browser at 1366x768 (issue 8, items 11-14, "Done when").

Lists fit the screen (no column cut off or scrolled out of sight), record pages read as
words with links to the session and the receipt, long partner names stay readable beside
the buttons, the documents table stays inside its box, the dashboard draws its charts,
and refusals and lockouts keep a way back. Screenshots go to var/screenshots/.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from auditsvc.ingestion.models import AccessEvent
from tests import factories
from tests.auditsvc.ingestion.support import (
    ACCESS_URL,
    ACCOUNT_URL,
    SESSIONS_URL,
    access_event,
    account_event,
    post,
    resident,
    session_body,
)
from tests.conftest import bearer_client, build_vetted_partner
from tests.partners.admin.populate import APPS_UNDER_TEST, registered_models

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

LONG_NAME = (
    "Henan Zhongyuan Rural Digital Medical Insurance Card Enrolment and Activation "
    "Services Co., Ltd. (Dengzhou Branch)"
)
OTHER_RESIDENT_ID = factories.make_resident_id("411381", dt.date(1944, 2, 9), 771)

# Whether an element's box ends inside the window, and whether a box scrolls sideways.
FITS = """(selector) => {
  const width = document.documentElement.clientWidth;
  const cut = [];
  for (const cell of document.querySelectorAll(selector)) {
    const box = cell.getBoundingClientRect();
    if (box.right > width + 1) cut.push(cell.textContent.trim() || cell.className);
  }
  return cut;
}"""
SCROLLS = """(selector) => {
  const box = document.querySelector(selector);
  return box ? box.scrollWidth - box.clientWidth : 0;
}"""


@pytest.fixture
def scene(roles_after_flush, account_platform, now):
    """A partner with a long name and two weeks of accesses (some flagged, some in a session,
    some sent with a test key), another partner, and an account platform's events."""
    partner = build_vetted_partner(legal_name=LONG_NAME)
    other = build_vetted_partner(legal_name="Wancheng Card Helpers Co., Ltd.")
    client = bearer_client(factories.issue_partner_key(partner))
    session = post(client, SESSIONS_URL, session_body(now - dt.timedelta(minutes=30))).json()
    events = [
        access_event(
            now - dt.timedelta(days=n % 14, minutes=n),
            n,
            client_event_id=f"field-app-7/2026/{n:05d}",
            session=session["id"] if n < 3 else None,
            agent=("A-0001", "A-0002", "A-0404")[n % 3],
            fields=["name", "id_number", "phone"] + (["bank_account"] if n % 4 == 0 else []),
            purpose=("card_activation", "info_update", "benefit_enquiry")[n % 3],
        )
        for n in range(60)
    ]
    assert post(client, ACCESS_URL, {"events": events}).status_code == 201
    test_client = bearer_client(factories.issue_partner_key(partner, test=True))
    post(test_client, ACCESS_URL, {"events": [access_event(now, 1, client_event_id="dev-1")]})
    other_client = bearer_client(factories.issue_partner_key(other))
    post(
        other_client,
        ACCESS_URL,
        {"events": [access_event(now - dt.timedelta(days=d), d) for d in range(5)]},
    )
    platform = bearer_client(factories.issue_partner_key(account_platform))
    post(
        platform,
        ACCOUNT_URL,
        {
            "events": [
                account_event(now, 1),
                account_event(now, 2, action="limit_raised", holder=resident(OTHER_RESIDENT_ID)),
            ]
        },
    )
    return {"partner": partner, "other": other, "session": session["id"]}


def assert_fits(page, what: str) -> None:
    """No column of the page's list or tables ends outside the window or scrolls out of view."""
    assert page.evaluate(FITS, "#result_list th, #result_list td") == [], what
    assert page.evaluate(SCROLLS, "#changelist-form .results") <= 0, what
    assert page.evaluate(FITS, ".inline-group th, .inline-group td") == [], what
    assert page.evaluate(SCROLLS, "html") <= 0, what


def test_the_record_lists_fit_and_read_as_words(scene, staff, signed_in, screenshot):
    page = signed_in(staff)

    page.goto("/admin/ingestion/accessevent/")
    assert_fits(page, "access events")
    headers = page.locator("#result_list thead th").all_inner_texts()
    for column in ("WHEN", "SESSION", "VIOLATIONS", "RECEIPT"):
        assert column in [header.strip().upper() for header in headers]
    receipts = page.locator("#result_list td.field-receipt a").all_inner_texts()
    assert f"{scene['partner'].code}#1" in receipts
    assert page.locator(".tag-violation").first.is_visible()
    assert ",no_open_session," not in page.content()
    screenshot(page, "access-events")

    page.goto("/admin/ingestion/enrolmentsession/")
    assert_fits(page, "sessions")
    screenshot(page, "sessions")
    page.goto("/admin/ingestion/accountevent/")
    assert_fits(page, "account events")
    assert "Transfer limit raised" in page.locator("#result_list").inner_text()
    screenshot(page, "account-events")


def test_an_access_page_links_to_its_session_and_receipt(scene, staff, signed_in, screenshot):
    page = signed_in(staff)
    access = AccessEvent.objects.get(client_event_id="field-app-7/2026/00000")

    page.goto(f"/admin/ingestion/accessevent/{access.pk}/change/")
    assert (
        f"{scene['partner'].code} access field-app-7/2026/00000"
        in page.locator("h2").first.inner_text()
    )
    assert "Name, Identity number, Phone, Bank account" in page.content()
    screenshot(page, "access")

    page.click(".field-session a")
    page.wait_for_load_state()
    assert f"/admin/ingestion/enrolmentsession/{scene['session']}/change/" in page.url
    screenshot(page, "its-session")
    page.click(".field-accesses_link a")
    page.wait_for_load_state()
    assert page.locator("#result_list tbody tr").count() == 3

    page.goto(f"/admin/ingestion/accessevent/{access.pk}/change/")
    page.click(".field-receipt a")
    page.wait_for_load_state()
    entry = access.ledger_entry
    assert page.url.endswith(f"/admin/ledger/ledgerentry/{entry.pk}/change/")
    assert "yes, by" in page.locator(".field-signature_verifies").inner_text()
    screenshot(page, "its-receipt")


def test_a_partner_page_with_a_long_name_keeps_its_title_and_documents_in_view(
    scene, staff, signed_in, screenshot
):
    page = signed_in(staff)
    partner = scene["partner"]

    page.goto(reverse("admin:partners_partner_change", args=[partner.pk]))
    title = page.locator("#content > h2").bounding_box()
    for button in page.locator("#content-main > .object-tools li").all():
        box = button.bounding_box()
        overlaps = not (
            box["y"] >= title["y"] + title["height"] or box["y"] + box["height"] <= title["y"]
        )
        assert not overlaps, button.inner_text()
    documents = page.locator(".inline-group", has_text="qualification documents on file")
    module = documents.locator("fieldset").bounding_box()
    table = documents.locator("table").bounding_box()
    assert table["x"] + table["width"] <= module["x"] + module["width"] + 1
    assert_fits(page, "partner page")
    assert "business_licence" not in page.locator("#content-main").inner_text()
    screenshot(page, "partner")


def test_the_registry_lists_fit(scene, staff, signed_in, screenshot):
    page = signed_in(staff)

    page.goto("/admin/partners/authorisation/")
    assert_fits(page, "authorisations")
    headers = " ".join(page.locator("#result_list thead th").all_inner_texts()).upper()
    for column in ("VALID", "HOURS", "DAILY CAPS"):
        assert column in headers
    screenshot(page, "authorisations")

    page.goto("/admin/partners/partner/")
    assert_fits(page, "partners")
    screenshot(page, "partners")


@pytest.fixture
def every_kind_of_row(scene, superuser, approver, staff):
    """Rows for the lists the scene leaves empty: a letter, a personal token, an access
    report, a checkpoint."""
    from auditsvc.base.identities import RESIDENT_ID_SCHEME, resident_identity
    from auditsvc.ledger.checkpoints import checkpoint_sign
    from auditsvc.reports.services import report_produce
    from partners.services.credentials import staff_token_issue
    from partners.services.letters import letter_issue

    letter_issue(scene["partner"].authorisations.get(), actor=approver)
    staff_token_issue(staff, label="laptop of the duty officer", actor=superuser)
    report_produce(resident_identity(RESIDENT_ID_SCHEME, OTHER_RESIDENT_ID), actor=staff)
    checkpoint_sign(scene["partner"].log_id)
    # Alerts about what the scene reported (the alert queue lists them).
    from auditsvc.detection.services import run_detection

    run_detection()


def test_every_list_of_the_service_fits_a_1366_pixel_screen(
    every_kind_of_row, superuser, signed_in, screenshot
):
    page = signed_in(superuser)
    cut_off = []
    for label in registered_models(APPS_UNDER_TEST):
        app_label, model_name = label.split(".")
        page.goto(reverse(f"admin:{app_label}_{model_name}_changelist"))
        assert page.locator("#changelist").count() == 1, label
        screenshot(page, label.replace(".", "-"))
        try:
            assert_fits(page, label)
        except AssertionError:
            cut_off.append(label)
    assert cut_off == []


def test_the_dashboard_shows_activity_with_charts(scene, staff, signed_in, screenshot):
    page = signed_in(staff)  # lands on the dashboard

    panel = page.locator("#dashboard-activity")
    assert panel.is_visible()
    rows = panel.locator("#dashboard-accesses tbody tr")
    assert rows.count() == 2
    assert rows.first.locator("th a").inner_text() == scene["partner"].code
    assert panel.locator("svg.bar-chart").count() >= 3
    assert panel.locator("#dashboard-test-traffic").is_visible()
    assert_fits(page, "dashboard")
    screenshot(page, "dashboard")

    week = int(rows.first.locator("td").nth(1).inner_text())
    rows.first.locator("td a").nth(1).click()  # its 7-day number
    page.wait_for_load_state()
    assert page.locator("#result_list tbody tr").count() == week
    screenshot(page, "dashboard-link")


def test_the_resident_lookup_is_one_click_from_the_dashboard(scene, staff, signed_in, screenshot):
    page = signed_in(staff)

    page.click("#dashboard-activity a:text-is('Resident lookup')")
    page.wait_for_load_state()
    page.fill("#id_identity_number", OTHER_RESIDENT_ID)
    page.click("input[type=submit][value='Look up']")
    page.wait_for_load_state()
    assert "Transfer limit raised" in page.locator("#resident-accounts").inner_text()
    assert OTHER_RESIDENT_ID not in page.content()
    screenshot(page, "lookup")

    page.goto("/admin/")
    page.click(".app-ingestion a:text-is('Resident lookup')")
    page.wait_for_load_state()
    assert page.url.endswith("/admin/ingestion/accessevent/resident-lookup/")


def test_the_ledger_is_searched_by_receipt_and_a_log_leads_to_its_entries(
    scene, auditor, signed_in, screenshot
):
    page = signed_in(auditor)
    code = scene["partner"].code

    page.goto("/admin/ledger/ledgerentry/")
    page.fill("#searchbar", f"{code}#3")
    page.press("#searchbar", "Enter")
    page.wait_for_load_state()
    assert page.locator("#result_list tbody tr").count() == 1
    screenshot(page, "receipt-search")

    page.goto(f"/admin/ledger/log/{code}/change/")
    page.click(".field-links a:text-is('Entries')")
    page.wait_for_load_state()
    assert page.locator("#result_list tbody tr").count() == 50  # one page of them
    screenshot(page, "log-entries")


def test_a_refusal_keeps_the_admin_frame(scene, auditor, signed_in, screenshot):
    page = signed_in(auditor)

    response = page.goto("/admin/partners/partner/add/")
    assert response.status == 403
    assert page.locator("#site-name").is_visible()
    page.click("a:text-is('Back to the dashboard')")
    page.wait_for_load_state()
    assert page.url.endswith("/admin/")


def test_the_lockout_page_has_a_way_back_and_the_favicon(
    roles_after_flush, staff, page, screenshot
):
    for attempt in range(5):
        page.goto("/admin/login/?next=/admin/")
        page.fill("#id_username", "staff")
        page.fill("#id_password", f"guess {attempt}")
        page.click("input[type=submit]")
        page.wait_for_load_state()
    way_back = page.locator("#lockout-way-back")
    assert "Beijing time" in way_back.inner_text()
    screenshot(page, "locked")

    icon = page.locator("link[rel=icon]").get_attribute("href")
    answer = page.request.get(icon)
    assert answer.status == 200 and answer.headers["content-type"].startswith("image/svg+xml")
    way_back.locator("a").click()
    page.wait_for_load_state()
    assert "/admin/login/" in page.url


def test_it_never_asks_the_network_for_anything(scene, staff, live_server, signed_in):
    page = signed_in(staff)
    outside = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url) if not request.url.startswith(live_server.url) else None
        ),
    )
    for url in ("/admin/", "/admin/ingestion/accessevent/", "/admin/partners/partner/"):
        page.goto(url)
        page.wait_for_load_state("networkidle")
    assert outside == []
