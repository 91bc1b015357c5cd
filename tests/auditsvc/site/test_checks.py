"""The deploy checks auditsvc.W002 (second factor off) and W003 (no public address), and
check --deploy as production runs it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.checks import run_checks

from tests import needs

ROOT = Path(__file__).resolve().parents[3]
# The deploy checks include the ledger's, which asks the database about its role.
pytestmark = pytest.mark.django_db


def w002(messages) -> list:
    return [message for message in messages if message.id == "auditsvc.W002"]


def test_it_warns_at_deploy_when_the_second_factor_is_off(settings):
    settings.AUDITSVC_REQUIRE_OTP = False
    [warning] = w002(run_checks(tags=["security"], include_deployment_checks=True))
    assert "AUDITSVC_REQUIRE_OTP" in warning.msg and "password alone" in warning.msg


def test_it_says_nothing_when_the_second_factor_is_on(settings):
    settings.AUDITSVC_REQUIRE_OTP = True
    assert w002(run_checks(tags=["security"], include_deployment_checks=True)) == []


def test_it_is_a_deploy_check_only(settings):
    settings.AUDITSVC_REQUIRE_OTP = False
    assert w002(run_checks(tags=["security"])) == []


def w003(messages) -> list:
    return [message for message in messages if message.id == "auditsvc.W003"]


def test_it_warns_at_deploy_when_the_public_address_is_not_set(settings):
    settings.AUDITSVC_PUBLIC_URL = ""
    [warning] = w003(run_checks(include_deployment_checks=True))
    assert "AUDITSVC_PUBLIC_URL" in warning.msg and "e-mails" in warning.msg
    assert w003(run_checks()) == [], "a deploy check only"


def test_it_says_nothing_once_the_public_address_is_set(settings):
    settings.AUDITSVC_PUBLIC_URL = "https://audit.ybj.example"
    assert w003(run_checks(include_deployment_checks=True)) == []


def database_url() -> str:
    db = django_settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.slow
@needs.postgres("check --deploy connects as the superuser the issue names")
def test_check_deploy_with_production_settings_warns_only_of_the_superuser_role():
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AUDITSVC_", "DJANGO_", "AXES_", "REDIS_URL"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="check-deploy-" + "x" * 50,
        AUDITSVC_PEPPER="check-deploy-pepper-0123456789",
        DJANGO_ALLOWED_HOSTS="audit.ybj.example",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://audit.ybj.example",
        AUDITSVC_PUBLIC_URL="https://audit.ybj.example",
        DATABASE_URL=database_url(),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    ids = sorted(set(re.findall(r"^\S*: \(([a-z_]+\.[A-Z]\d+)\)", output, re.MULTILINE)))
    assert ids == ["auditsvc.W001"], output
