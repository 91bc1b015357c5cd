"""Auditors ask for, follow and download an export in a real browser at 1366x768."""

from __future__ import annotations

import zipfile

import pytest

from auditsvc.exports.bundles import bundle_snapshot
from auditsvc.exports.models import Export
from auditsvc.exports.services import export_run
from tests import needs
from tests.auditsvc.site.test_browser_admin_pages import assert_fits
from tests.conftest import build_vetted_partner

from .support import at, fill_log

# On SQLite something in an export's run puts the ledger's delete triggers back
# before the test's flush (not yet understood); PostgreSQL (CI) runs these.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    needs.postgres("an export's flush on SQLite is refused by the ledger's triggers"),
]

LONG_NAME = (
    "Henan Zhongyuan Rural Digital Medical Insurance Card Enrolment and Activation "
    "Services Co., Ltd. (Dengzhou Branch)"
)


def test_an_auditor_asks_for_a_bundle_follows_it_and_downloads_it(
    roles_after_flush, auditor, signing_key, signed_in, screenshot, tmp_path
):
    partner = build_vetted_partner(legal_name=LONG_NAME)
    fill_log(partner.code, [0, 10, 20, 40])
    page = signed_in(auditor)

    page.goto("/admin/exports/export/add/")
    page.select_option("#id_log", label=f"{LONG_NAME} ({partner.code}, partner)")
    page.fill("#id_range_from", "2026-03-01T16:00")
    page.fill("#id_range_to", "2026-03-01T16:30")
    screenshot(page, "request")
    page.click("input[type=submit]")
    page.wait_for_load_state()

    assert "Ready to download" in page.locator("#export-status").inner_text()
    facts = page.locator("#export-facts").inner_text()
    assert f"{LONG_NAME} ({partner.code})" in facts
    assert "2026-03-01 16:00:00 (Beijing time)" in facts
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    screenshot(page, "done")
    with page.expect_download() as download_info:
        page.click("#export-download")
    bundle = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(bundle)
    assert bundle.name == f"auditsvc-{partner.code}-20260301T080000Z-20260301T083000Z.zip"
    with zipfile.ZipFile(bundle) as archive:
        assert archive.read("entries.jsonl").count(b"\n") == 3

    page.goto("/admin/exports/export/")
    assert_fits(page, "exports")
    row = page.locator("#result_list tbody tr").first.inner_text()
    assert "Ready to download" in row and partner.code in row
    screenshot(page, "list")


def test_an_export_page_follows_the_bundle_until_it_is_ready(
    roles_after_flush, auditor, signing_key, signed_in, screenshot
):
    fill_log("bureau", [0, 10, 20])
    snapshot = bundle_snapshot("bureau")
    # A row as export_request leaves it for a worker (none runs in this test).
    export = Export.objects.create(
        requested_by=auditor,
        log_id="bureau",
        range_from=at(0),
        range_to=at(30),
        tree_size=snapshot.tree_size,
        created_at=snapshot.created_at,
        key_id=snapshot.key_id,
        entry_count=3,
    )
    page = signed_in(auditor)

    page.goto(f"/admin/exports/export/{export.pk}/change/")
    assert "Waiting to start" in page.locator("#export-status").inner_text()
    assert page.locator("#export-progress").count() == 1
    assert page.locator("#export-download").count() == 0
    screenshot(page, "waiting")

    export_run(export.pk)  # the worker's part

    page.wait_for_selector("#export-download", timeout=10_000)  # the page refreshed itself
    assert "Ready to download" in page.locator("#export-status").inner_text()
    screenshot(page, "ready")
