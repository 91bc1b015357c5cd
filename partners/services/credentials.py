"""API keys of partner software and personal API tokens of staff.

A key is shown once, when it is issued; the database keeps only its SHA-256
and a short prefix to recognise it (partners.auth). Revoking takes effect on
the next request: authentication looks for an unrevoked row.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from auditsvc.base.actors import actor_fields
from auditsvc.core.canonical import format_time

from ..auth import (
    PARTNER_KEY_PREFIX,
    PARTNER_TEST_KEY_PREFIX,
    STAFF_TOKEN_PREFIX,
    hash_key,
    new_key,
)
from ..errors import CredentialRevoked
from ..kinds import RegistryKind
from ..models import ApiCredential, Partner, StaffToken
from ._common import bureau_log, revoke_record

__all__ = ["credential_issue", "credential_revoke", "staff_token_issue", "staff_token_revoke"]


def _label(label: object) -> str:
    text = label.strip() if isinstance(label, str) else ""
    if not text:
        raise ValidationError(
            {"label": _("Give the key a label (which software or person uses it).")}
        )
    if len(text) > 100:
        raise ValidationError({"label": _("A label is at most 100 characters.")})
    return text


def credential_issue(
    partner: Partner, *, actor, label: str, test: bool = False
) -> tuple[ApiCredential, str]:
    """Issue an API key for the partner's software; return the credential and the raw key.

    The raw key exists only in the return value: hand it over once. The
    bureau log records the prefix, never the key. A test key (``test=True``,
    prefix ``ask_test_``) lets the partner's developers integrate: its
    requests are validated and answered exactly like live ones, but its
    records go to the partner's test log and are never evidence.
    """
    label = _label(label)
    key, prefix = new_key(PARTNER_TEST_KEY_PREFIX if test else PARTNER_KEY_PREFIX)
    with transaction.atomic():
        credential = ApiCredential.objects.create(
            partner=partner,
            label=label,
            prefix=prefix,
            key_hash=hash_key(key),
            is_test=test,
            created_by=actor,
        )
        bureau_log(
            RegistryKind.CREDENTIAL_ISSUED,
            {
                "partner": partner.code,
                "credential": credential.pk,
                "prefix": prefix,
                "label": label,
                "test": test,
                **actor_fields(actor),
                "issued_at": format_time(credential.created_at),
            },
        )
    return credential, key


def credential_revoke(credential: ApiCredential, *, actor, reason: str) -> ApiCredential:
    """Revoke a partner API key from the next request on; record who and why in the bureau log.

    Raises CredentialRevoked if it was revoked already.
    """
    return revoke_record(
        credential,
        actor=actor,
        reason=reason,
        kind=RegistryKind.CREDENTIAL_REVOKED,
        already=lambda locked: CredentialRevoked(
            _("The key %(prefix)s… was revoked already.") % {"prefix": locked.prefix}
        ),
        body=lambda locked: {
            "partner": locked.partner.code,
            "credential": locked.pk,
            "prefix": locked.prefix,
        },
    )


def staff_token_issue(user, *, label: str, actor=None) -> tuple[StaffToken, str]:
    """Issue a personal API token for ``user``; return the token row and the raw token.

    The token acts with the user's own permissions (an auditor's reads the
    whole bureau log), so who got one, from whom, is a bureau-log entry. The
    entry holds the prefix, never the token. ``actor`` is who issued it (None
    from the command line, where the operator is the machine's admin).
    """
    label = _label(label)
    key, prefix = new_key(STAFF_TOKEN_PREFIX)
    with transaction.atomic():
        token = StaffToken.objects.create(
            user=user, label=label, prefix=prefix, key_hash=hash_key(key)
        )
        bureau_log(
            RegistryKind.STAFF_TOKEN_ISSUED,
            {
                "staff_token": token.pk,
                "user": user.get_username(),
                "user_id": user.pk,
                "prefix": prefix,
                "label": label,
                **actor_fields(actor),
                "issued_at": format_time(token.created_at),
            },
        )
    return token, key


def staff_token_revoke(token: StaffToken, *, actor) -> StaffToken:
    """Revoke a personal API token from the next request on; record it in the bureau log.

    Raises CredentialRevoked if it was revoked already.
    """
    with transaction.atomic():
        locked = (
            StaffToken.objects.select_for_update(of=("self",))
            .select_related("user")
            .get(pk=token.pk)
        )
        if locked.revoked_at is not None:
            raise CredentialRevoked(
                _("The token %(prefix)s… was revoked already.") % {"prefix": locked.prefix}
            )

        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        bureau_log(
            RegistryKind.STAFF_TOKEN_REVOKED,
            {
                "staff_token": locked.pk,
                "user": locked.user.get_username(),
                "user_id": locked.user_id,
                "prefix": locked.prefix,
                "label": locked.label,
                **actor_fields(actor),
                "revoked_at": format_time(locked.revoked_at),
            },
        )
    token.revoked_at = locked.revoked_at
    return token
