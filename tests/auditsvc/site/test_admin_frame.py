"""The frame of every admin page (issue 8, items 12 and 13): room for the lists, the bureau's
stylesheet and favicon, the resident lookup within reach, a refusal and a lockout that keep
the admin's header and a way back, and a README that names the fields as the form does."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.test import Client

from auditsvc.site.admin_site import BureauAuthenticationForm
from tests import factories
from tests.admin_clients import admin_client_for

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parents[3] / "README.md"
LOOKUP = "/admin/ingestion/accessevent/resident-lookup/"


def test_the_nav_sidebar_is_off_so_lists_get_the_whole_width(as_staff):
    response = as_staff.get("/admin/ingestion/accessevent/")

    assert response.context["is_nav_sidebar_enabled"] is False
    assert 'id="nav-sidebar"' not in response.content.decode()


@pytest.mark.parametrize("url", ["/admin/", "/admin/partners/partner/", "/admin/login/"])
def test_every_admin_page_links_the_bureau_stylesheet_and_favicon(as_staff, url):
    client = as_staff if url != "/admin/login/" else Client()
    content = client.get(url).content.decode()

    assert f'<link rel="stylesheet" href="{static("site/admin.css")}">' in content
    assert f'<link rel="icon" href="{static("site/favicon.svg")}" type="image/svg+xml">' in content


def test_the_stylesheet_and_favicon_are_served_from_the_service():
    for name in ("site/admin.css", "site/favicon.svg"):
        path = finders.find(name)
        assert path, name
        body = Path(path).read_text()
        # Nothing loaded from outside the service (the SVG's namespace is not a request).
        assert not re.search(r"(url\(|href=|src=)\s*[\"']?https?:", body), name
        assert "@import" not in body


def test_the_resident_lookup_is_on_the_index_and_the_dashboard(as_staff, as_auditor):
    for client in (as_staff, as_auditor):
        response = client.get("/admin/")
        [ingestion] = [
            app for app in response.context["app_list"] if app["app_label"] == "ingestion"
        ]
        assert "Resident lookup" in [model["name"] for model in ingestion["models"]]
        content = response.content.decode()
        panel = content[content.index('id="dashboard-activity"') :]
        assert f'href="{LOOKUP}"' in panel
    app_page = as_staff.get("/admin/ingestion/").content.decode()
    assert f'<a href="{LOOKUP}">Resident lookup</a>' in app_page


def test_the_lookup_entry_is_only_for_those_who_may_look_up(db):
    reports_only = factories.UserFactory(username="clerk")
    response = admin_client_for(reports_only).get("/admin/")

    assert LOOKUP not in response.content.decode()


def test_a_refused_page_keeps_the_admin_frame_for_staff(as_auditor):
    # Auditors read; they may not register partners.
    response = as_auditor.get("/admin/partners/partner/add/")

    assert response.status_code == 403
    content = response.content.decode()
    assert "auditsvc — medical-insurance partner audit" in content  # the header
    assert "Not allowed" in content
    assert 'href="/admin/"' in content  # a way back
    assert "security officer" in content


def test_a_refused_page_names_the_bureau_contact_when_set(as_auditor, settings):
    settings.AUDITSVC_STAFF_CONTACT = "IT security desk, ext. 8012"

    content = as_auditor.get("/admin/partners/partner/add/").content.decode()

    assert "IT security desk, ext. 8012" in content


def test_the_lockout_page_leads_back_to_sign_in_and_to_the_contact(staff, settings):
    settings.AUDITSVC_STAFF_CONTACT = "IT security desk, ext. 8012"
    client = Client()
    for _ in range(5):
        response = client.post(
            "/admin/login/",
            {"username": "staff", "password": "wrong", "otp_token": "", "next": "/admin/"},
        )

    assert response.status_code == 429
    content = response.content.decode()
    way_back = content[content.index('id="lockout-way-back"') :]
    assert re.search(r"after \d\d:\d\d \(Beijing time\)", way_back)
    assert "blocked for 30 minutes, until" in " ".join(content.split())
    assert 'href="/admin/login/"' in way_back
    assert "IT security desk, ext. 8012" in content


def test_the_readme_names_the_sign_in_field_as_the_form_does():
    readme = README.read_text()
    label = str(BureauAuthenticationForm.base_fields["otp_token"].label)

    assert label == "One-time code"
    assert f'"{label}" field' in readme
    assert "OTP token" not in readme
