"""The service in Chinese, in a real browser: no English of the project's own on any page.

A new installation speaks Simplified Chinese (LANGUAGE_CODE "zh-hans"); the browser asks
for Chinese too (zh-CN), as a bureau PC does. The walk covers the dashboard, a partner's
page, a vetting decision's page, the access events and one of them, a letter and its
printed form, and the public check page; each page's visible text, once codes, numbers
and the names the test gave its data are taken out, must hold no Latin word, and no
English message of the catalogue. Then the switch in the header is clicked once: the
pages are in English, and stay so. Screenshots of both languages go to var/screenshots/.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from django.urls import reverse

from auditsvc.ingestion.models import AccessEvent
from partners.models import Agent, VettingDecision
from partners.services.letters import letter_issue
from tests import factories
from tests.auditsvc.ingestion.support import (
    ACCESS_URL,
    SESSIONS_URL,
    access_event,
    post,
    session_body,
)
from tests.conftest import bearer_client, build_vetted_partner
from tests.po import read_po

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CATALOGUE = Path(__file__).resolve().parents[3] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

#: Latin words a Chinese page may show: codes, standards and product names, never prose.
ALLOWED_WORDS = {
    "auditsvc", "API", "JSON", "PDF", "SHA", "RFC", "Ed25519", "base64", "QR", "ID", "URI",
    "App", "Bearer", "Authorization", "HTTPS", "bureau", "Asia", "Shanghai", "hex", "JS",
    "PIPL", "XXXX", "English", "KB", "MB", "GB", "KEY", "BUNDLE",
}  # fmt: skip
#: Codes and values: partner, agent and log codes, references, hashes, dates, numbers.
CODE = re.compile(
    r"--[\w-]+|\b(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[A-Z]{1,4}-?\d[\w-]*|[0-9A-Z]{4}(?:-[0-9A-Z]{4}){3}|[0-9a-f]{8,}|"
    r"[A-Za-z0-9+/]{20,}={0,2}|\d[\d:.,/-]*|[\w.+-]+@[\w.-]+|https?://\S+|\S+#\d+|"
    r"[a-z]+(?:[._][a-z]+)+|[A-Za-z]+\d+[A-Za-z\d]*|[a-z]+-\d[\w-]*|ask_[\w-]+|auditsvc-verify|\S+/\S+|\S+\.(?:md|txt|zip|json|pyz))\b"
)
#: Collects the visible text of a page and the words of its buttons and tooltips.
VISIBLE_TEXT = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!element || element.closest("script, style, code, pre, svg, time")) continue;
    if (!element.getClientRects().length) continue;
    const text = node.textContent.trim();
    if (text) out.push(text);
  }
  for (const element of document.querySelectorAll("[title], input[type=submit], [placeholder]")) {
    if (!element.getClientRects().length || element.closest("code, time")) continue;
    const submit = element.tagName === "INPUT" ? element.value : "";
    for (const value of [element.title, element.placeholder, submit]) {
      if (value && value.trim()) out.push(value.trim());
    }
  }
  return out;
}"""

LEGAL_NAME = "邓州市惠民数字科技有限公司"
PENDING_NAME = "南阳市便民信息服务有限公司"


def english_messages() -> list[str]:
    """The catalogue's English messages of two words or more, as their fixed text."""
    out = []
    for entry in read_po(CATALOGUE):
        for fragment in re.split(r"%\(\w+\)[sd]|<[^>]+>", entry["msgid"]):
            fragment = fragment.strip(" .,:;()“”")
            if len(fragment.split()) >= 2:
                out.append(fragment)
    return out


def leftover_english(page, *, names: set[str]) -> list[str]:
    """Visible text that is still English once codes, allowed words and names are out."""
    found = []
    messages = english_messages()
    for text in page.evaluate(VISIBLE_TEXT):
        # Codes and paths first: a user called "auditor" must not cut docs/auditors.md.
        rest = CODE.sub(" ", text)
        for name in sorted(names, key=len, reverse=True):
            rest = rest.replace(name, " ")
        words = [w for w in re.findall(r"[A-Za-z][A-Za-z'-]+", rest) if w not in ALLOWED_WORDS]
        if words:
            found.append(text)
    for text in page.evaluate(VISIBLE_TEXT):
        found += [f"{message!r} in {text!r}" for message in messages if message in text]
    return sorted(set(found))


