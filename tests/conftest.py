"""Shared fixtures: the signing key, the personas (STYLE.md habit 9) and API clients.

Personas: ``staff`` and ``second_staff`` (bureau staff), ``approver`` and
``second_approver`` (bureau staff who may approve), ``auditor`` (read only),
``vetted_partner`` (approved, documents and authorisation in order, agents
A-0001 and A-0002), ``other_partner`` (a second vetted partner, to prove one
partner cannot reach another's data), ``pending_partner`` (applied),
``account_platform``; ``partner_client`` and friends are API clients that
carry the matching key.
"""

from __future__ import annotations

import datetime as dt
import importlib
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import Client
from rest_framework.test import APIClient

import auditsvc.site as auditsvc_site
from auditsvc.core.keys import SigningKey
from auditsvc.ledger.services import append_entries, log_for_update
from partners import choices, roles
from partners.models import VettingDecision

from . import factories, needs
from .admin_clients import admin_client_for
from .browser import (  # noqa: F401  (browser fixtures for every test module)
    _async_unsafe_allowed,
    browser,
    browser_locale,
    page,
    phone_page,
    screenshot,
    signed_in,
)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """With AUDITSVC_REQUIRE_SERVICES=1 (CI), a test skipped for a missing service fails."""
    report = yield
    if report.skipped and needs.required() and isinstance(report.longrepr, tuple):
        reason = report.longrepr[2].removeprefix("Skipped: ")
        if reason.startswith(needs.PREFIX):
            report.outcome = "failed"
            report.longrepr = f"AUDITSVC_REQUIRE_SERVICES=1, but the test was skipped: {reason}"
    return report


@pytest.fixture(scope="session", autouse=True)
def _signing_key_dir(tmp_path_factory):
    """One Ed25519 entry-signing key for the whole run, in a private key directory."""
    key_dir = tmp_path_factory.mktemp("keys")
    key = SigningKey.generate(settings.AUDITSVC_ORIGIN)
    (key_dir / f"{key.key_id}.key").write_text(key.private_string() + "\n")
    (key_dir / f"{key.key_id}.key").chmod(0o600)
    settings.AUDITSVC_KEY_DIR = key_dir
    settings.AUDITSVC_SIGNING_KEY = None
    return key


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def signing_key(_signing_key_dir) -> SigningKey:
    return _signing_key_dir


def uses_database(request) -> bool:
    """Whether the test has database access (a django_db marker or a database fixture)."""
    marker = request.node.get_closest_marker("django_db")
    if marker is not None:
        return True
    return bool(
        {"db", "transactional_db", "live_server", "django_db_reset_sequences"}
        & set(request.fixturenames)
    )


@pytest.fixture(autouse=True)
def _published_signing_key(request, _signing_key_dir):
    """The session key's public half, published as ``auditsvc_keys generate`` would have.

    A loaded key signs only once published (a decision with its own
    bureau-log entry, tested in tests/auditsvc/ledger/test_keys.py); here the
    row alone is written, before the test, so that a test's bureau log holds
    only what the test did.
    """
    if not uses_database(request):
        return
    request.getfixturevalue("db")  # the database helper honours a transactional marker
    from auditsvc.ledger.models import PublishedKey

    key = _signing_key_dir
    PublishedKey.objects.get_or_create(
        key_id=key.key_id,
        defaults={
            "name": key.name,
            "public_key": key.public_key,
            "verifier_key": key.verifier_string(),
            "valid_from": dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
        },
    )


# --- People ---------------------------------------------------------------------


def restore_roles() -> None:
    """Run the site's role migrations' code again (idempotently), in migration order.

    A transactional test's flush empties every table; post_migrate brings the
    permissions back but not the groups. 0001_roles defines ``create_roles``;
    each later role migration of the site app defines ``grant``, which adds
    the permissions of a new feature to the groups.
    """
    migrations = sorted(
        path.stem for path in (Path(auditsvc_site.__file__).parent / "migrations").glob("0*.py")
    )
    for name in migrations:
        module = import_module(f"auditsvc.site.migrations.{name}")
        step = getattr(module, "create_roles", None) or getattr(module, "grant", None)
        if step is not None:
            step(django_apps, None)


