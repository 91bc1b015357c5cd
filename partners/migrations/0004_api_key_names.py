"""What staff read: "API key", not "API credential".

The model's options change (no table changes), and so do the names of its
permissions where they exist already: Django writes a permission's name once,
when it creates it, and shows it on the Users and Groups pages.
"""

from django.db import migrations

NAMES = {
    "add_apicredential": ("Can add API credential", "Can add API key"),
    "change_apicredential": ("Can change API credential", "Can change API key"),
    "delete_apicredential": ("Can delete API credential", "Can delete API key"),
    "view_apicredential": ("Can view API credential", "Can view API key"),
}


def rename(apps, schema_editor, *, forward: bool):
    Permission = apps.get_model("auth", "Permission")
    for codename, (old, new) in NAMES.items():
        before, after = (old, new) if forward else (new, old)
        Permission.objects.filter(
            content_type__app_label="partners", codename=codename, name=before
        ).update(name=after)


def forwards(apps, schema_editor):
    rename(apps, schema_editor, forward=True)


def backwards(apps, schema_editor):
    rename(apps, schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("partners", "0003_partner_registered_by"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="apicredential",
            options={
                "ordering": ["partner", "-created_at"],
                "verbose_name": "API key",
                "verbose_name_plural": "API keys",
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
