"""The ledger tables are append only, enforced by the database itself.

Row triggers refuse UPDATE and DELETE on ledger_ledgerentry, ledger_treenode
and ledger_signedcheckpoint, whatever issues them (the ORM, raw SQL, a psql
session), on PostgreSQL (plpgsql) and SQLite (RAISE(ABORT)).

On PostgreSQL statement triggers also refuse TRUNCATE of those tables (which
fires no row trigger), also when reached through ``TRUNCATE ledger_log
CASCADE``. The one way through is the session setting
``auditsvc.allow_truncate = 'on'``: the test runner empties every table with
TRUNCATE between transactional tests, and tests/conftest.py turns it on for
those tests only. Any session may set it, so it guards against accidents (a
flush against the wrong database, a TRUNCATE typed into psql), not against a
hostile role: that takes an application role that owns no table and lacks
the TRUNCATE privilege, which the deploy check ``auditsvc.W001``
(auditsvc/ledger/checks.py) looks for. SQLite has no TRUNCATE (its
``DELETE FROM`` is refused by the row triggers).

On SQLite, a later migration that alters one of these tables rebuilds it
(create, copy, drop, rename), which drops its triggers: such a migration must
run this one's SQL again. tests/auditsvc/ledger/test_triggers.py notices.
"""

from django.db import migrations

TABLES = ("ledger_ledgerentry", "ledger_treenode", "ledger_signedcheckpoint")

POSTGRES_FUNCTIONS = """
CREATE OR REPLACE FUNCTION auditsvc_refuse_ledger_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'auditsvc: % on % refused: the ledger is append only', TG_OP, TG_TABLE_NAME
        USING HINT = 'Ledger entries, tree nodes and checkpoints are evidence: append only.';
END;
$$;

CREATE OR REPLACE FUNCTION auditsvc_refuse_ledger_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('auditsvc.allow_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'auditsvc: TRUNCATE on % refused: the ledger is append only', TG_TABLE_NAME
        USING HINT = 'Ledger entries, tree nodes and checkpoints are evidence: append only.';
END;
$$;
"""


def _sqlite_sql(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'auditsvc: {op} on {table} refused: "
        f"the ledger is append only'); END;"
        for op in ("UPDATE", "DELETE")
    ]


# Every execute() below passes params=None: the SQL holds literal % signs
# (plpgsql's RAISE format), which must not be taken for query placeholders.


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTIONS, None)
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION auditsvc_refuse_ledger_change();",
                None,
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION auditsvc_refuse_ledger_truncate();",
                None,
            )
    elif vendor == "sqlite":
        for table in TABLES:
            for statement in _sqlite_sql(table):
                schema_editor.execute(statement, None)
    else:
        raise NotImplementedError(f"append-only triggers are not written for {vendor}")


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};", None)
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};", None)
        schema_editor.execute("DROP FUNCTION IF EXISTS auditsvc_refuse_ledger_change();", None)
        schema_editor.execute("DROP FUNCTION IF EXISTS auditsvc_refuse_ledger_truncate();", None)
    elif vendor == "sqlite":
        for table in TABLES:
            for op in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op};", None)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(install, uninstall, elidable=False),
    ]
