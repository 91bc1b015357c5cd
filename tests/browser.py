"""Browser tests: Debian's Chromium driven by Playwright, against a live server.

Fixtures (loaded by tests/conftest.py):

- ``browser``: a headless Chromium for one test (``/usr/bin/chromium``, or
  ``AUDITSVC_CHROMIUM``); per test, because Playwright keeps an event loop
  running in the thread, and Django's ORM refuses to run beside one in any
  later test of the same process. Missing Chromium skips the test with a "needs
  chromium" reason, which CI (``AUDITSVC_REQUIRE_SERVICES=1``) turns into a failure.
- ``page``: a fresh browser context at 1366x768 (an ordinary office screen),
  on ``live_server`` (pytest-django's, a real HTTP server on a transactional
  database). ``phone_page``: the same at a cheap phone's 360x640.
- ``screenshot(page, name)``: saves ``var/screenshots/<test>-<name>.png`` and
  returns the path; the suite's output keeps every screenshot there.
- ``signed_in(user)``: a page of a fresh 1366x768 context, signed in through the
  real form with a TOTP code (a device is made for the user); ``messages_on(page)``:
  the text of the admin's messages on a page.

Playwright's sync API runs an event loop, and Django refuses ORM calls from a
thread with a loop unless told otherwise: the fixtures set
``DJANGO_ALLOW_ASYNC_UNSAFE`` for the browser tests only, before the browser
starts.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import needs

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "var" / "screenshots"
CHROMIUM = os.environ.get("AUDITSVC_CHROMIUM", "/usr/bin/chromium")
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 360, "height": 640}
# The flags that keep Chromium from reaching out to the network it cannot have here.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
]


@pytest.fixture
def browser(_async_unsafe_allowed) -> Iterator:
    if not needs.is_postgres():
        # The live server's flush on SQLite meets the ledger's append-only
        # triggers once a test has signed anything; CI runs these on PostgreSQL.
        pytest.skip("needs PostgreSQL: a browser test's live server and flush")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(f"needs chromium: no browser at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def _async_unsafe_allowed(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@contextlib.contextmanager
def _new_page(browser, live_server, viewport: dict, locale: str) -> Iterator:
    context = browser.new_context(
        viewport=viewport, base_url=live_server.url, locale=locale, ignore_https_errors=True
    )
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def browser_locale() -> str:
    """The language the browser asks for (override in a test module or with parametrize)."""
    return "en-GB"


@pytest.fixture
def page(browser, live_server, browser_locale):
    """A page at 1366x768, an ordinary office screen."""
    with _new_page(browser, live_server, DESKTOP, browser_locale) as opened:
        yield opened


@pytest.fixture
def phone_page(browser, live_server, browser_locale):
    """A page at 360x640, a cheap phone's screen."""
    with _new_page(browser, live_server, PHONE, browser_locale) as opened:
        yield opened


@pytest.fixture
def screenshot(request):
    """``screenshot(page, name)`` saves a full-page PNG under var/screenshots/ and returns it."""
    test = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)

    def take(page, name: str, *, full_page: bool = True) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{test}-{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


@pytest.fixture
def signed_in(browser, live_server):
    """signed_in(user) -> a page of a fresh browser context, signed in with a TOTP code."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .admin_clients import sign_in_through_the_form

    contexts = []

    def sign_in(user):
        context = browser.new_context(viewport=DESKTOP, base_url=live_server.url, locale="en-GB")
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
        sign_in_through_the_form(page, user, device)
        assert page.url.endswith("/admin/"), page.url
        return page

    yield sign_in
    for context in contexts:
        context.close()


def messages_on(page) -> str:
    """The admin's messages on ``page`` ("" when there are none)."""
    return (
        page.locator("ul.messagelist").inner_text()
        if page.locator("ul.messagelist").count()
        else ""
    )
