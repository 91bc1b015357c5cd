"""What the ingestion services share: the kind check, agents, violations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from partners.choices import AgentStatus, Violation
from partners.models import SHANGHAI, Agent, AgentStatusChange, ApiCredential, Partner

from ..errors import WrongPartnerKind
from ..models import ViolationsMixin

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
            _("Only partners of kind %(kind)s may use this endpoint; yours is %(yours)s.")
            % {"kind": kind, "yours": partner.kind}
        )


def credential_id(credential: ApiCredential | None) -> int | None:
    return credential.pk if credential is not None else None


def is_test(credential: ApiCredential | None) -> bool:
    """Whether the records come with a test key: they then go to the partner's test log."""
    return credential is not None and credential.is_test


def agent_registered_at(created_at: dt.datetime, registered_on: dt.date) -> dt.datetime:
    """When an agent counts as registered: the later of when the bureau recorded it and the
    start (Asia/Shanghai) of the day its registration gives.

    Neither a registration day typed in the past nor one in the future lets an
    access from before the bureau knew the agent pass as a registered agent's.
    """
    day_start = dt.datetime.combine(registered_on, dt.time(0), tzinfo=SHANGHAI)
    return max(created_at, day_start)


@dataclass(slots=True)
class AgentRecord:
    """One registered agent as ingestion judges it: registration, current status, history.

    ``registered_at`` is when it became an agent (``agent_registered_at``);
    ``history`` holds (changed_at, from_status, to_status), oldest first.
    """

    pk: int
    status: str
    registered_at: dt.datetime
    history: list[tuple[dt.datetime, str, str]] = field(default_factory=list)

    def status_at(self, at: dt.datetime) -> str:
        """The agent's status at ``at``: the latest change at or before it decides.

        Before the first change the agent had that change's ``from_status``
        (active, as agents are registered); with no change at all, its
        current status.
        """
        if not self.history:
            return self.status
        status = self.history[0][1]
        for changed_at, _from_status, to_status in self.history:
            if changed_at > at:
                break
            status = to_status
        return status

    def may_work_at(self, at: dt.datetime) -> bool:
        """Active both at ``at`` and now, as partners are judged (see PartnerScope)."""
        return self.status == ACTIVE and self.status_at(at) == ACTIVE


def agents_of(partner: Partner, codes: Iterable[str]) -> dict[str, AgentRecord]:
    """{agent code: AgentRecord} for the partner's agents among ``codes`` (two queries).

    The current status is read here, inside the caller's transaction, so a
    suspension committed before the upload counts.
    """
    agents = {
        code: AgentRecord(pk, status, agent_registered_at(created_at, registered_on))
        for code, pk, status, created_at, registered_on in Agent.objects.filter(
            partner_id=partner.pk, code__in=set(codes)
        ).values_list("code", "pk", "status", "created_at", "registered_on")
    }
    if agents:
        by_pk = {agent.pk: agent for agent in agents.values()}
        # Oldest first, so status_at can scan forward; ties keep the order of the changes.
        changes = (
            AgentStatusChange.objects.filter(agent_id__in=by_pk)
            .order_by("agent_id", "changed_at", "id")
            .values_list("agent_id", "changed_at", "from_status", "to_status")
        )
        for agent_id, changed_at, from_status, to_status in changes:
            by_pk[agent_id].history.append((changed_at, from_status, to_status))
    return agents


def agent_check(
    agents: dict[str, AgentRecord], code: str, at: dt.datetime
) -> tuple[int | None, str | None]:
    """(agent id or None, the agent violation or None) for an access at ``at``.

    ``agent_unknown`` (and no agent id) if no agent has the code, or none had
    it yet at ``at``: the agent is judged at the access time, as the partner
    is, so a late upload of accesses made before the registration stays
    flagged. ``agent_suspended`` if the agent was not active at ``at`` or is
    not now: an access during a suspension stays flagged after a
    reactivation, and a suspended agent's late uploads are flagged too.
    """
    found = agents.get(code)
    if found is None or at < found.registered_at:
        return None, AGENT_UNKNOWN
    return found.pk, (None if found.may_work_at(at) else AGENT_SUSPENDED)
