"""A new API key is shown once, on its own page after a redirect: a reload issues nothing.

The key waits in the cache (Redis in production, local memory on the
embedded default) under a one-time token; both are tried here.
"""

from __future__ import annotations

import re
import socket

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.templatetags.static import static
from django.urls import reverse

from auditsvc.ledger.models import LedgerEntry
from partners.kinds import RegistryKind
from partners.models import ApiCredential
from tests import needs
from tests.admin_clients import admin_client_for

pytestmark = pytest.mark.django_db

ADD = "admin:partners_apicredential_add"
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture(params=["locmem", "redis"])
def cache_backend(request, settings):
    """Each cache the service runs on: local memory (embedded default) and Redis."""
    if request.param == "locmem":
        settings.CACHES = LOCMEM
    elif not needs.has_redis():
        pytest.skip(f"{needs.PREFIX}Redis (set REDIS_URL): the production cache")
    else:
        assert django_settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    return request.param


def issue(client, partner, label: str = "field app v3"):
    return client.post(reverse(ADD), {"partner": partner.pk, "label": label})


def issued_keys() -> int:
    return LedgerEntry.objects.filter(kind=RegistryKind.CREDENTIAL_ISSUED).count()


def test_a_reload_of_the_key_page_issues_nothing_and_shows_no_key(
    cache_backend, as_staff, vetted_partner
):
    posted = issue(as_staff, vetted_partner)
    assert posted.status_code == 302
    page_url = posted["Location"]

    first = as_staff.get(page_url)
    key = first.context["secret"]
    assert first.status_code == 200 and key.startswith("ask_")
    assert key in first.content.decode()

    again = as_staff.get(page_url)  # a reload
    content = again.content.decode()
    assert again.status_code == 410
    assert again.context["secret"] is None
    assert key not in content and not re.search(r"ask_[A-Za-z0-9_-]{20,}", content)
    assert "already shown" in content
    assert "no-store" in again["Cache-Control"]
    assert ApiCredential.objects.filter(partner=vetted_partner, label="field app v3").count() == 1
    assert issued_keys() == 1


def test_the_key_is_never_in_the_session(cache_backend, as_staff, vetted_partner):
    posted = issue(as_staff, vetted_partner)
    key = as_staff.get(posted["Location"]).context["secret"]
    for session in Session.objects.all():
        assert key not in str(session.get_decoded())
        assert key not in session.session_data


def test_only_the_issuer_sees_the_key_and_a_stranger_does_not_use_it_up(
    cache_backend, as_staff, second_staff, vetted_partner
):
    posted = issue(as_staff, vetted_partner)

    stranger = admin_client_for(second_staff).get(posted["Location"])
    assert stranger.status_code == 410 and stranger.context["secret"] is None

    assert as_staff.get(posted["Location"]).context["secret"].startswith("ask_")


def test_a_made_up_token_shows_nothing(cache_backend, as_staff, vetted_partner):
    posted = issue(as_staff, vetted_partner)
    forged = posted["Location"].rsplit("/", 2)[0] + "/not-the-token/"
    assert as_staff.get(forged).status_code == 410
    assert as_staff.get(posted["Location"]).status_code == 200


def test_it_issues_nothing_when_the_cache_cannot_carry_the_key(settings, as_staff, vetted_partner):
    with socket.socket() as sock:  # a port where nothing listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }

    response = issue(as_staff, vetted_partner)

    assert response.status_code == 200  # the form again, with the reason
    assert "[cache_unavailable]" in response.content.decode()
    assert not ApiCredential.objects.filter(label="field app v3").exists()
    assert issued_keys() == 0


def test_the_page_has_a_copy_button_served_as_a_static_file(
    cache_backend, as_staff, vetted_partner
):
    page = as_staff.get(issue(as_staff, vetted_partner)["Location"]).content.decode()
    assert 'data-copy-from="issued-secret"' in page
    assert f'src="{static("partners/copy_secret.js")}"' in page
    # No inline script of ours: a Content-Security-Policy of 'self' allows the page as it is.
    inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert inline == [] or all('type="application/json"' in s for s in inline)
