"""Labels a person reads for account events' actions and channels (choices only, no table change)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ingestion', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='accountevent',
            name='action',
            field=models.CharField(choices=[('opened', 'Opened'), ('identity_bound', 'Identity bound'), ('limit_raised', 'Transfer limit raised'), ('closed', 'Closed')], max_length=16),
        ),
        migrations.AlterField(
            model_name='accountevent',
            name='channel',
            field=models.CharField(choices=[('e_card_activation', 'E-card activation'), ('app', 'Platform app'), ('branch', 'Branch counter'), ('other', 'Other')], max_length=32),
        ),
    ]
