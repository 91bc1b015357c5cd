"""The Security officers role (DESIGN.md "Roles"): grant and remove roles, reset a lost
second factor; nothing else. Auditors may see the accounts and their roles.

``StaffAccount`` is a proxy of the user model that carries the officers'
permissions. ``grant`` creates the group and *adds* its permissions (tests
replay it after a flush, see tests/conftest.py ``restore_roles``). Security
officers get no permission of the registry, the ledger or ingestion: they
cannot act as staff or approvers (and the role services refuse to give them
either role).
"""

import django.contrib.auth.models
from django.contrib.auth.management import create_permissions
from django.db import migrations

# Copied from partners/roles.py: a migration must not import application code.
SECURITY_OFFICERS = "Security officers"
AUDITORS = "Auditors"
PERMISSIONS = ["view_staffaccount", "manage_roles", "reset_second_factor"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("site")
    # Historical app configs have no models module; create_permissions skips such apps.
    previous = getattr(app_config, "models_module", None)
    app_config.models_module = previous or True
    try:
        create_permissions(app_config, apps=apps, verbosity=0)
    finally:
        app_config.models_module = previous
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    site = Permission.objects.filter(content_type__app_label="site")
    group, _ = Group.objects.get_or_create(name=SECURITY_OFFICERS)
    group.permissions.add(*site.filter(codename__in=PERMISSIONS))
    # Auditors read everything, who holds which role included.
    auditors = Group.objects.filter(name=AUDITORS).first()
    if auditors is not None:
        auditors.permissions.add(*site.filter(codename="view_staffaccount"))


def remove(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name=SECURITY_OFFICERS).delete()
    for group in Group.objects.filter(name=AUDITORS):
        group.permissions.remove(
            *group.permissions.filter(content_type__app_label="site", codename="view_staffaccount")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("site", "0001_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.CreateModel(
            name="StaffAccount",
            fields=[],
            options={
                "verbose_name": "staff account",
                "permissions": [
                    ("manage_roles", "Can grant and remove roles"),
                    ("reset_second_factor", "Can reset a lost second factor"),
                ],
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("auth.user",),
            managers=[("objects", django.contrib.auth.models.UserManager())],
        ),
        migrations.RunPython(grant, remove),
    ]
