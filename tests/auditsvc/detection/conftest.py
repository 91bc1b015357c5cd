"""Fixtures of the detection tests: partners authorised long enough for 28-day baselines."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from partners import choices
from tests import factories
from tests.conftest import record_approval


def build_partner(**kwargs):
    """An approved enrolment partner, authorised for a year back, agents A-0001..A-0003."""
    partner = factories.PartnerFactory(status=choices.PartnerStatus.APPROVED, **kwargs)
    record_approval(partner)
    for doc_type in settings.AUDITSVC_REQUIRED_DOCUMENTS:
        factories.DocumentFactory(partner=partner, doc_type=doc_type)
    factories.AuthorisationFactory(
        partner=partner,
        valid_from=dt.date.today() - dt.timedelta(days=400),
        daily_cap_per_agent=100_000,
        daily_cap_per_partner=1_000_000,
    )
    for code in ("A-0001", "A-0002", "A-0003"):
        factories.AgentFactory(partner=partner, code=code)
    return partner


@pytest.fixture
def partner(db):
    return build_partner()


@pytest.fixture
def second_partner(db, partner):
    return build_partner()


@pytest.fixture
def platform(db):
    platform = factories.PartnerFactory(
        kind=choices.PartnerKind.ACCOUNT_PLATFORM, status=choices.PartnerStatus.APPROVED
    )
    record_approval(platform)
    return platform


@pytest.fixture
def today() -> dt.date:
    """Today in Asia/Shanghai."""
    return timezone.localdate()


@pytest.fixture
def yesterday(today) -> dt.date:
    return today - dt.timedelta(days=1)
