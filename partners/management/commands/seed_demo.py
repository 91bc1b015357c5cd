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

import base64
import datetime as dt
import io
import json
import os
import secrets
import shutil
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rich.console import Console
from rich.table import Table

from auditsvc.errors import NoSigningKey
from auditsvc.identities import resident_id_check_char
from auditsvc.ingestion.services import access_events_record, account_events_record, session_open
from auditsvc.ingestion.validation import (
    validate_access_batch,
    validate_account_batch,
    validate_session_open,
)
from auditsvc.ledger import keys
from partners import roles
from partners.choices import DataField, PartnerKind, PartnerStatus, Purpose
from partners.models import SHANGHAI, ApiCredential, Authorisation, Partner, StaffToken
from partners.selectors import local_today
from partners.services.agents import agent_register
from partners.services.authorisations import authorisation_grant
from partners.services.credentials import (
    credential_issue,
    credential_revoke,
    staff_token_issue,
    staff_token_revoke,
)
from partners.services.vetting import (
    document_add,
    partner_register,
    vetting_approve,
    vetting_start_review,
)
from partners.validators import uscc_check_char

BACKUP_CODES = 5
# Keys and tokens this command issued carry these labels, so a re-run can revoke them.
DEMO_KEY_LABEL = "demo software (seed_demo"
DEMO_TOKEN_LABEL = "demo token (seed_demo"  # noqa: S105 - a label, not a secret
TOTP_DEVICE_NAME = "demo authenticator"
BACKUP_DEVICE_NAME = "backup codes"

# username, groups
USERS = (
    ("staff", (roles.BUREAU_STAFF,)),
    ("approver", (roles.BUREAU_STAFF, roles.APPROVERS)),
    ("approver2", (roles.BUREAU_STAFF, roles.APPROVERS)),
    ("auditor", (roles.AUDITORS,)),
)


def demo_uscc(serial: int, region: str) -> str:
    """A valid but obviously made-up credit code: 91 + region + zeros + serial + check."""
    body = f"91{region}{serial:09d}"
    return body + uscc_check_char(body)


def demo_id_number(region: str, sequence: int) -> str:
    """A valid but obviously fake resident identity number: born 1900-01-01."""
    first17 = f"{region}19000101{sequence:03d}"
    return first17 + resident_id_check_char(first17)


@dataclass(frozen=True)
class DemoPartner:
    serial: int
    legal_name: str
    kind: str
    region: str
    region_name: str
    address: str


PARTNERS = (
    DemoPartner(
        1,
        "Dengzhou Huimin Card Services Co., Ltd. (demo)",
        PartnerKind.ENROLMENT_PARTNER,
        "411381",
        "Dengzhou",
        "8 Xinhua Road, Dengzhou, Nanyang, Henan",
    ),
    DemoPartner(
        2,
        "Wancheng Medical Card Assistance Co., Ltd. (demo)",
        PartnerKind.ENROLMENT_PARTNER,
        "411302",
        "Wancheng",
        "21 Zhongzhou Road, Wancheng District, Nanyang, Henan",
    ),
    DemoPartner(
        3,
        "Zhongyuan Pay Account Platform Co., Ltd. (demo)",
        PartnerKind.ACCOUNT_PLATFORM,
        "410105",
        "Zhengzhou",
        "1 Jinshui Road, Zhengzhou, Henan",
    ),
)
AGENT_CODES = ("A-0001", "A-0002", "A-0003")


@dataclass
class SeededUser:
    username: str
    password: str
    groups: list[str]
    totp_secret: str
    otpauth_url: str
    backup_codes: list[str]


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


# --- Steps ------------------------------------------------------------------------------


def ensure_signing_key() -> str:
    """The verifier string of the key that signs entries, generating a key if none is loaded."""
    try:
        key = keys.entry_signing_key()
    except NoSigningKey:
        keys.key_generate(actor=None)
        key = keys.entry_signing_key()
    return key.verifier_string()


def seed_user(username: str, group_names: tuple[str, ...]) -> tuple[Any, SeededUser]:
    """Create or reuse a staff user; fresh password and backup codes, kept TOTP secret."""
    User = get_user_model()
    user, _ = User.objects.get_or_create(
        username=username, defaults={"email": f"{username}@ybj.example"}
    )
    password = secrets.token_urlsafe(12)
    user.set_password(password)
    user.is_staff = True
    user.is_active = True
    user.save()
    user.groups.set(Group.objects.filter(name__in=group_names))

    totp = TOTPDevice.objects.filter(user=user, name=TOTP_DEVICE_NAME).first()
    if totp is None:
        totp = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=True)
    backup, _ = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    backup.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=backup, token=code) for code in codes)
    return user, SeededUser(
        username=username,
        password=password,
        groups=list(group_names),
        totp_secret=base64.b32encode(totp.bin_key).decode("ascii"),
        otpauth_url=totp.config_url,
        backup_codes=codes,
    )


