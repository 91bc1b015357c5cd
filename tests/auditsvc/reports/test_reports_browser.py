"""Bureau staff produce a resident's access report in a real browser: the page to print."""

from __future__ import annotations

import datetime as dt

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.admin_clients import sign_in_through_the_form
from tests.auditsvc.ingestion.support import ACCESS_URL, RESIDENT, access_event, post

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_staff_produce_a_report_and_print_it(
    roles_after_flush, staff, partner_client, page, screenshot
):
    now = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=10)
    events = [access_event(now, 1), access_event(now, 2, agent="A-0404")]
    assert post(partner_client, ACCESS_URL, {"events": events}).status_code == 201
    sign_in_through_the_form(page, staff, TOTPDevice.objects.create(user=staff, confirmed=True))

    page.goto("/admin/reports/accessreport/add/")
    screenshot(page, "form")
    page.fill("#id_identity_number", RESIDENT)
    page.click("input[type=submit]")
    page.wait_for_load_state()

    assert page.locator("#report-accesses tbody tr").count() == 2
    assert "Agent not registered" in page.locator("#report-accesses").inner_text()
    assert RESIDENT not in page.content()
    assert page.locator("#report-json").get_attribute("download").endswith(".json")
    screenshot(page, "report")
    page.emulate_media(media="print")
    screenshot(page, "report-paper")
