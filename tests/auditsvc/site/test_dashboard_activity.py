"""The dashboard's activity panel (issue 8, item 14): accesses per partner today and in 7 days,
flagged accesses by violation, 14-day charts drawn by the server; live records only; a
bounded number of aggregate queries whatever the number of events."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from auditsvc.site.dashboard import CHART_DAYS, activity
from partners.selectors import local_today
from tests import factories
from tests.admin_clients import admin_client_for
from tests.auditsvc.ingestion.support import ACCESS_URL, access_event, post
from tests.conftest import bearer_client

pytestmark = pytest.mark.django_db

# Days back from now, and how many accesses each partner reported then.
HISTORY = {0: 3, 1: 2, 3: 4, 10: 5, 20: 7}


def report(client, moments: list[dt.datetime], *, prefix: str, **overrides) -> None:
    events = [
        access_event(moment, n, client_event_id=f"{prefix}-{n}", **overrides)
        for n, moment in enumerate(moments)
    ]
    for start in range(0, len(events), 500):
        response = post(client, ACCESS_URL, {"events": events[start : start + 500]})
        assert response.status_code == 201, response.content


def history(now: dt.datetime, *, scale: int = 1) -> list[dt.datetime]:
    return [
        now - dt.timedelta(days=back, minutes=minute)
        for back, count in HISTORY.items()
        for minute in range(count * scale)
    ]


def expected_daily(moments: list[dt.datetime]) -> list[int]:
    today = local_today()
    days = [today - dt.timedelta(days=back) for back in range(CHART_DAYS - 1, -1, -1)]
    local = [timezone.localtime(moment).date() for moment in moments]
    return [local.count(day) for day in days]


@pytest.fixture
def traffic(partner_client, other_partner_client, vetted_partner, now):
    """Two partners' live accesses over three weeks, and some test traffic of the first."""
    moments = history(now)
    report(partner_client, moments, prefix="live")
    report(other_partner_client, [now, now - dt.timedelta(days=2)], prefix="other")
    test_client = bearer_client(factories.issue_partner_key(vetted_partner, test=True))
    report(test_client, [now] * 4, prefix="test")
    return moments


def test_it_counts_each_partners_live_accesses_today_and_in_7_days(
    traffic, vetted_partner, other_partner
):
    panel = activity()

    rows = {row.partner.code: row for row in panel.partners}
    mine = rows[vetted_partner.code]
    assert mine.daily == expected_daily(traffic)
    assert mine.today == expected_daily(traffic)[-1]
    assert mine.week == sum(expected_daily(traffic)[-7:])
    assert rows[other_partner.code].week == 2
    # Test-key records are not counted, only noted.
    assert panel.total_today == mine.today + rows[other_partner.code].today
    assert panel.test_accesses_week == 4


def test_it_counts_flagged_accesses_by_violation(partner_client, vetted_partner, now):
    report(partner_client, [now, now], prefix="night", agent="A-0404")  # unknown agent
    report(partner_client, [now - dt.timedelta(days=2)], prefix="bank", fields=["bank_account"])

    panel = activity()

    kinds = {row.code: row for row in panel.violations}
    assert kinds["agent_unknown"].today == 2
    assert kinds["field_not_permitted"].week == 1
    assert kinds["no_open_session"].week == 3  # none of them had a session
    assert kinds["field_not_permitted"].label == "Field not permitted"
    [mine] = panel.partners
    assert mine.flagged_week == 3


def test_the_index_shows_the_panel_with_charts_drawn_by_the_server(
    as_staff, traffic, vetted_partner
):
    content = as_staff.get("/admin/").content.decode()

    panel = content[content.index('id="dashboard-activity"') :]
    assert "Identity accesses by partner" in panel
    assert "Flagged identity accesses by violation" in panel
    charts = re.findall(r'<svg class="bar-chart".*?</svg>', panel, flags=re.S)
    assert charts
    assert all(chart.count("<rect") == CHART_DAYS for chart in charts)
    assert "<title>" in charts[0]
    assert "<script" not in panel
    assert "Test traffic (not counted)" in panel


def test_its_numbers_link_to_lists_that_show_the_same_records(as_staff, traffic, vetted_partner):
    panel = activity()
    [mine] = [row for row in panel.partners if row.partner == vetted_partner]

    today = as_staff.get(mine.urls["today"]).context["cl"]
    week = as_staff.get(mine.urls["week"]).context["cl"]

    assert today.result_count == mine.today
    assert week.result_count == mine.week
    assert all(not event.test for event in week.result_list)


def test_it_costs_the_same_queries_for_few_or_many_events(
    partner_client, other_partner_client, as_staff, now
):
    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as selector:
            activity()
        as_staff.get("/admin/")  # warm the session and content types
        with CaptureQueriesContext(connection) as page:
            assert as_staff.get("/admin/").status_code == 200
        return len(selector), len(page)

    report(partner_client, history(now), prefix="few")
    few = queries()
    report(partner_client, history(now, scale=8), prefix="many", agent="A-0404")
    report(other_partner_client, history(now, scale=3), prefix="other")
    many = queries()

    assert few == many
    assert few[0] <= 5


def test_only_users_who_may_see_accesses_get_the_panel(traffic, as_staff):
    clerk = factories.UserFactory(username="clerk")  # staff, but in no group
    assert "activity" not in admin_client_for(clerk).get("/admin/").context
    assert as_staff.get("/admin/").context["activity"] is not None
