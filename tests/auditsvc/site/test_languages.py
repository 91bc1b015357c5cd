"""Languages: Chinese by default, English one click away, the public page follows the browser."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from partners.services.letters import letter_issue
from tests.admin_clients import admin_client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _chinese_installation(settings):
    # A new installation's default (the suite's other tests read English pages).
    settings.LANGUAGE_CODE = "zh-hans"


def html_lang(response) -> str:
    match = re.search(r'<html lang="([^"]+)"', response.content.decode())
    return match.group(1) if match else ""


def test_it_shows_the_admin_in_chinese_even_to_a_browser_that_asks_for_english(staff):
    client = admin_client_for(staff)

    response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")

    assert response.status_code == 200
    assert html_lang(response) == "zh-hans"
    assert response.headers["Content-Language"] == "zh-hans"
    assert "注销" in response.content.decode()  # Django's own "Log out"


def test_it_offers_english_in_the_header_of_every_admin_page_the_sign_in_page_too(staff):
    for client, url in ((Client(), "/admin/login/"), (admin_client_for(staff), "/admin/")):
        page = client.get(url).content.decode()

        switch = re.search(r'<form class="language-switch".*?</form>', page, re.S).group(0)
        assert 'action="/i18n/setlang/"' in switch
        assert re.search(r'name="language" value="en"[^>]*>English</button>', switch, re.S)
        assert 'value="zh-hans"' not in switch


def test_one_click_switches_a_staff_member_to_english_and_back_and_it_is_remembered(staff):
    client = admin_client_for(staff)

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/admin/partners/"})

    assert response.status_code == 302 and response.url == "/admin/partners/"
    cookie = response.cookies["auditsvc_language"]
    assert cookie.value == "en" and int(cookie["max-age"]) >= 300 * 24 * 3600
    page = client.get("/admin/partners/")
    assert html_lang(page) == "en" and "Log out" in page.content.decode()
    assert 'value="zh-hans"' in page.content.decode()

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/admin/"})
    assert html_lang(client.get("/admin/")) == "zh-hans"


def test_the_switch_never_sends_anyone_to_another_site(staff):
    response = admin_client_for(staff).post(
        "/i18n/setlang/", {"language": "en", "next": "https://evil.example/"}
    )

    assert response.status_code == 302 and "evil.example" not in response.url


def test_the_public_letter_page_follows_the_browsers_language(vetted_partner, approver):
    letter = letter_issue(vetted_partner.authorisations.get(), actor=approver)
    url = f"/verify/letters/{letter.number}"

    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").get(url)
    english = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").get(url)
    no_preference = Client().get(url)

    assert chinese.headers["Content-Language"] == "zh-hans"
    assert english.headers["Content-Language"] == "en"
    assert no_preference.headers["Content-Language"] == "zh-hans"


def test_the_apis_problem_titles_follow_the_clients_language_and_codes_do_not():
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-CN").get("/api/v1/no-such-thing")
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/no-such-thing")

    assert chinese.status_code == english.status_code == 404
    assert chinese.json()["code"] == english.json()["code"] == "not_found"
    assert chinese.json()["title"] == "未找到。"
    assert english.json()["title"] == "Not found."


def test_a_batch_refused_in_chinese_keeps_its_field_messages_in_english(partner_key):
    from tests.auditsvc.ingestion.support import ACCESS_URL, access_event, resident
    from tests.conftest import bearer_client

    client = bearer_client(partner_key)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {partner_key}", HTTP_ACCEPT_LANGUAGE="zh-CN")
    bad = access_event(dt.datetime.now(dt.UTC), resident=resident("110105194912310021"))

    response = client.post(ACCESS_URL, {"events": [bad]}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["title"].startswith("请求格式有误")
    assert body["errors"][0]["code"] == "invalid_checksum"
    assert body["errors"][0]["message"] == "The check character does not match."
