"""Registering a partner's field agents and changing their status.

An agent's phone and identity number are what lets detection tie one person
to many partners or accounts, but they are personal data: only their keyed
pseudonyms are kept, in the row and in the ledger alike.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from auditsvc.base.actors import actor_fields
from auditsvc.base.identities import RESIDENT_ID_SCHEME, IdentityError, phone_ref, resident_identity
from auditsvc.core.canonical import format_time

from ..choices import AgentStatus
from ..kinds import RegistryKind
from ..models import Agent, AgentStatusChange, Partner
from ..selectors import local_today
from ._common import bureau_log, require_reason

__all__ = ["agent_register", "agent_set_status"]


def agent_register(
    partner: Partner,
    *,
    actor,
    code: str,
    name: str,
    phone: str,
    id_number: str,
    registered_on: dt.date | None = None,
) -> Agent:
    """Register a field agent of ``partner`` (status active) and record it in the bureau log.

    ``phone`` and ``id_number`` are validated and turned into pseudonyms
    (``phone_ref``, ``identity_ref``); the raw values go nowhere, not even into
    an error message. A ValidationError names each bad field.
    """
    errors: dict[str, list] = {}
    agent = Agent(
        partner=partner,
        code=code.strip() if isinstance(code, str) else code,
        name=name,
        status=AgentStatus.ACTIVE,
        registered_on=registered_on or local_today(),
    )
    try:
        agent.phone_ref = phone_ref(phone)
    except IdentityError as exc:
        errors["phone"] = [ValidationError(exc.message, code=exc.code)]
    try:
        agent.identity_ref = resident_identity(RESIDENT_ID_SCHEME, id_number).identity_ref
    except IdentityError as exc:
        errors["id_number"] = [ValidationError(exc.message, code=exc.code)]
    try:
        # The per-partner uniqueness of the code is checked below, with the field named.
        agent.full_clean(exclude=["phone_ref", "identity_ref"], validate_constraints=False)
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    if "code" not in errors and Agent.objects.filter(partner=partner, code=agent.code).exists():
        errors["code"] = [
            ValidationError(_("This partner already has an agent with this code."), code="unique")
        ]
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        agent.save()
        bureau_log(
            RegistryKind.AGENT_REGISTERED,
            {
                "partner": partner.code,
                "agent": agent.code,
                "name": agent.name,
                "phone_ref": agent.phone_ref,
                "identity_ref": agent.identity_ref,
                "status": agent.status,
                "registered_on": agent.registered_on.isoformat(),
                **actor_fields(actor),
                "recorded_at": format_time(agent.created_at),
            },
        )
    return agent


def agent_set_status(agent: Agent, status: str, *, actor, reason: str) -> Agent:
    """Suspend, reactivate or retire an agent, recording who, why and when in the bureau log.

    Also writes an ``AgentStatusChange`` (same transaction, same time), from
    which ingestion judges the agent's status at the time of an access.
    Setting the status the agent already has changes and records nothing.
    """
    reason = require_reason(reason)
    if status not in AgentStatus.values:
        raise ValidationError(
            {
                "status": _("Unknown agent status; use one of %(statuses)s.")
                % {"statuses": ", ".join(AgentStatus.values)}
            }
        )
    with transaction.atomic():
        locked = Agent.objects.select_for_update().select_related("partner").get(pk=agent.pk)
        if locked.status == status:
            agent.status = locked.status
            return agent
        from_status = locked.status
        changed_at = timezone.now()
        locked.status = status
        locked.save(update_fields=["status"])
        entry = bureau_log(
            RegistryKind.AGENT_STATUS_CHANGED,
            {
                "partner": locked.partner.code,
                "agent": locked.code,
                "from": from_status,
                "to": str(status),
                "reason": reason,
                **actor_fields(actor),
                "changed_at": format_time(changed_at),
            },
        )
        # The history lets ingestion judge the agent's status when an access
        # happened, not only when it is uploaded (partners may upload late).
        AgentStatusChange.objects.create(
            agent=locked,
            from_status=from_status,
            to_status=str(status),
            changed_at=changed_at,
            actor=actor,
            reason=reason,
            ledger_seq=entry.seq,
        )
    agent.status = locked.status
    return agent