@pytest.fixture
def role_groups(db):
    """The role groups and their permissions, as the site's migrations make them."""
    if Group.objects.filter(name__in=roles.ROLES).count() < len(roles.ROLES):
        restore_roles()


@pytest.fixture
def roles_after_flush(transactional_db):
    """The role groups, for a transactional test.

    A transactional test starts from whatever the last one left: its flush
    empties every table, and post_migrate brings back permissions but not the
    groups that the site's role migrations made. Request this before
    any persona so the groups exist again (the migration's code is idempotent).
    """
    restore_roles()


@pytest.fixture
def staff(role_groups):
    return factories.UserFactory(username="staff", groups=[roles.BUREAU_STAFF])


@pytest.fixture
def second_staff(role_groups):
    return factories.UserFactory(username="staff2", groups=[roles.BUREAU_STAFF])


@pytest.fixture
def approver(role_groups):
    return factories.UserFactory(username="approver", groups=[roles.BUREAU_STAFF, roles.APPROVERS])


@pytest.fixture
def second_approver(role_groups):
    return factories.UserFactory(username="approver2", groups=[roles.BUREAU_STAFF, roles.APPROVERS])


@pytest.fixture
def auditor(role_groups):
    return factories.UserFactory(username="auditor", groups=[roles.AUDITORS])


# --- Security officers (grant and remove roles, reset second factors; DESIGN.md "Roles")


@pytest.fixture
def security_officer(role_groups):
    return factories.UserFactory(username="officer", groups=[roles.SECURITY_OFFICERS])


@pytest.fixture
def second_security_officer(role_groups):
    return factories.UserFactory(username="officer2", groups=[roles.SECURITY_OFFICERS])


@pytest.fixture
def as_security_officer(security_officer) -> Client:
    return admin_client_for(security_officer)


@pytest.fixture
def superuser(db):
    return factories.UserFactory(username="root", is_superuser=True)


@pytest.fixture
def as_superuser(superuser) -> Client:
    return admin_client_for(superuser)


@pytest.fixture
def as_staff(staff) -> Client:
    return admin_client_for(staff)


@pytest.fixture
def as_approver(approver) -> Client:
    return admin_client_for(approver)


@pytest.fixture
def as_second_approver(second_approver) -> Client:
    return admin_client_for(second_approver)


@pytest.fixture
def as_auditor(auditor) -> Client:
    return admin_client_for(auditor)


# --- Partners ---------------------------------------------------------------------


def record_approval(partner, *, at: dt.datetime = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)):
    """The VettingDecision that made a factory-built partner approved, long before any test time.

    PartnerScope judges an access by the partner's status at the access time,
    read from this history; a partner with no decisions was only "applied".
    """
    return VettingDecision.objects.create(
        partner=partner,
        actor=factories.UserFactory(username="vetting-history"),
        from_status=choices.PartnerStatus.UNDER_REVIEW,
        to_status=choices.PartnerStatus.APPROVED,
        reason="Approved before the test began.",
        decided_at=at,
    )


def build_vetted_partner(**kwargs):
    """An approved enrolment partner with documents, a current authorisation and two agents."""
    partner = factories.PartnerFactory(status=choices.PartnerStatus.APPROVED, **kwargs)
    record_approval(partner)
    for doc_type in settings.AUDITSVC_REQUIRED_DOCUMENTS:
        factories.DocumentFactory(partner=partner, doc_type=doc_type)
    factories.AuthorisationFactory(
        partner=partner, daily_cap_per_agent=1000, daily_cap_per_partner=5000
    )
    factories.AgentFactory(partner=partner, code="A-0001")
    factories.AgentFactory(partner=partner, code="A-0002")
    return partner


@pytest.fixture
def vetted_partner(db):
    return build_vetted_partner()


@pytest.fixture
def other_partner(db, vetted_partner):
    return build_vetted_partner()


@pytest.fixture
def pending_partner(db):
    return factories.PartnerFactory()


@pytest.fixture
def account_platform(db):
    platform = factories.PartnerFactory(
        kind=choices.PartnerKind.ACCOUNT_PLATFORM, status=choices.PartnerStatus.APPROVED
    )
    record_approval(platform)
    return platform


