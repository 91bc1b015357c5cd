"""The alert pages in a real browser at 1366x768: queue, alert page, risk summary, dashboard."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.auditsvc.ledger.support import requires_postgres
from tests.auditsvc.site.test_browser_admin_pages import assert_fits

from ..conftest import build_partner
from ..rules.test_volume_spike import history, spike
from ..support import alerts, detect, local, read_many

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True), requires_postgres]


def test_staff_work_through_alerts_in_a_browser(roles_after_flush, approver, signed_in, screenshot):
    today = timezone.localdate()
    ring = build_partner()
    ordinary = build_partner()
    read_many(ring, local(today - dt.timedelta(days=1), 22), range(1, 41))
    history(ordinary, today, lambda i: 3, agent="A-0002")
    spike(ordinary, today, 60, agent="A-0002")
    detect()
    (volume,) = [
        a
        for a in alerts("volume_spike")
        if a.subject_kind == "agent" and a.numbers["period"] == "hour"
    ]

    page = signed_in(approver)
    assert page.locator("#dashboard-alerts").count() == 1
    screenshot(page, "dashboard")

    page.click("#dashboard-alerts caption a")
    page.wait_for_load_state()
    assert "Access without a session" in page.locator("#result_list").inner_text()
    assert_fits(page, "alert queue")
    screenshot(page, "queue")

    page.goto(f"/admin/detection/alert/{volume.pk}/change/")
    assert "Agent A-0002 read 60 identities" in page.locator("#alert-evidence").inner_text()
    assert page.locator("svg.band-chart rect.bar").count() == 15
    assert page.evaluate("document.querySelectorAll('script[src^=\"http\"]').length") == 0
    assert_fits(page, "alert page")
    screenshot(page, "alert")

    page.click("a.records-link")
    page.wait_for_load_state()
    assert "60" in page.locator(".paginator").inner_text()  # all of them, 50 to a page
    page.go_back()

    page.click("text=Take under review")
    page.wait_for_load_state()
    assert "Under review" in page.locator("#alert-page").inner_text()
    page.click("text=Close: open an investigation")
    page.fill("textarea[name=reason]", "Agent far above its usual evening volume; referred.")
    page.click("input[name=_confirm]")
    page.wait_for_load_state()
    assert "Closed, investigation opened" in page.locator("#alert-page").inner_text()

    page.goto("/admin/detection/alert/risk/")
    assert ring.code in page.locator("#risk-partners").inner_text()
    assert_fits(page, "risk summary")
    screenshot(page, "risk")
