"""manage.py seed_demo [--json] [--force] [--days N]: demo staff, vetted partners, keys, history.

Everything goes through the services, as a real bureau would: partners are
registered and hand in documents, ``staff`` starts each review, ``approver``
approves, agents and authorisations are registered and granted, so the
bureau log holds real, signed decisions. Each enrolment partner then reports
one demo session and one identity access, and the account platform one
account event, so every partner's log has entries to fetch receipts of.

On an empty ledger the history is built on the simulated clock
(``auditsvc.base.clock``, DESIGN.md "Demo data and time"): the clock starts
``days`` back (default 90), the bureau registers and approves the partners,
registers their agents and grants and issues their letters on that first day,
the demo activity follows the next morning, and the clock then runs forward
to now, where the API keys and the auditor's token are issued. So every
record dated in the recent past (the partner guide's examples) finds its
partner approved, its agent registered and its letter in force.

Re-running on a database this command seeded (the demo partners are there)
builds no history: it reuses users, partners, agents and
authorisations, and issues fresh passwords, backup codes and API keys (keys
cannot be shown twice); the keys and the token an earlier run printed are
revoked. Authenticator secrets are kept, so an app enrolled from an earlier
run keeps working.

Any other database whose ledger holds entries is refused: history cannot be
written under records that already exist (a log's ``recorded_at`` never
decreases). It also refuses to run unless DEBUG is on (``make run`` sets DJANGO_DEBUG=1) or
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
from django.utils import timezone

from auditsvc.base.clock import simulated_clock
from auditsvc.ledger.models import LedgerEntry
from partners.choices import PartnerKind
from partners.models import SHANGHAI, Partner, StaffToken
from partners.selectors import local_today
from partners.services.credentials import (
    credential_issue,
    staff_token_issue,
    staff_token_revoke,
)

from .activity import record_demo_activity
from .data import DEMO_KEY_LABEL, DEMO_TOKEN_LABEL, PARTNERS, USERS, demo_uscc
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


DEFAULT_HISTORY_DAYS = 90
#: The authorisations run 335 days past the first day, so history may not start earlier.
MAX_HISTORY_DAYS = 300


class SeedRefused(Exception):
    """The database holds a ledger that is not the demo's: no history can go under it."""


def demo_seeded() -> bool:
    """Whether an earlier seed_demo registered the demo partners."""
    return Partner.objects.filter(
        uscc__in=[demo_uscc(p.serial, p.region) for p in PARTNERS]
    ).exists()


def seed_demo(*, days: int = DEFAULT_HISTORY_DAYS) -> dict[str, Any]:
    """Seed (or top up) the demo data; return everything a person needs to try the service.

    On an empty ledger the bureau's decisions and the demo activity are dated
    ``days`` back on the simulated clock; on a database seeded before, only
    passwords and keys are renewed; any other non-empty ledger raises
    ``SeedRefused`` before anything is written.
    """
    if not 1 <= days <= MAX_HISTORY_DAYS:
        raise ValueError(f"days must be between 1 and {MAX_HISTORY_DAYS}")
    fresh = not LedgerEntry.objects.exists()
    if not fresh and not demo_seeded():
        raise SeedRefused(
            "This database's ledger already holds entries that seed_demo did not write; "
            "demo history can only be built on an empty ledger (a fresh database)."
        )
    stamp = dt.datetime.now(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    with transaction.atomic():
        if fresh:
            with simulated_clock(timezone.now() - dt.timedelta(days=days)) as clock:
                verifier_key, people, users, registered = _registry()
                # The next morning, 10:00 in Asia/Shanghai: inside the letters' hours.
                first = clock.now().astimezone(SHANGHAI)
                clock.set((first + dt.timedelta(days=1)).replace(hour=10, minute=0, second=0))
                for partner, spec, _, _ in registered:
                    record_demo_activity(partner, spec, clock.now())
                clock.catch_up()
        else:
            verifier_key, people, users, registered = _registry()
        partners = [
            _with_key(partner, spec, agents, letters, actor=people["staff"], stamp=stamp)
            for partner, spec, agents, letters in registered
        ]
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


def _registry() -> tuple[str, dict[str, Any], list[SeededUser], list[tuple]]:
    """Users, partners vetted and approved, agents, authorisations and letters, as of "now"."""
    verifier_key = ensure_signing_key()
    today = local_today()
    people: dict[str, Any] = {}
    users: list[SeededUser] = []
    for username, group_names in USERS:
        user, seeded = seed_user(username, group_names)
        people[username] = user
        users.append(seeded)
    staff, approver = people["staff"], people["approver"]
    registered = []
    for spec in PARTNERS:
        partner = ensure_partner(spec, staff=staff, approver=approver, today=today)
        agents: list[str] = []
        letters: list[str] = []
        if spec.kind == PartnerKind.ENROLMENT_PARTNER:
            agents = ensure_agents(partner, spec, actor=staff)
            ensure_authorisation(partner, spec, actor=staff, today=today)
            letters = ensure_letters(partner, actor=approver)
        registered.append((partner, spec, agents, letters))
    return verifier_key, people, users, registered


def _with_key(partner, spec, agents: list[str], letters: list[str], *, actor, stamp: str):
    """A fresh API key for the partner (the ones earlier runs printed are revoked)."""
    replace_demo_keys(partner, actor=actor)
    _, api_key = credential_issue(partner, actor=actor, label=f"{DEMO_KEY_LABEL} {stamp})")
    return SeededPartner(
        code=partner.code,
        legal_name=partner.legal_name,
        kind=partner.kind,
        status=partner.status,
        api_key=api_key,
        agents=agents,
        region_codes=[spec.region] if agents else [],
        letters=letters,
    )
