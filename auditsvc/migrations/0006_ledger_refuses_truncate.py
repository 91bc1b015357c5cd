"""PostgreSQL also refuses TRUNCATE of the ledger tables, unless the session opts in.

0003's row triggers stop UPDATE and DELETE, but TRUNCATE fires no row
trigger: ``TRUNCATE auditsvc_ledgerentry`` (or ``manage.py flush``, which
truncates every table) emptied the ledger. These statement triggers refuse
it on auditsvc_ledgerentry, auditsvc_treenode and auditsvc_checkpoint, also
when the table is reached through ``TRUNCATE auditsvc_log CASCADE``.

The one way through is the session setting ``auditsvc.allow_truncate = 'on'``:
the test runner empties every table with TRUNCATE between transactional tests
on PostgreSQL, and tests/conftest.py turns it on for those tests only. Any
session may set it, so it guards against accidents (a flush against the wrong
database, a TRUNCATE typed into psql), not against a hostile role: that takes
an application role without the TRUNCATE privilege on these tables, which the
deploy check ``auditsvc.W001`` (auditsvc/checks.py) looks for.

SQLite has no TRUNCATE (its ``DELETE FROM`` is refused by 0003's triggers).
"""

from django.db import migrations

TABLES = ("auditsvc_ledgerentry", "auditsvc_treenode", "auditsvc_checkpoint")

POSTGRES_FUNCTION = """
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

# params=None on every execute(): the SQL holds literal % signs (see 0003).


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(POSTGRES_FUNCTION, None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION auditsvc_refuse_ledger_truncate();",
            None,
        )


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};", None)
    schema_editor.execute("DROP FUNCTION IF EXISTS auditsvc_refuse_ledger_truncate();", None)


class Migration(migrations.Migration):
    dependencies = [
        ("auditsvc", "0005_ledger_kinds_staff_tokens_lookups"),
    ]

    operations = [
        migrations.RunPython(install, uninstall, elidable=False),
    ]
