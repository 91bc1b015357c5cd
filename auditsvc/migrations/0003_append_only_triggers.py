"""The ledger tables are append only, enforced by the database itself.

Triggers refuse UPDATE and DELETE on auditsvc_ledgerentry, auditsvc_treenode
and auditsvc_checkpoint, whatever issues them (the ORM, raw SQL, a psql
session), on PostgreSQL (plpgsql) and SQLite (RAISE(ABORT)).

TRUNCATE is deliberately not blocked: the test runner empties tables with it
between transactional tests on PostgreSQL. A table owner can also drop these
triggers, so in production the application must connect as a role that does
not own the tables (grant it SELECT and INSERT on the ledger tables, and
nothing else there: no TRUNCATE, no TRIGGER); migrations run as the owner.

On SQLite, a later migration that alters one of these tables rebuilds it
(create, copy, drop, rename), which drops its triggers: such a migration must
run this one's SQL again. tests/auditsvc/ledger/test_triggers.py notices.
"""

from django.db import migrations

TABLES = ("auditsvc_ledgerentry", "auditsvc_treenode", "auditsvc_checkpoint")

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION auditsvc_refuse_ledger_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'auditsvc: % on % refused: the ledger is append only', TG_OP, TG_TABLE_NAME
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
        schema_editor.execute(POSTGRES_FUNCTION, None)
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION auditsvc_refuse_ledger_change();",
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
        schema_editor.execute("DROP FUNCTION IF EXISTS auditsvc_refuse_ledger_change();", None)
    elif vendor == "sqlite":
        for table in TABLES:
            for op in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op};", None)


class Migration(migrations.Migration):
    dependencies = [
        ("auditsvc", "0002_accountevent_violations"),
    ]

    operations = [
        migrations.RunPython(install, uninstall, elidable=False),
    ]
