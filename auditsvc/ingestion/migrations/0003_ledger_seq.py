"""Each record keeps the seq of its ledger entry (and a session that of its close entry).

Detection reads "the records that arrived between two seqs of a log". Through
the ledger that is a join whose size PostgreSQL cannot estimate (it cannot
know that one log's entries are exactly one partner's rows), and its plans
turned to nested loops as the tables grew. With the seq on the row, it is a
range of the new (partner, test, seq) index. Existing rows are filled in from
their entries before the columns become required.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_seqs(apps, schema_editor):
    LedgerEntry = apps.get_model("ledger", "LedgerEntry")
    seq_of = lambda field: Subquery(  # noqa: E731 - one expression, three tables
        LedgerEntry.objects.filter(pk=OuterRef(field)).values("seq")[:1]
    )
    for name in ("AccessEvent", "AccountEvent", "EnrolmentSession"):
        apps.get_model("ingestion", name).objects.update(ledger_seq=seq_of("ledger_entry_id"))
    apps.get_model("ingestion", "EnrolmentSession").objects.filter(
        close_entry__isnull=False
    ).update(close_seq=seq_of("close_entry_id"))


class Migration(migrations.Migration):
    dependencies = [
        ("ingestion", "0002_account_event_labels"),
        ("ledger", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="accessevent",
            name="ledger_seq",
            field=models.BigIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="accountevent",
            name="ledger_seq",
            field=models.BigIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="enrolmentsession",
            name="ledger_seq",
            field=models.BigIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="enrolmentsession",
            name="close_seq",
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(copy_seqs, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="accessevent",
            name="ledger_seq",
            field=models.BigIntegerField(editable=False),
        ),
        migrations.AlterField(
            model_name="accountevent",
            name="ledger_seq",
            field=models.BigIntegerField(editable=False),
        ),
        migrations.AlterField(
            model_name="enrolmentsession",
            name="ledger_seq",
            field=models.BigIntegerField(editable=False),
        ),
        migrations.AddIndex(
            model_name="accessevent",
            index=models.Index(fields=["partner", "test", "ledger_seq"], name="access_partner_seq"),
        ),
        migrations.AddIndex(
            model_name="accountevent",
            index=models.Index(
                fields=["partner", "test", "ledger_seq"], name="account_partner_seq"
            ),
        ),
        migrations.AddIndex(
            model_name="enrolmentsession",
            index=models.Index(
                fields=["partner", "test", "ledger_seq"], name="session_partner_seq"
            ),
        ),
        migrations.AddIndex(
            model_name="enrolmentsession",
            index=models.Index(
                condition=models.Q(("close_seq__isnull", False)),
                fields=["partner", "test", "close_seq"],
                name="session_partner_close_seq",
            ),
        ),
    ]
