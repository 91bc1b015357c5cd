"""manage.py seed_demo [--json] [--force]: demo staff, vetted partners, keys and a little activity.

Everything goes through the services, as a real bureau would: partners are
registered and hand in documents, ``staff`` starts each review, ``approver``
approves, agents and authorisations are registered and granted, so the
bureau log holds real, signed decisions. Each enrolment partner then reports
one demo session and one identity access, and the account platform one
account event, so every partner's log has entries to fetch receipts of.

Re-running on a seeded database reuses users, partners, agents and
authorisations, and issues fresh passwords, backup codes and API keys (keys
cannot be shown twice); the keys and the token an earlier run printed are
revoked. Authenticator secrets are kept, so an app enrolled from an earlier
run keeps working.

It refuses to run unless DEBUG is on (``make run`` sets DJANGO_DEBUG=1) or
``--force`` is given: on a real installation it would reset the passwords of
users with the demo names and put demo decisions into the permanent bureau log.

All identity numbers and phone numbers are valid in form but obviously fake
(born 1 January 1900, phones 138 0000 00xx).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from partners.choices import PartnerKind
from partners.models import SHANGHAI, StaffToken
from partners.selectors import local_today
from partners.services.credentials import (
    credential_issue,
    staff_token_issue,
    staff_token_revoke,
)

from .activity import record_demo_activity
from .data import DEMO_KEY_LABEL, DEMO_TOKEN_LABEL, PARTNERS, USERS
from .people import SeededUser, seed_user
from .registry import (
    ensure_agents,
    ensure_authorisation,
    ensure_letters,
    ensure_partner,
    ensure_signing_key,
    replace_demo_keys,
)


@dataclass
class SeededPartner:
    code: str
    legal_name: str
    kind: str
    status: str
    api_key: str
    agents: list[str] = field(default_factory=list)
    region_codes: list[str] = field(default_factory=list)
    letters: list[str] = field(default_factory=list)


def seed_demo() -> dict[str, Any]:
    """Seed (or top up) the demo data; return everything a person needs to try the service."""
    verifier_key = ensure_signing_key()
    today = local_today()
    stamp = dt.datetime.now(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    with transaction.atomic():
        people: dict[str, Any] = {}
        users: list[SeededUser] = []
        for username, group_names in USERS:
            user, seeded = seed_user(username, group_names)
            people[username] = user
            users.append(seeded)
        staff, approver = people["staff"], people["approver"]

        partners: list[SeededPartner] = []
        for spec in PARTNERS:
            partner = ensure_partner(spec, staff=staff, approver=approver, today=today)
            agents: list[str] = []
            letters: list[str] = []
            if spec.kind == PartnerKind.ENROLMENT_PARTNER:
                agents = ensure_agents(partner, spec, actor=staff)
                ensure_authorisation(partner, spec, actor=staff, today=today)
                letters = ensure_letters(partner, actor=approver)
            replace_demo_keys(partner, actor=staff)
            credential, api_key = credential_issue(
                partner, actor=staff, label=f"{DEMO_KEY_LABEL} {stamp})"
            )
            record_demo_activity(partner, spec, credential)
            partners.append(
                SeededPartner(
                    code=partner.code,
                    legal_name=partner.legal_name,
                    kind=partner.kind,
                    status=partner.status,
                    api_key=api_key,
                    agents=agents,
                    region_codes=[spec.region] if agents else [],
                    letters=letters,
                )
            )

        auditor = next(u for u in users if u.username == "auditor")
        for old in StaffToken.objects.filter(
            user=people["auditor"], label__startswith=DEMO_TOKEN_LABEL, revoked_at__isnull=True
        ):
            staff_token_revoke(old, actor=None)
        _, auditor_token = staff_token_issue(
            people["auditor"], label=f"{DEMO_TOKEN_LABEL} {stamp})", actor=None
        )

    return {
        "partners": [
            {
                "code": p.code,
                "kind": p.kind,
                "log_id": p.code,
                "api_key": p.api_key,
                "agents": p.agents,
                "region_codes": p.region_codes,
                "legal_name": p.legal_name,
                "status": p.status,
                "letters": p.letters,
            }
            for p in partners
        ],
        "auditor": {
            "username": auditor.username,
            "password": auditor.password,
            "api_token": auditor_token,
        },
        "verifier_key": verifier_key,
        "users": [
            {
                "username": u.username,
                "password": u.password,
                "groups": u.groups,
                "totp_secret": u.totp_secret,
                "otpauth_url": u.otpauth_url,
                "backup_codes": u.backup_codes,
            }
            for u in users
        ],
    }