@pytest.fixture
def relaxed_throttle(settings):
    """Throttle rates no test run reaches (tests share one cache and client address)."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"credential": "100000/min", "anon": "100000/min"},
    }


@pytest.fixture
def append(db):
    """append(log_id, count, kind=..., batch=None) -> entries: bodies {"n": i}."""

    def do(log_id: str, count: int, *, kind: str = "access.recorded", batch: int | None = None):
        entries = []
        batch = batch or count or 1
        for start in range(0, count, batch):
            with transaction.atomic():
                log = log_for_update(log_id)
                entries += append_entries(
                    log, [(kind, {"n": n}) for n in range(start, min(count, start + batch))]
                )
        return entries

    return do


# --- API clients -----------------------------------------------------------------------


def bearer_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def partner_key(vetted_partner) -> str:
    return factories.issue_partner_key(vetted_partner)


@pytest.fixture
def partner_client(partner_key) -> APIClient:
    return bearer_client(partner_key)


@pytest.fixture
def other_partner_client(other_partner) -> APIClient:
    return bearer_client(factories.issue_partner_key(other_partner))


@pytest.fixture
def platform_client(account_platform) -> APIClient:
    return bearer_client(factories.issue_partner_key(account_platform))


@pytest.fixture
def auditor_client(auditor) -> APIClient:
    return bearer_client(factories.issue_test_token(auditor))


@pytest.fixture
def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _ledger_deletable_for_flush_on_sqlite(request):
    """SQLite's flush is DELETE FROM, which the ledger's row triggers refuse.

    The triggers are dropped for a transactional test (browser tests, workers)
    and put back, as the migration writes them, after its flush. Tests of the
    triggers themselves use the ordinary ``db`` fixture and keep them.
    """
    from django.db import connections

    append_only = importlib.import_module("auditsvc.ledger.migrations.0002_append_only")
    blocker = request.getfixturevalue("django_db_blocker")
    request.getfixturevalue("django_db_setup")
    with blocker.unblock(), connections["default"].cursor() as cursor:
        for table in append_only.TABLES:
            for op in ("update", "delete"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op}")
    try:
        yield
    finally:
        with blocker.unblock(), connections["default"].cursor() as cursor:
            for table in append_only.TABLES:
                for statement in append_only._sqlite_sql(table):
                    cursor.execute(statement)


@pytest.fixture(autouse=True)
def _ledger_truncate_allowed_for_flush(request):
    """Let a transactional test's flush TRUNCATE the ledger tables on PostgreSQL.

    Migration auditsvc 0006 refuses TRUNCATE of the ledger unless the session
    sets auditsvc.allow_truncate; the flush after a transactional test needs
    it. Session level (not SET LOCAL) so it lasts into the flush; set again on
    a reconnection and at teardown, in case the test closed the connection.
    """
    from pytest_django.fixtures import validate_django_db

    marker = request.node.get_closest_marker("django_db")
    by_marker = marker is not None and any(validate_django_db(marker)[:2])
    by_fixture = {"transactional_db", "live_server", "django_db_reset_sequences"} & set(
        request.fixturenames
    )
    if not (by_marker or by_fixture):
        yield
        return
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        yield from _ledger_deletable_for_flush_on_sqlite(request)
        return
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        yield
        return
    from django.db import connections
    from django.db.backends.signals import connection_created

    def allow(connection, **kwargs):
        if connection.alias == "default":
            with connection.cursor() as cursor:
                cursor.execute("SET auditsvc.allow_truncate = 'on'")

    request.getfixturevalue("django_db_setup")
    blocker = request.getfixturevalue("django_db_blocker")
    with blocker.unblock():
        allow(connections["default"])
    connection_created.connect(allow)
    try:
        yield
    finally:
        connection_created.disconnect(allow)
        with blocker.unblock():
            allow(connections["default"])


def pytest_collection_modifyitems(config, items) -> None:
    """On SQLite, skip tests that run a live server before any of their fixtures run.

    The live server's flush is SQLite's DELETE FROM, which the ledger's
    append-only triggers refuse once a test has written to the ledger; CI runs
    these tests on PostgreSQL (AUDITSVC_REQUIRE_SERVICES turns this skip into a failure).
    """
    if needs.is_postgres():
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: a live server's flush of the ledger")
    for item in items:
        if "live_server" in getattr(item, "fixturenames", ()):
            item.add_marker(skip)