def demo_pdf(title: str) -> bytes:
    """A tiny PDF-looking document: enough to hash, store and download."""
    return (
        b"%PDF-1.4\n% auditsvc demo document\n1 0 obj << /Title ("
        + title.encode("ascii", "replace")
        + b") >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )


def ensure_documents(partner: Partner, *, actor, today: dt.date) -> None:
    """Hand in every required document that has no valid copy today."""
    valid = Q(issued_on__lte=today) & (Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    have = set(partner.documents.filter(valid).values_list("doc_type", flat=True))
    for doc_type in settings.AUDITSVC_REQUIRED_DOCUMENTS:
        if doc_type in have:
            continue
        document_add(
            partner,
            actor=actor,
            doc_type=doc_type,
            file=ContentFile(demo_pdf(f"{partner.code} {doc_type}"), name=f"{doc_type}.pdf"),
            issued_on=today - dt.timedelta(days=60),
            expires_on=today + dt.timedelta(days=365),
        )


def ensure_partner(spec: DemoPartner, *, staff, approver, today: dt.date) -> Partner:
    """Register (or find by credit code), document and approve a demo partner."""
    uscc = demo_uscc(spec.serial, spec.region)
    partner = Partner.objects.filter(uscc=uscc).first()
    if partner is None:
        slug = f"demo{spec.serial}"
        partner = partner_register(
            actor=staff,
            legal_name=spec.legal_name,
            uscc=uscc,
            kind=spec.kind,
            contact_name="Zhang Demo",
            contact_email=f"contact@{slug}.partner.example",
            dpo_name="Li Demo",
            dpo_email=f"dpo@{slug}.partner.example",
            address=spec.address,
        )
    ensure_documents(partner, actor=staff, today=today)
    if partner.status == PartnerStatus.APPLIED:
        vetting_start_review(
            partner, actor=staff, reason="Demo: application and documents received; review opened."
        )
    if partner.status == PartnerStatus.UNDER_REVIEW:
        vetting_approve(
            partner,
            actor=approver,
            reason="Demo: credit code, documents and data-protection officer checked; approved.",
        )
    return partner


def ensure_agents(partner: Partner, spec: DemoPartner, *, actor) -> list[str]:
    existing = set(partner.agents.values_list("code", flat=True))
    for number, code in enumerate(AGENT_CODES, start=1):
        if code in existing:
            continue
        agent_register(
            partner,
            actor=actor,
            code=code,
            name=f"Demo Agent {spec.serial}-{number}",
            phone=f"+86 138 0000 {spec.serial:02d}{number:02d}",
            id_number=demo_id_number(spec.region, 100 * spec.serial + number),
        )
    return list(partner.agents.order_by("code").values_list("code", flat=True))


def ensure_authorisation(
    partner: Partner, spec: DemoPartner, *, actor, today: dt.date
) -> list[str]:
    """A current letter for the partner's region, 08:00-20:00, with daily caps."""
    current = Authorisation.objects.filter(
        partner=partner, revoked_at__isnull=True, valid_from__lte=today, valid_until__gte=today
    )
    if not current.exists():
        letter = f"YBJ-DEMO-{partner.code}-{today:%Y%m%d}"
        if not Authorisation.objects.filter(letter_number=letter).exists():
            authorisation_grant(
                partner,
                actor=actor,
                letter_number=letter,
                regions=[spec.region],
                purposes=[Purpose.CARD_ACTIVATION, Purpose.CARD_REGISTRATION, Purpose.INFO_UPDATE],
                fields=[DataField.NAME, DataField.ID_NUMBER, DataField.PHONE, DataField.FACE_IMAGE],
                valid_from=today - dt.timedelta(days=30),
                valid_until=today + dt.timedelta(days=335),
                hours_start=dt.time(8, 0),
                hours_end=dt.time(20, 0),
                daily_cap_per_agent=200,
                daily_cap_per_partner=1000,
            )
    return list(current.order_by("letter_number").values_list("letter_number", flat=True))


def replace_demo_keys(partner: Partner, *, actor) -> None:
    """Revoke the keys earlier runs printed: a key copied from an old terminal must not
    keep working forever. Keys issued by hand in the admin are left alone."""
    for credential in ApiCredential.objects.filter(
        partner=partner, label__startswith=DEMO_KEY_LABEL, revoked_at__isnull=True
    ):
        credential_revoke(
            credential, actor=actor, reason="Replaced by a fresh demo key (seed_demo)."
        )


def demo_moment() -> dt.datetime:
    """Now: just after the demo partners' approvals, so they were approved at the time.

    Violations are judged at the time of the access, so an earlier moment would
    be flagged partner_not_approved on a fresh database. Seeded outside the
    letters' 08:00-20:00 (Asia/Shanghai), the demo access carries outside_hours,
    as it should.
    """
    return dt.datetime.now(SHANGHAI)


def record_demo_activity(partner: Partner, spec: DemoPartner, credential: ApiCredential) -> None:
    """One session and one access (or one account event), idempotent by client id."""
    moment = demo_moment()
    resident = {"scheme": "cn-resident-id", "value": demo_id_number(spec.region, 900 + spec.serial)}
    if spec.kind == PartnerKind.ACCOUNT_PLATFORM:
        events = validate_account_batch(
            {
                "events": [
                    {
                        "client_event_id": "demo-account-1",
                        "holder": resident,
                        "action": "opened",
                        "account": "demo-account-0001",
                        "occurred_at": moment.isoformat(),
                        "device": "demo-device-platform",
                        "phone": "+8613800009901",
                        "channel": "app",
                    }
                ]
            },
            platform_code=partner.code,
        )
        account_events_record(partner, events, credential=credential)
        return
    session = session_open(
        partner,
        validate_session_open(
            {
                "client_session_id": "demo-session-1",
                "agent": AGENT_CODES[0],
                "resident": resident,
                "purpose": Purpose.CARD_ACTIVATION.value,
                "region_code": spec.region,
                "device": f"demo-device-{partner.code}",
                "opened_at": moment.isoformat(),
                "consent_ref": "demo-consent-1",
            }
        ),
        credential=credential,
    ).session
    access_events_record(
        partner,
        validate_access_batch(
            {
                "events": [
                    {
                        "client_event_id": "demo-access-1",
                        "session": str(session.pk),
                        "agent": AGENT_CODES[0],
                        "resident": resident,
                        "fields": ["name", "id_number"],
                        "purpose": Purpose.CARD_ACTIVATION.value,
                        "occurred_at": (moment + dt.timedelta(minutes=2)).isoformat(),
                        "device": f"demo-device-{partner.code}",
                    }
                ]
            }
        ),
        credential=credential,
    )


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
                letters = ensure_authorisation(partner, spec, actor=staff, today=today)
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


# --- Output -------------------------------------------------------------------------------


def render_summary(result: dict[str, Any], *, admin_url: str) -> str:
    """A readable summary with rich tables."""
    out = io.StringIO()
    console = Console(file=out, width=max(shutil.get_terminal_size().columns, 150))
    console.print(f"[bold]auditsvc demo data[/bold]  admin: {admin_url}")
    console.print(
        "Sign in with username, password and the current code of the TOTP secret "
        "(add it to an authenticator app) or one backup code."
    )

    users = Table(title="Users")
    users.add_column("username")
    users.add_column("groups")
    users.add_column("password", no_wrap=True)
    users.add_column("TOTP secret (base32)", no_wrap=True)
    users.add_column("backup codes (each works once)")
    for user in result["users"]:
        users.add_row(
            user["username"],
            ", ".join(user["groups"]),
            user["password"],
            user["totp_secret"],
            " ".join(user["backup_codes"]),
        )
    console.print(users)

    partners = Table(title="Partners")
    for column in ("code / log id", "name", "kind", "status", "agents", "regions", "letters"):
        partners.add_column(column)
    for partner in result["partners"]:
        partners.add_row(
            partner["code"],
            partner["legal_name"],
            partner["kind"],
            partner["status"],
            ", ".join(partner["agents"]) or "-",
            ", ".join(partner["region_codes"]) or "-",
            ", ".join(partner["letters"]) or "-",
        )
    console.print(partners)

    api_keys = Table(title="API keys (Authorization: Bearer <key>; shown only now)")
    api_keys.add_column("partner")
    api_keys.add_column("API key", no_wrap=True)
    for partner in result["partners"]:
        api_keys.add_row(partner["code"], partner["api_key"])
    console.print(api_keys)

    console.print(
        f"Auditor API token ({result['auditor']['username']}): {result['auditor']['api_token']}"
    )
    console.print(f"Verifier key (pin it in auditsvc-verify): {result['verifier_key']}")
    return out.getvalue()


class Command(BaseCommand):
    help = (
        "Create demo staff (staff, approver, approver2, auditor), approved partners with agents "
        "and authorisations, an account platform and fresh API keys, all through the services. "
        "Safe to run again: it reuses what exists and issues fresh passwords and keys."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--json", action="store_true", help="Print one JSON object instead of tables."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is off (it resets the demo users' passwords and "
            "writes demo decisions into the permanent bureau log).",
        )
        parser.add_argument(
            "--port",
            type=int,
            default=int(os.environ.get("PORT", "8000")),
            help="Port of the admin URL shown in the summary (default $PORT or 8000).",
        )

    def handle(self, *args, **options) -> None:
        # A safety catch for production: the command resets the passwords of any users
        # named staff/approver/approver2/auditor and its decisions can never be removed
        # from the bureau log. `make run` sets DJANGO_DEBUG=1.
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "seed_demo writes demo partners and decisions into the permanent bureau log "
                "and resets the passwords of the users staff, approver, approver2 and "
                "auditor; it runs only with DEBUG on (DJANGO_DEBUG=1). "
                "Pass --force to run it anyway."
            )
        result = seed_demo()
        admin_url = f"http://127.0.0.1:{options['port']}/admin/"
        if options["json"]:
            self.stdout.write(json.dumps({**result, "admin_url": admin_url}, indent=2))
        else:
            self.stdout.write(render_summary(result, admin_url=admin_url), ending="")
