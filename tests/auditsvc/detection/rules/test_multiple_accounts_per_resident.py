"""multiple_accounts_per_resident: residents given another account within weeks."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.auditsvc.detection.support import account, alerts, detect, local

RULE = "multiple_accounts_per_resident"


@pytest.mark.parametrize(("residents", "fires"), [(1, False), (2, True)])
def test_it_fires_from_two_residents_with_a_second_account(platform, yesterday, residents, fires):
    for n in range(1, residents + 1):
        account(platform, local(yesterday - dt.timedelta(days=10), 10), n)
        account(platform, local(yesterday, 10), n)
    detect(RULE)
    found = alerts(RULE)
    assert bool(found) is fires
    if fires:
        assert found[0].numbers["residents"] == residents
        assert found[0].partner_id == platform.pk


def test_an_account_older_than_the_window_does_not_count(platform, yesterday):
    for n in (1, 2, 3):
        account(platform, local(yesterday - dt.timedelta(days=31), 10), n)
        account(platform, local(yesterday, 10), n)
    detect(RULE)
    assert alerts(RULE) == []


def test_reporting_the_same_account_twice_is_one_account(platform, yesterday):
    for n in (1, 2, 3):
        account(platform, local(yesterday, 10), n, number=f"acct-{n}")
        account(platform, local(yesterday, 11), n, number=f"acct-{n}")
    detect(RULE)
    assert alerts(RULE) == []
