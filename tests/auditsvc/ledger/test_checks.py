"""The deploy check auditsvc.W001: the application's database role cannot undo the triggers."""

from __future__ import annotations

import uuid

import pytest
from django.core.checks import run_checks
from django.db import connection, connections

from auditsvc.ledger.checks import LEDGER_TABLES, ledger_role_messages
from tests import needs
from tests.needs import is_postgres

pytestmark = pytest.mark.django_db

requires_postgres = needs.postgres("only PostgreSQL has roles")


@pytest.fixture
def become(db):
    """become(*grants) -> role: SET LOCAL ROLE to a new role, rolled back with the test.

    Each grant is SQL run before switching with {role} filled in. Roles are
    shared by the whole server: a random name keeps concurrent runs apart.
    """

    def do(*grants: str) -> str:
        role = f"auditsvc_test_{uuid.uuid4().hex[:12]}"
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE ROLE {role} NOSUPERUSER NOLOGIN")
            cursor.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
            for grant in grants:
                cursor.execute(grant.format(role=role))
            cursor.execute(f"SET LOCAL ROLE {role}")
        return role

    return do


def app_grants() -> list[str]:
    return [
        f"GRANT SELECT, INSERT, UPDATE ON {table} TO {{role}}"
        for table in ("ledger_log", *LEDGER_TABLES)
    ]


def w001(messages) -> list:
    return [message for message in messages if message.id == "auditsvc.W001"]


@requires_postgres
def test_it_warns_when_the_app_connects_as_a_superuser(db):
    # The test database is reached as the postgres superuser.
    [warning] = w001(run_checks(include_deployment_checks=True))

    assert "is a superuser" in warning.msg
    assert "owns no table" in warning.hint
    assert "SELECT, INSERT and UPDATE" in warning.hint


def test_it_runs_only_with_deploy(db):
    assert w001(run_checks()) == []


@requires_postgres
def test_it_is_quiet_for_a_role_with_only_select_insert_and_update(become):
    become(*app_grants())

    assert ledger_role_messages(connection) == []


@requires_postgres
def test_it_warns_when_the_role_owns_a_ledger_table(become):
    become(*app_grants(), "ALTER TABLE ledger_signedcheckpoint OWNER TO {role}")

    [warning] = w001(ledger_role_messages(connection))

    assert "owns (or may act as the owner of) ledger_signedcheckpoint" in warning.msg


@requires_postgres
def test_it_warns_when_the_role_may_truncate_the_ledger(become):
    become(*app_grants(), "GRANT TRUNCATE ON ledger_treenode TO {role}")

    [warning] = w001(ledger_role_messages(connection))

    assert "may TRUNCATE ledger_treenode" in warning.msg


@requires_postgres
def test_it_fails_soft_when_the_database_is_unreachable(db):
    default = connections["default"]
    unreachable = type(default)({**default.settings_dict, "PORT": "1"}, "unreachable")
    try:
        messages = ledger_role_messages(unreachable)
    finally:
        unreachable.close()

    assert [message.id for message in messages] == ["auditsvc.I001"]


@pytest.mark.skipif(is_postgres(), reason="SQLite only")
def test_it_has_nothing_to_say_about_sqlite(db):
    assert ledger_role_messages(connection) == []
