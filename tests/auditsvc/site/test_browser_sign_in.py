"""Signing in to the admin in a real browser: password and a one-time code, then the dashboard."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.admin_clients import sign_in_through_the_form

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_staff_sign_in_with_a_second_factor_and_see_the_dashboard(
    roles_after_flush, staff, page, screenshot
):
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)

    sign_in_through_the_form(page, staff, device)

    assert page.url.endswith("/admin/")
    assert page.locator("#user-tools").inner_text().upper().startswith("WELCOME")
    screenshot(page, "dashboard")


def test_a_wrong_code_keeps_the_door_shut(roles_after_flush, staff, page, screenshot):
    TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)

    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", staff.get_username())
    page.fill("#id_password", "correct horse battery staple")
    page.fill("#id_otp_token", "000000")
    page.click("input[type=submit]")

    assert "/admin/login/" in page.url
    assert "correct" in page.locator(".errornote").inner_text()
    screenshot(page, "refused")