@pytest.fixture
def browser_locale() -> str:
    return "zh-CN"


@pytest.fixture
def chinese(settings):
    settings.LANGUAGE_CODE = "zh-hans"
    # The bureau's name is the installation's to set (AUDITSVC_BUREAU_NAME), in its language.
    settings.AUDITSVC_BUREAU_NAME = "邓州市医疗保障局"


@pytest.fixture
def scene(chinese, roles_after_flush, approver, now):
    """A vetted partner with Chinese names, its accesses (some flagged), a letter, and a
    partner waiting for review."""
    partner = build_vetted_partner(
        legal_name=LEGAL_NAME, contact_name="李伟", dpo_name="王芳", address="河南省邓州市人民路1号"
    )
    for agent, name in zip(
        Agent.objects.filter(partner=partner).order_by("code"), ("张伟", "刘洋"), strict=True
    ):
        Agent.objects.filter(pk=agent.pk).update(name=name)
    VettingDecision.objects.filter(partner=partner).update(reason="资质文件齐全。")
    pending = factories.PartnerFactory(
        legal_name=PENDING_NAME, contact_name="赵敏", dpo_name="孙丽", address="河南省南阳市卧龙区"
    )
    client = bearer_client(factories.issue_partner_key(partner))
    session = post(client, SESSIONS_URL, session_body(now - dt.timedelta(minutes=30))).json()
    events = [
        access_event(
            now - dt.timedelta(days=n % 5, minutes=n),
            n,
            session=session["id"] if n < 2 else None,
            agent=("A-0001", "A-0002", "A-0404")[n % 3],
            fields=["name", "id_number"] + (["bank_account"] if n % 4 == 0 else []),
        )
        for n in range(12)
    ]
    assert post(client, ACCESS_URL, {"events": events}).status_code == 201
    letter = letter_issue(partner.authorisations.get(), actor=approver)
    return {"partner": partner, "pending": pending, "letter": letter, "session": session["id"]}


