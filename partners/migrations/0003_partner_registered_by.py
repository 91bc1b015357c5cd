"""Who registered each partner (maker-checker: the registrant may not approve it).

Partners registered before this migration get their registrant from the
bureau log, whose ``partner.registered`` entries name the actor by id; a
partner without such an entry (made outside the service) keeps no one.
"""

import json

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

BUREAU_LOG_ID = "bureau"  # copied from auditsvc.ledger.models: migrations import no app code


def registrants_from_the_bureau_log(apps, schema_editor):
    Partner = apps.get_model("partners", "Partner")
    LedgerEntry = apps.get_model("ledger", "LedgerEntry")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    if not Partner.objects.filter(registered_by__isnull=True).exists():
        return
    registrants = {}
    entries = LedgerEntry.objects.filter(log_id=BUREAU_LOG_ID, kind="partner.registered")
    for canonical in entries.order_by("seq").values_list("canonical", flat=True).iterator():
        body = json.loads(canonical)["body"]
        if body.get("actor_id") is not None:
            registrants.setdefault(body["partner"], body["actor_id"])
    existing = set(User.objects.filter(pk__in=set(registrants.values())).values_list("pk", flat=True))
    for partner in Partner.objects.filter(registered_by__isnull=True, code__in=registrants):
        if registrants[partner.code] in existing:
            partner.registered_by_id = registrants[partner.code]
            partner.save(update_fields=["registered_by"])


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0002_letters"),
        ("ledger", "0002_append_only"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="partner",
            name="registered_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(registrants_from_the_bureau_log, migrations.RunPython.noop),
    ]
