"""shared_device_accounts and shared_phone_accounts: one device or phone behind many residents."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.auditsvc.detection.support import account, alerts, detect, local

RING_PHONE = "9" * 64
RING_DEVICE = "8" * 64


def own(n: int) -> dict:
    """A resident's own phone and device."""
    return {"phone": f"{n:064x}", "device": f"{n + 500:064x}"}


@pytest.mark.parametrize(
    ("residents", "severity"), [(2, None), (3, "high"), (9, "high"), (10, "critical")]
)
def test_one_phone_for_many_residents(platform, yesterday, residents, severity):
    for n in range(1, residents + 1):
        account(platform, local(yesterday, 10, n), n, phone=RING_PHONE, device=own(n)["device"])
    detect("shared_phone_accounts", "shared_device_accounts")
    assert [a.severity for a in alerts("shared_phone_accounts")] == ([severity] if severity else [])
    assert alerts("shared_device_accounts") == []
    if severity:
        (alert,) = alerts("shared_phone_accounts")
        assert (alert.subject_kind, alert.subject_ref) == ("phone", RING_PHONE)


def test_one_device_for_many_residents(platform, yesterday):
    for n in range(1, 4):
        account(platform, local(yesterday, 10, n), n, device=RING_DEVICE, phone=own(n)["phone"])
    detect("shared_device_accounts")
    (alert,) = alerts("shared_device_accounts")
    assert (alert.subject_kind, alert.severity, alert.numbers["residents"]) == ("device", "high", 3)


def test_residents_on_their_own_phones_are_ordinary(platform, yesterday):
    for n in range(1, 30):
        account(platform, local(yesterday, 10, n % 60), n, **own(n))
    detect("shared_phone_accounts", "shared_device_accounts")
    assert alerts() == []


def test_a_week_later_is_another_window(platform, yesterday):
    for n in (1, 2):
        account(platform, local(yesterday - dt.timedelta(days=14), 10), n, phone=RING_PHONE)
    account(platform, local(yesterday, 10), 3, phone=RING_PHONE)
    detect("shared_phone_accounts")
    assert alerts() == []


def test_the_sentence_names_the_days_the_accounts_were_opened(platform, today):
    # Not the whole block of days, which would name days that have not come yet.
    for n in (1, 2, 3):
        account(platform, local(today, 0, n), n, phone=RING_PHONE)
    detect("shared_phone_accounts")
    (alert,) = alerts("shared_phone_accounts")
    assert (alert.numbers["from"], alert.numbers["to"]) == (today.isoformat(), today.isoformat())
    assert alert.window_end - alert.window_start == dt.timedelta(days=7)