def test_every_page_speaks_chinese_and_one_click_switches_to_english(
    scene, approver, signed_in, page, screenshot
):
    partner, pending, letter = scene["partner"], scene["pending"], scene["letter"]
    names = {
        LEGAL_NAME, PENDING_NAME, approver.username, "vetting-history", partner.uscc,
        pending.uscc, "partner software", "phone", *Agent.objects.values_list("name", flat=True),
    }  # fmt: skip
    admin = signed_in(approver)
    access = AccessEvent.objects.filter(partner=partner).exclude(violations="").first()
    walk = [
        ("dashboard", "/admin/"),
        ("partner", reverse("admin:partners_partner_change", args=[partner.pk])),
        ("partners", reverse("admin:partners_partner_changelist")),
        (
            "vetting",
            reverse("admin:partners_partner_transition", args=[pending.pk, "under_review"]),
        ),
        ("access-events", reverse("admin:ingestion_accessevent_changelist")),
        ("access-event", reverse("admin:ingestion_accessevent_change", args=[access.pk])),
        ("session", reverse("admin:ingestion_enrolmentsession_change", args=[scene["session"]])),
        ("letter", reverse("admin:partners_letter_change", args=[letter.pk])),
        ("letter-print", reverse("admin:partners_letter_print", args=[letter.pk])),
        ("letters", reverse("admin:partners_letter_changelist")),
        ("authorisations", reverse("admin:partners_authorisation_changelist")),
        ("agents", reverse("admin:partners_agent_changelist")),
        ("api-keys", reverse("admin:partners_apicredential_changelist")),
        ("issue-api-key", reverse("admin:partners_apicredential_add")),
        ("sessions", reverse("admin:ingestion_enrolmentsession_changelist")),
        ("resident-lookup", reverse("admin:ingestion_resident_lookup")),
        ("reports", reverse("admin:reports_accessreport_changelist")),
        ("produce-report", reverse("admin:reports_accessreport_add")),
        ("ledger-entries", reverse("admin:ledger_ledgerentry_changelist")),
        ("two-factor", reverse("admin:two_factor")),
    ]
    problems = {}
    for name, url in walk:
        response = admin.goto(url)
        assert response.status == 200, (name, url, response.status)
        assert admin.locator("html").get_attribute("lang") == "zh-hans", name
        screenshot(admin, f"zh-{name}")
        if leftover := leftover_english(admin, names=names):
            problems[name] = leftover

    # A page the approver's roles do not open: the refusal, in the admin's frame.
    response = admin.goto(reverse("admin:site_staffaccount_changelist"))
    assert response.status == 403
    screenshot(admin, "zh-not-allowed")
    if leftover := leftover_english(admin, names=names):
        problems["not-allowed"] = leftover

    page.goto("/admin/login/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    # The sign-in box is narrow: the switch once covered the end of the Chinese title.
    title, switch = (page.locator(s).bounding_box() for s in ("#site-name", ".language-switch"))
    assert switch["y"] >= title["y"] + title["height"], "the language switch covers the title"
    screenshot(page, "zh-sign-in")
    if leftover := leftover_english(page, names=names):
        problems["sign-in"] = leftover

    page.goto(f"/verify/letters/{letter.number}")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "有效" in page.locator("#verdict").inner_text()
    screenshot(page, "zh-public-letter")
    if leftover := leftover_english(page, names=names):
        problems["public-letter"] = leftover

    assert problems == {}, json.dumps(problems, ensure_ascii=False, indent=1)

    # One click on the switch in the header: English, remembered on the next page.
    admin.goto("/admin/")
    admin.locator(".language-switch button[value=en]").click()
    admin.wait_for_load_state()
    assert admin.locator("html").get_attribute("lang") == "en"
    assert "Bureau dashboard" in admin.locator("#content").inner_text()
    screenshot(admin, "en-dashboard")
    admin.goto(reverse("admin:partners_partner_change", args=[partner.pk]))
    assert admin.locator("html").get_attribute("lang") == "en"
    assert "Vetting" in admin.locator("#content").inner_text()
    assert admin.locator(".language-switch button[value=zh-hans]").inner_text() == "简体中文"
    screenshot(admin, "en-partner")


def test_the_alert_queue_an_alert_and_the_export_pages_speak_chinese(
    chinese, roles_after_flush, approver, auditor, signing_key, signed_in, screenshot
):
    from tests.auditsvc.detection.support import alerts, detect, local, read_many
    from tests.auditsvc.exports.support import fill_log

    partner = build_vetted_partner(legal_name=LEGAL_NAME)
    # Forty residents read one evening with no open session: an alert the rules must raise.
    yesterday = dt.date.today() - dt.timedelta(days=1)
    read_many(partner, local(yesterday, 22), range(1, 41))
    detect()
    alert = next(iter(alerts("access_without_session")))
    fill_log("bureau", [0, 10, 20])
    names = {LEGAL_NAME, approver.username, auditor.username, partner.uscc}

    problems = {}
    staff = signed_in(approver)
    for name, url in [
        ("dashboard-alerts", "/admin/"),
        ("alert-queue", reverse("admin:detection_alert_changelist")),
        ("alert", reverse("admin:detection_alert_change", args=[alert.pk])),
        ("risk", "/admin/detection/alert/risk/"),
    ]:
        response = staff.goto(url)
        assert response.status == 200, (name, url, response.status)
        screenshot(staff, f"zh-{name}")
        if leftover := leftover_english(staff, names=names):
            problems[name] = leftover

    reader = signed_in(auditor)
    reader.goto(reverse("admin:exports_export_add"))
    screenshot(reader, "zh-export-request")
    if leftover := leftover_english(reader, names=names):
        problems["export-request"] = leftover
    reader.select_option("#id_log", value="bureau")
    reader.fill("#id_range_from", "2026-03-01T16:00")
    reader.fill("#id_range_to", "2026-03-01T16:30")
    reader.click("input[type=submit]")
    reader.wait_for_load_state()
    assert reader.locator("#export-status").count() == 1
    screenshot(reader, "zh-export")
    if leftover := leftover_english(reader, names=names):
        problems["export"] = leftover
    reader.goto(reverse("admin:exports_export_changelist"))
    screenshot(reader, "zh-exports")
    if leftover := leftover_english(reader, names=names):
        problems["exports"] = leftover

    assert problems == {}, json.dumps(problems, ensure_ascii=False, indent=1)
