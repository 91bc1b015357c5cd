"""What the ingestion services share: the kind check, agents, violation order."""

from __future__ import annotations

from collections.abc import Iterable

from auditsvc.models import ViolationsMixin
from partners.choices import AgentStatus, Violation
from partners.models import Agent, ApiCredential, Partner

from ..errors import WrongPartnerKind

# Violations are listed in the order of the enumeration, so the same record
# always yields the same list.
ORDER = {code.value: position for position, code in enumerate(Violation)}
AGENT_UNKNOWN = Violation.AGENT_UNKNOWN.value
AGENT_SUSPENDED = Violation.AGENT_SUSPENDED.value
NO_OPEN_SESSION = Violation.NO_OPEN_SESSION.value
DAILY_CAP_EXCEEDED = Violation.DAILY_CAP_EXCEEDED.value
PARTNER_NOT_APPROVED = Violation.PARTNER_NOT_APPROVED.value
ACTIVE = AgentStatus.ACTIVE.value
join_violations = ViolationsMixin.join_violations


def split_violations(violations: str) -> list[str]:
    """The codes of a stored ``",a,b,"`` violations column."""
    return [code for code in violations.split(",") if code]


def require_kind(partner: Partner, kind: str) -> None:
    """Refuse a partner of another kind (``WrongPartnerKind``, 403)."""
    if partner.kind != kind:
        raise WrongPartnerKind(
            f"Only partners of kind {kind} may use this endpoint; yours is {partner.kind}."
        )


def ordered(codes: Iterable[str]) -> list[str]:
    """Violation codes without repeats, in the order of the enumeration."""
    return sorted(set(codes), key=ORDER.__getitem__)


def credential_id(credential: ApiCredential | None) -> int | None:
    return credential.pk if credential is not None else None


def agents_of(partner: Partner, codes: Iterable[str]) -> dict[str, tuple[int, str]]:
    """{agent code: (agent id, status)} for the partner's agents among ``codes`` (one query)."""
    rows = Agent.objects.filter(partner_id=partner.pk, code__in=set(codes)).values_list(
        "code", "pk", "status"
    )
    return {code: (pk, status) for code, pk, status in rows}


def agent_check(agents: dict[str, tuple[int, str]], code: str) -> tuple[int | None, str | None]:
    """(agent id or None, the agent violation or None)."""
    found = agents.get(code)
    if found is None:
        return None, AGENT_UNKNOWN
    pk, status = found
    return pk, (None if status == ACTIVE else AGENT_SUSPENDED)
