"""Who may issue and revoke letters, and who may produce residents' access reports.

Approvers issue and revoke authorisation letters (DESIGN.md: "issue and revoke
letters" is theirs); bureau staff see letters and produce a resident's access
report after checking the resident's identity in person; auditors see both.
Adds to the groups of 0001_roles (never ``set``), and may run again (tests
replay it after a flush).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Copied from partners/roles.py: a migration must not import application code.
BUREAU_STAFF = "Bureau staff"
APPROVERS = "Approvers"
AUDITORS = "Auditors"

GRANTS = {
    APPROVERS: [
        ("partners", "view_letter"),
        ("partners", "issue_letter"),
        ("partners", "revoke_letter"),
    ],
    BUREAU_STAFF: [
        ("partners", "view_letter"),
        ("reports", "view_accessreport"),
        ("reports", "add_accessreport"),
    ],
    AUDITORS: [
        ("partners", "view_letter"),
        ("reports", "view_accessreport"),
    ],
}


def _create_permissions(apps):
    for label in ("partners", "reports"):
        app_config = apps.get_app_config(label)
        # Historical app configs have no models module; create_permissions
        # skips such apps unless told otherwise.
        previous = getattr(app_config, "models_module", None)
        app_config.models_module = previous or True
        try:
            create_permissions(app_config, apps=apps, verbosity=0)
        finally:
            app_config.models_module = previous


def grant(apps, schema_editor):
    _create_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, permissions in GRANTS.items():
        group = Group.objects.get_or_create(name=group_name)[0]
        group.permissions.add(
            *(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
                for app_label, codename in permissions
            )
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, permissions in GRANTS.items():
        group = Group.objects.filter(name=group_name).first()
        if group is None:
            continue
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label__in=["partners", "reports"],
                codename__in=[codename for _, codename in permissions],
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("site", "0002_security_officers"),
        ("partners", "0002_letters"),
        ("reports", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
