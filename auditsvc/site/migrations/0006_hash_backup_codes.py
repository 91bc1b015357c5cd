"""Backup codes are kept as keyed hashes, never as they are typed.

``StaticToken.token`` (django-otp, room for 16 characters) held each code in
clear: a copy of the database was a second factor for every staff member.
It now holds the first 16 hex characters of HMAC-SHA256(pepper,
"otp-backup-code:" + code), as ``auditsvc.site.services.second_factor``
writes and checks them. Codes already hashed (16 hex characters; a code is
8 base32 characters) are left alone, so the migration may run again.

There is no way back: unapplying leaves the hashes, and the code of before
this migration would not accept them (renew the codes then).
"""

import hashlib
import hmac
import string

from django.conf import settings
from django.db import migrations

# Copied from second_factor.BACKUP_CODE_HASH_KIND: a migration must not import application code.
KIND = "otp-backup-code"
HEX = frozenset(string.hexdigits.lower())


def _kept_form(code: str) -> str:
    mac = hmac.new(settings.AUDITSVC_PEPPER.encode(), f"{KIND}:{code}".encode(), hashlib.sha256)
    return mac.hexdigest()[:16]


def hash_codes(apps, schema_editor):
    StaticToken = apps.get_model("otp_static", "StaticToken")
    changed = []
    for token in StaticToken.objects.only("pk", "token").iterator():
        if len(token.token) == 16 and set(token.token) <= HEX:
            continue
        token.token = _kept_form("".join(token.token.split()).lower())
        changed.append(token)
    StaticToken.objects.bulk_update(changed, ["token"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("site", "0005_detection_roles"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [
        migrations.RunPython(hash_codes, migrations.RunPython.noop, elidable=False),
    ]
