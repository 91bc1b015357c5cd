"""The ledger's deploy check (``check --deploy``): can the app's role undo the triggers?"""

from __future__ import annotations

from django.core.checks import Info, Tags, Warning, register
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

LEDGER_TABLES = ("ledger_ledgerentry", "ledger_treenode", "ledger_signedcheckpoint")

_ROLE_HINT = (
    "Run migrations as a separate role that owns the tables, and connect the application "
    "(DATABASE_URL of web and worker) as a role that is no superuser, owns no table and "
    "holds only SELECT, INSERT and UPDATE on its tables (DELETE only on the few non-ledger "
    "tables that need it), never TRUNCATE or TRIGGER. See docs/ledger.md."
)


def ledger_role_messages(connection) -> list:
    """The W001 warning when ``connection``'s role could undo the ledger's triggers.

    A superuser, a role that owns a ledger table (or may SET ROLE to its
    owner) can drop the append-only triggers; a role with the TRUNCATE
    privilege can empty the tables after setting auditsvc.allow_truncate,
    which any session may set. Only PostgreSQL has roles; an unreachable
    database gives an Info instead, so ``check --deploy`` in a build without
    a database still passes.
    """
    if connection.vendor != "postgresql":
        return []
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user"
            )
            role, superuser = cursor.fetchone()
            cursor.execute(
                "SELECT t.name, pg_has_role(current_user, c.relowner, 'MEMBER'), "
                "has_table_privilege(c.oid, 'TRUNCATE') "
                "FROM unnest(%s::text[]) AS t(name) JOIN pg_class c ON c.oid = to_regclass(t.name)",
                [list(LEDGER_TABLES)],
            )
            tables = cursor.fetchall()
    except DatabaseError as exc:
        return [
            Info(
                f"Could not check the database role the ledger is written with ({exc}).",
                hint="Run 'manage.py check --deploy' where the database is reachable.",
                id="auditsvc.I001",
            )
        ]
    owned = [name for name, owner, _ in tables if owner]
    truncatable = [name for name, _, truncate in tables if truncate]
    if superuser:
        why = f"the database role {role!r} is a superuser"
    elif owned:
        why = f"the database role {role!r} owns (or may act as the owner of) {', '.join(owned)}"
    elif truncatable:
        why = f"the database role {role!r} may TRUNCATE {', '.join(truncatable)}"
    else:
        return []
    return [
        Warning(
            f"The ledger's append-only triggers do not bind this connection: {why}, so it "
            "could drop the triggers or empty the tables.",
            hint=_ROLE_HINT,
            id="auditsvc.W001",
        )
    ]


@register(Tags.security, deploy=True)
def check_ledger_database_role(app_configs=None, **kwargs) -> list:
    """Deploy check: the application's database role cannot undo the ledger's triggers."""
    return ledger_role_messages(connections[DEFAULT_DB_ALIAS])
