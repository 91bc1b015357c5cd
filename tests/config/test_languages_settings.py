"""The installation's language: Simplified Chinese unless DJANGO_LANGUAGE_CODE says otherwise."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

I18N = Path(__file__).resolve().parents[2] / "config" / "settings" / "i18n.py"


def read(monkeypatch, value: str | None) -> dict:
    if value is None:
        monkeypatch.delenv("DJANGO_LANGUAGE_CODE", raising=False)
    else:
        monkeypatch.setenv("DJANGO_LANGUAGE_CODE", value)
    return runpy.run_path(str(I18N))


def test_a_new_installation_speaks_simplified_chinese(monkeypatch):
    settings = read(monkeypatch, None)

    assert settings["LANGUAGE_CODE"] == "zh-hans"
    assert [code for code, _name in settings["LANGUAGES"]] == ["zh-hans", "en"]
    assert settings["LOCALE_PATHS"][0].name == "locale"


def test_english_may_be_the_default_instead(monkeypatch):
    assert read(monkeypatch, " EN ")["LANGUAGE_CODE"] == "en"


@pytest.mark.parametrize("value", ["zh-cn", "fr", ""])
def test_a_language_the_service_does_not_speak_stops_start_up(monkeypatch, value):
    with pytest.raises(ImproperlyConfigured, match="DJANGO_LANGUAGE_CODE"):
        read(monkeypatch, value)


def test_the_middleware_comes_after_the_session_and_before_common(settings):
    middleware = settings.MIDDLEWARE
    locale = middleware.index("auditsvc.site.locale.BureauLocaleMiddleware")

    assert middleware.index("django.contrib.sessions.middleware.SessionMiddleware") < locale
    assert locale < middleware.index("django.middleware.common.CommonMiddleware")
