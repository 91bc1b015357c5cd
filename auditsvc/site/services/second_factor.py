"""Second factors of bureau staff: check a one-time code, add an authenticator app, renew
backup codes, reset a lost second factor.

A signed-in session is not enough to change a second factor: a stolen
session would otherwise become a second factor of its own, for good. Adding
an authenticator or renewing backup codes first asks for the password and a
current one-time code (``confirm_identity``); both go through django-axes,
so guessing them locks the account like guessing at the sign-in page. A
lost second factor is reset by a security officer, never by its owner.
Every change is a bureau-log entry; no secret, code or key is ever in one.
Backup codes are kept as keyed hashes (``backup_codes_issue``), never as
they are typed.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from auditsvc.base.actors import actor_fields
from auditsvc.base.identities import pseudonym
from auditsvc.core.canonical import format_time

from ..errors import (
    AccountChangeNotPermitted,
    EnrolmentExpired,
    HasSecondFactor,
    IdentityNotConfirmed,
    OwnAccount,
    WrongCode,
)
from ..kinds import SiteKind
from ._common import bureau_log, person_fields, require_reason

__all__ = [
    "BACKUP_CODE_COUNT",
    "BACKUP_CODE_HASH_KIND",
    "BACKUP_DEVICE_NAME",
    "ENROLMENT_MINUTES",
    "RESET_PERMISSION",
    "authenticator_enrol_confirm",
    "authenticator_enrol_start",
    "backup_codes_first_issue",
    "backup_codes_issue",
    "backup_codes_renew",
    "confirm_identity",
    "has_second_factor",
    "otp_required",
    "second_factor_reset",
    "verify_second_factor",
]

BACKUP_CODE_COUNT = 5
BACKUP_DEVICE_NAME = "backup codes"
#: The pseudonym kind of stored backup codes (migration site 0006 hashes older ones alike).
BACKUP_CODE_HASH_KIND = "otp-backup-code"
#: An enrolment (a secret shown, its first code not yet typed) is abandoned after this long.
ENROLMENT_MINUTES = 10
RESET_PERMISSION = "site.reset_second_factor"


def otp_required() -> bool:
    """Whether staff must present a second factor (off only for local development)."""
    return getattr(settings, "AUDITSVC_REQUIRE_OTP", True)


def verify_second_factor(user, token: str):
    """The user's confirmed device that accepts ``token``, or None.

    A six-digit token is tried against the user's authenticator apps (TOTP),
    anything else against their backup codes, so a typo does not count a
    failure against every device the user has (django-otp throttles each
    device separately). A backup code works once.
    """
    token = "".join((token or "").split()).lower()
    if not token:
        return None
    if token.isdigit() and len(token) == 6:
        model, kept = TOTPDevice, token
    else:
        model, kept = StaticDevice, _kept_form(token)
    for device in model.objects.filter(user=user, confirmed=True).order_by("pk"):
        if device.verify_token(kept):
            return device
    return None


def _kept_form(code: str) -> str:
    # 16 hex characters of HMAC-SHA256 with the pepper: what StaticToken.token
    # holds (it has room for 16), so a copy of the database signs nobody in.
    return pseudonym(BACKUP_CODE_HASH_KIND, code)[:16]


def backup_codes_issue(device: StaticDevice, count: int = BACKUP_CODE_COUNT) -> list[str]:
    """Replace the codes of ``device`` with ``count`` fresh ones; return them, to show once.

    Only a keyed hash of each code is stored; the codes themselves exist
    nowhere once the caller has shown them.
    """
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(count)]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=_kept_form(code)) for code in codes
    )
    return codes


def has_second_factor(user) -> bool:
    """Whether the user has a confirmed authenticator app or a backup code left."""
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or StaticToken.objects.filter(device__user=user, device__confirmed=True).exists()
    )


def confirm_identity(request, user, *, password: str, code: str) -> None:
    """Check that whoever holds ``user``'s session also knows the password and a current code.

    Raises IdentityNotConfirmed, without saying which of the two was wrong.
    The password goes through ``authenticate(request=...)`` and a wrong code
    is reported as a failed login, so django-axes counts both and locks the
    account after repeated failures. A code is needed whenever the user has a
    second factor (always, unless AUDITSVC_REQUIRE_OTP is off for local
    development). A TOTP code already used (at sign-in) is not accepted
    again: wait for the next one, or use a backup code, which is then spent.
    """
    confirmed = authenticate(request, username=user.get_username(), password=password or "")
    if confirmed is None or confirmed.pk != user.pk:
        raise IdentityNotConfirmed()
    if not otp_required() and not has_second_factor(user):
        return
    if verify_second_factor(user, code) is None:
        user_login_failed.send(
            sender=__name__, credentials={"username": user.get_username()}, request=request
        )
        raise IdentityNotConfirmed()


def authenticator_enrol_start(request, user, *, password: str, code: str) -> TOTPDevice:
    """Start adding an authenticator app: a new, unconfirmed TOTP device whose secret is shown.

    Asks for the password and a current code first (confirm_identity). One
    enrolment at a time: an abandoned one is replaced. Nothing is a second
    factor until ``authenticator_enrol_confirm``, so nothing is logged yet.
    """
    confirm_identity(request, user, password=password, code=code)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        count = TOTPDevice.objects.filter(user=user).count()
        return TOTPDevice.objects.create(
            user=user, name=f"authenticator {count + 1}", confirmed=False
        )


def authenticator_enrol_confirm(user, device_id: int, code: str) -> TOTPDevice:
    """Finish adding an authenticator app with the first code it shows; log it.

    Refuses an enrolment that is not the user's, was replaced, or is older
    than ENROLMENT_MINUTES (EnrolmentExpired), and a wrong code (WrongCode;
    django-otp throttles the device after repeated failures).
    """
    oldest = timezone.now() - dt.timedelta(minutes=ENROLMENT_MINUTES)
    device = TOTPDevice.objects.filter(
        user=user, confirmed=False, pk=device_id, created_at__gte=oldest
    ).first()
    if device is None:
        raise EnrolmentExpired()
    # Outside the transaction below: a failure's throttle count must be kept.
    if not device.verify_token("".join((code or "").split())):
        raise WrongCode(field="token")
    with transaction.atomic():
        # Conditional: of two confirmations racing, one finds the device confirmed already.
        if not TOTPDevice.objects.filter(pk=device.pk, confirmed=False).update(confirmed=True):
            raise EnrolmentExpired()
        device.confirmed = True
        bureau_log(
            SiteKind.AUTHENTICATOR_ADDED,
            {
                **person_fields(user),
                "authenticator": device.name,
                "device_id": device.pk,
                **actor_fields(user),
                "added_at": format_time(timezone.now()),
            },
        )
    return device


def backup_codes_renew(
    request, user, *, password: str, code: str, count: int = BACKUP_CODE_COUNT
) -> list[str]:
    """Replace the user's backup codes with ``count`` fresh ones and return them (show once).

    Asks for the password and a current code first (confirm_identity); the
    old codes stop working. The bureau log gets the counts, never a code.
    """
    confirm_identity(request, user, password=password, code=code)
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
        )
        replaced = device.token_set.count()
        codes = backup_codes_issue(device, count)
        bureau_log(
            SiteKind.BACKUP_CODES_RENEWED,
            {
                **person_fields(user),
                "codes": len(codes),
                "codes_replaced": replaced,
                **actor_fields(user),
                "renewed_at": format_time(timezone.now()),
            },
        )
    return codes


def backup_codes_first_issue(user, *, count: int = BACKUP_CODE_COUNT) -> list[str]:
    """Give a new staff member, who has no second factor yet, backup codes; return them.

    For the operator's command line (``manage.py issue_backup_codes``), the
    first step of an account. Refused (``HasSecondFactor``) when the person
    has an authenticator app or a backup code left: a lost second factor is
    reset by a security officer, with a reason. The bureau log records the
    codes' count with no actor (the system), never a code.
    """
    with transaction.atomic():
        locked = get_user_model().objects.select_for_update().get(pk=user.pk)
        if has_second_factor(locked):
            raise HasSecondFactor()
        device, _ = StaticDevice.objects.update_or_create(
            user=locked, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
        )
        codes = backup_codes_issue(device, count)
        bureau_log(
            SiteKind.BACKUP_CODES_RENEWED,
            {
                **person_fields(locked),
                "codes": len(codes),
                "codes_replaced": 0,
                **actor_fields(None),
                "renewed_at": format_time(timezone.now()),
            },
        )
    return codes


def second_factor_reset(user, *, actor, reason: str) -> list[str]:
    """Remove every second factor of ``user`` and give them a fresh set of backup codes.

    For a lost or stolen phone. Only a security officer
    (``site.reset_second_factor``) may, never for their own account. Every
    authenticator app and backup code of the user stops working at once, and
    so do their sessions (django-otp checks on each request that the device
    the session was verified with still exists). The returned codes are for
    the user alone: hand them over in person. The user signs in with one and,
    on their Two-factor page, adds a new authenticator app with the password
    and another (each code works once). The bureau log records the reset with
    the counts removed, never a code.
    """
    reason = require_reason(reason)
    if actor is None or not actor.has_perm(RESET_PERMISSION):
        raise AccountChangeNotPermitted(
            _("Resetting a second factor needs the %(permission)s permission.")
            % {"permission": RESET_PERMISSION}
        )
    if actor.pk == user.pk:
        raise OwnAccount(_("Nobody resets their own second factor: ask another security officer."))
    with transaction.atomic():
        locked = get_user_model().objects.select_for_update().get(pk=user.pk)
        authenticators_removed = TOTPDevice.objects.filter(user=locked, confirmed=True).count()
        codes_removed = StaticToken.objects.filter(device__user=locked).count()
        TOTPDevice.objects.filter(user=locked).delete()
        StaticDevice.objects.filter(user=locked).delete()
        device = StaticDevice.objects.create(user=locked, name=BACKUP_DEVICE_NAME, confirmed=True)
        codes = backup_codes_issue(device)
        bureau_log(
            SiteKind.SECOND_FACTOR_RESET,
            {
                **person_fields(locked),
                "authenticators_removed": authenticators_removed,
                "backup_codes_removed": codes_removed,
                "codes_issued": len(codes),
                "reason": reason,
                **actor_fields(actor),
                "reset_at": format_time(timezone.now()),
            },
        )
    return codes
