"""auditsvc's own settings: signing keys, pseudonyms, vetting, ingestion limits,
letters and the public check page. base.py reads them in.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .env import DEBUG, VAR_DIR, env, env_document_types, env_rate, env_secret

# Name of the signing keys and origin of the checkpoints (C2SP signed notes).
AUDITSVC_ORIGIN = env.str("AUDITSVC_ORIGIN", default="auditsvc.localhost")
# Private signing keys (C2SP/Go note format, one file per key): never in the database.
AUDITSVC_KEY_DIR = Path(env.str("AUDITSVC_KEY_DIR", default=str(VAR_DIR / "keys")))
# Optional single private key given directly (PRIVATE+KEY+name+keyid+base64).
AUDITSVC_SIGNING_KEY = env_secret("AUDITSVC_SIGNING_KEY", default=None)
# How long a rotated-out key keeps co-signing checkpoints.
AUDITSVC_KEY_OVERLAP_HOURS = env.int("AUDITSVC_KEY_OVERLAP_HOURS", default=72)
# Pepper of the keyed pseudonyms (HMAC-SHA256). Never in the database.
AUDITSVC_PEPPER = env_secret("AUDITSVC_PEPPER", default=None)
if not AUDITSVC_PEPPER:
    if not DEBUG:
        raise ImproperlyConfigured(
            "AUDITSVC_PEPPER (or AUDITSVC_PEPPER_FILE) is required when DJANGO_DEBUG is off."
        )
    AUDITSVC_PEPPER = "insecure-development-pepper"
if len(AUDITSVC_PEPPER) < 16:
    raise ImproperlyConfigured("AUDITSVC_PEPPER must be at least 16 characters long.")

# Qualification documents a partner needs before it can be approved.
AUDITSVC_REQUIRED_DOCUMENTS = env_document_types(
    "AUDITSVC_REQUIRED_DOCUMENTS",
    default=[
        "business_licence",
        "entrustment_agreement",
        "confidentiality_undertaking",
        "security_assessment",
        "staff_list",
    ],
)
AUDITSVC_MAX_BATCH = env.int("AUDITSVC_MAX_BATCH", default=1000)
# A record dated further in the future than this is refused.
AUDITSVC_MAX_CLOCK_SKEW_SECONDS = env.int("AUDITSVC_MAX_CLOCK_SKEW_SECONDS", default=300)
# Checkpoints: sign a grown log at once on the next beat, an idle one at least this often.
AUDITSVC_CHECKPOINT_MAX_AGE_MINUTES = env.int("AUDITSVC_CHECKPOINT_MAX_AGE_MINUTES", default=60)
# Failed API authentications (wrong or revoked keys and tokens) allowed per client
# address; past it the address gets 429 before any database lookup.
AUDITSVC_THROTTLE_AUTH_FAILURES = env_rate("AUDITSVC_THROTTLE_AUTH_FAILURES", default="30/min")

# Letters, the public letter check and residents' access reports.
# Where the public check page lives, as printed in letters' QR codes (e.g.
# https://audit.ybj.example); empty: the address the admin page was opened at.
AUDITSVC_PUBLIC_URL = env.str("AUDITSVC_PUBLIC_URL", default="").rstrip("/")
if AUDITSVC_PUBLIC_URL and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", AUDITSVC_PUBLIC_URL):
    raise ImproperlyConfigured(
        f"AUDITSVC_PUBLIC_URL must be an http(s) address such as https://audit.ybj.example, "
        f"not {AUDITSVC_PUBLIC_URL!r}."
    )
# The issuing bureau's name, on letters, reports and the public page.
AUDITSVC_BUREAU_NAME = env.str("AUDITSVC_BUREAU_NAME", default="Medical Insurance Bureau").strip()
if not AUDITSVC_BUREAU_NAME:
    raise ImproperlyConfigured("AUDITSVC_BUREAU_NAME cannot be empty.")
# The telephone number the public page gives for reporting misuse of a letter
# (12393: the national medical-insurance service hotline).
AUDITSVC_MISUSE_PHONE = env.str("AUDITSVC_MISUSE_PHONE", default="12393").strip()
if not re.fullmatch(r"\+?[0-9][0-9 ()-]{2,24}", AUDITSVC_MISUSE_PHONE):
    raise ImproperlyConfigured(
        f"AUDITSVC_MISUSE_PHONE must be a telephone number, not {AUDITSVC_MISUSE_PHONE!r}."
    )
# Failed look-ups (unknown letter numbers and credit codes) one client address may
# make on the public page per period: N/min, N/hour or N/day. Successful look-ups never count.
AUDITSVC_VERIFY_FAILED_LOOKUPS = env_rate("AUDITSVC_VERIFY_FAILED_LOOKUPS", default="30/hour")
