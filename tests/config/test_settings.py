"""Settings fail loudly: a value that cannot be read stops start-up, naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings.env import env_bool, env_document_types, env_rate

ROOT = Path(__file__).resolve().parent.parent.parent
DOCUMENTS = ["business_licence", "staff_list"]


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        *[("1", True), ("true", True), ("Yes", True), (" on ", True)],
        *[("0", False), ("FALSE", False), ("no", False), ("off", False)],
    ],
)
def test_a_boolean_reads_the_usual_words(monkeypatch, raw, value):
    monkeypatch.setenv("AUDITSVC_TEST_FLAG", raw)
    assert env_bool("AUDITSVC_TEST_FLAG", default=not value) is value


def test_an_unset_boolean_takes_its_default(monkeypatch):
    monkeypatch.delenv("AUDITSVC_TEST_FLAG", raising=False)
    assert env_bool("AUDITSVC_TEST_FLAG", default=True) is True


@pytest.mark.parametrize("raw", ["enable", "disable", "ture", "", "2", "y es"])
def test_any_other_boolean_stops_start_up_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv("AUDITSVC_REQUIRE_OTP", raw)
    with pytest.raises(ImproperlyConfigured, match=r"^AUDITSVC_REQUIRE_OTP=.* is not a boolean"):
        env_bool("AUDITSVC_REQUIRE_OTP", default=True)


@pytest.mark.parametrize("raw", ["10/minute", "abc/min", "0/min", "-5/min", "5", "5/min/x", ""])
def test_a_bad_rate_stops_start_up_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv("AUDITSVC_THROTTLE_CREDENTIAL", raw)
    with pytest.raises(ImproperlyConfigured, match=r"^AUDITSVC_THROTTLE_CREDENTIAL: Bad rate"):
        env_rate("AUDITSVC_THROTTLE_CREDENTIAL", default="600/min")


def test_a_good_rate_is_kept_as_written(monkeypatch):
    monkeypatch.setenv("AUDITSVC_THROTTLE_ANON", "30/hour")
    assert env_rate("AUDITSVC_THROTTLE_ANON", default="120/min") == "30/hour"


@pytest.mark.parametrize("raw", ["", ",", "business_licence,passport", "business licence"])
def test_required_documents_must_be_known_types_and_not_none(monkeypatch, raw):
    monkeypatch.setenv("AUDITSVC_REQUIRED_DOCUMENTS", raw)
    with pytest.raises(ImproperlyConfigured, match=r"^AUDITSVC_REQUIRED_DOCUMENTS must list"):
        env_document_types("AUDITSVC_REQUIRED_DOCUMENTS", default=DOCUMENTS)


def test_required_documents_accept_known_types(monkeypatch):
    monkeypatch.setenv("AUDITSVC_REQUIRED_DOCUMENTS", "staff_list, business_licence,staff_list")
    assert env_document_types("AUDITSVC_REQUIRED_DOCUMENTS", default=[]) == [
        "staff_list",
        "business_licence",
    ]


def start_up(code: str = "import django; django.setup()", **variables: str):
    """Load the production settings in a fresh interpreter, as a web process would."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AUDITSVC_", "DJANGO_", "AXES_"))
    }
    env.update(
        DJANGO_SECRET_KEY="a-secret-key-for-this-test-only-0123456789",
        AUDITSVC_PEPPER="a-pepper-for-this-test-0123456789",
        DJANGO_SETTINGS_MODULE="config.settings.base",
        **variables,
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("AUDITSVC_REQUIRE_OTP", "enable"),
        ("DJANGO_SECURE_SSL_REDIRECT", "yes please"),
        ("DJANGO_HSTS_PRELOAD", "maybe"),
        ("DJANGO_DEBUG", "debug"),
        ("AUDITSVC_REQUIRED_DOCUMENTS", ""),
        ("AUDITSVC_THROTTLE_CREDENTIAL", "600/minutes"),
        ("AUDITSVC_THROTTLE_AUTH_FAILURES", "many"),
    ],
)
def test_the_service_does_not_start_with_a_bad_value(variable, value):
    result = start_up(**{variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and variable in result.stderr


@pytest.mark.slow
def test_the_service_starts_with_good_values():
    result = start_up(AUDITSVC_REQUIRE_OTP="on", DJANGO_HSTS_PRELOAD="0")
    assert result.returncode == 0, result.stderr


PRINT_MAIL = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.EMAIL_HOST_USER, "
    "s.EMAIL_HOST_PASSWORD, s.EMAIL_FILE_PATH)"
)


@pytest.mark.slow
def test_the_mail_server_is_given_as_one_address():
    result = start_up(PRINT_MAIL, DJANGO_EMAIL_URL="smtp+tls://alerts:pa%40ss@smtp.example.cn:587")

    assert result.returncode == 0, result.stderr
    backend, host, port, tls, user, password, _ = result.stdout.split()
    assert backend == "django.core.mail.backends.smtp.EmailBackend"
    assert (host, port, tls, user, password) == (
        "smtp.example.cn",
        "587",
        "True",
        "alerts",
        "pa@ss",
    )


@pytest.mark.slow
def test_the_mail_address_and_a_backend_are_not_both_taken():
    result = start_up(
        DJANGO_EMAIL_URL="smtp://smtp.example.cn:25",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
    )

    assert result.returncode != 0
    assert "DJANGO_EMAIL_URL or DJANGO_EMAIL_BACKEND" in result.stderr


@pytest.mark.slow
def test_development_keeps_mail_in_files_under_var():
    # The first `make run` e-mails its critical alerts; on the console they buried the logins.
    result = start_up(PRINT_MAIL, DJANGO_DEBUG="1")

    assert result.returncode == 0, result.stderr
    backend, *_, path = result.stdout.split()
    assert backend == "django.core.mail.backends.filebased.EmailBackend"
    assert Path(path) == ROOT / "var" / "mail"
