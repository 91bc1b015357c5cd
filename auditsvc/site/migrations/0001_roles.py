"""The bureau's roles as groups with their permissions (names as in partners/roles.py).

The roles span every app (the registry, the ledger, what partners reported),
so they are created here, at the top, after every app's tables exist.

Permissions are normally created by the post_migrate signal, after every
migration has run; a fresh database would not have them yet, so they are
created here first (the usual pattern for data migrations that grant them).

A feature that brings new permissions adds a site migration of its own whose
``grant(apps, schema_editor)`` adds them to the groups (``add``, never
``set``), after this one; tests replay ``create_roles`` and every ``grant``
in order after a flush (tests/conftest.py ``restore_roles``).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Copied from partners/roles.py: a migration must not import application code.
BUREAU_STAFF = "Bureau staff"
APPROVERS = "Approvers"
AUDITORS = "Auditors"

# Partner records are evidence: staff may add and change them, never delete.
STAFF_EDITS = ["partner", "qualificationdocument", "authorisation", "agent", "apicredential"]
STAFF_VIEWS = [
    ("partners", "vettingdecision"),
    ("ledger", "publishedkey"),
    ("ledger", "log"),
    ("ledger", "ledgerentry"),
    ("ledger", "treenode"),
    ("ledger", "signedcheckpoint"),
    ("ingestion", "enrolmentsession"),
    ("ingestion", "accessevent"),
    ("ingestion", "accountevent"),
]
APPS = ("partners", "ledger", "ingestion")


def _create_all_permissions(apps):
    for label in APPS:
        app_config = apps.get_app_config(label)
        # Historical app configs have no models module; create_permissions
        # skips such apps unless told otherwise.
        previous = getattr(app_config, "models_module", None)
        app_config.models_module = previous or True
        try:
            create_permissions(app_config, apps=apps, verbosity=0)
        finally:
            app_config.models_module = previous


def create_roles(apps, schema_editor):
    _create_all_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def perm(app_label, codename):
        return Permission.objects.get(content_type__app_label=app_label, codename=codename)

    staff = [perm("partners", "review_partner")]
    for model in STAFF_EDITS:
        staff += [perm("partners", f"{action}_{model}") for action in ("view", "add", "change")]
    staff += [perm(app_label, f"view_{model}") for app_label, model in STAFF_VIEWS]
    Group.objects.get_or_create(name=BUREAU_STAFF)[0].permissions.set(staff)

    Group.objects.get_or_create(name=APPROVERS)[0].permissions.set(
        [perm("partners", "approve_partner")]
    )

    auditor = list(
        Permission.objects.filter(
            content_type__app_label__in=APPS, codename__startswith="view_"
        )
    )
    auditor.append(perm("ledger", "export_ledger"))
    Group.objects.get_or_create(name=AUDITORS)[0].permissions.set(auditor)


def delete_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=[BUREAU_STAFF, APPROVERS, AUDITORS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0001_initial"),
        ("ledger", "0002_append_only"),
        ("ingestion", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, delete_roles)]
