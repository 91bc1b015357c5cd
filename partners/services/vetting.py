"""Registering partners and moving them through vetting (their documents: documents.py).

The Dengzhou gang got recommendation letters without anyone checking who they
were. Here every partner is registered with a verified credit code, hands in
its qualification documents (pinned by SHA-256), and is approved only by a
second person, only with a complete and current file; every step is a
VettingDecision and a bureau-log entry that cannot be edited afterwards.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from auditsvc.base.actors import actor_fields
from auditsvc.core.canonical import format_time

from ..choices import TRANSITIONS, PartnerStatus
from ..errors import DocumentsIncomplete, IllegalTransition, MakerCheckerRefused, NotPermitted
from ..kinds import RegistryKind
from ..models import Partner, QualificationDocument, VettingDecision
from ..selectors import partner_missing_documents
from ._common import bureau_log, require_reason

__all__ = [
    "TRANSITION_PERMISSIONS",
    "maker_checker_refusal",
    "partner_register",
    "vetting_approve",
    "vetting_moves_for",
    "vetting_reinstate",
    "vetting_reject",
    "vetting_revoke",
    "vetting_start_review",
    "vetting_suspend",
    "vetting_system_suspend",
    "vetting_transition",
]

#: Which permission each destination of a vetting move needs. Approving (and
#: reinstating) is the second pair of eyes, and revoking is final: both need the
#: approve permission (the Approvers group; DESIGN.md "Roles": staff may not
#: approve, reinstate or revoke). vetting_transition enforces it; the admin
#: offers its buttons by it (vetting_moves_for).
TRANSITION_PERMISSIONS: dict[str, str] = {
    PartnerStatus.UNDER_REVIEW: "partners.review_partner",
    PartnerStatus.REJECTED: "partners.review_partner",
    PartnerStatus.SUSPENDED: "partners.review_partner",
    PartnerStatus.REVOKED: "partners.approve_partner",
    PartnerStatus.APPROVED: "partners.approve_partner",
}
# Two registrations racing for the same next code: the loser retries with the next one.
_CODE_ATTEMPTS = 5


def partner_register(
    *,
    actor,
    legal_name: str,
    uscc: str,
    kind: str,
    contact_name: str,
    contact_email: str,
    dpo_name: str,
    dpo_email: str,
    address: str,
    parent: Partner | None = None,
) -> Partner:
    """Register a partner (status ``applied``) and record it in the bureau log.

    Every field is validated (the credit code by its check character) and a
    ValidationError names the bad fields. The partner gets the next free code
    (P0001, P0002, ...), which is also its log id.
    """
    partner = Partner(
        legal_name=legal_name,
        uscc=uscc.strip() if isinstance(uscc, str) else uscc,
        kind=kind,
        contact_name=contact_name,
        contact_email=contact_email,
        dpo_name=dpo_name,
        dpo_email=dpo_email,
        address=address,
        parent=parent,
        status=PartnerStatus.APPLIED,
        registered_by=actor,
    )
    partner.full_clean(exclude=["code"])

    for attempt in range(_CODE_ATTEMPTS):
        try:
            with transaction.atomic():
                partner.code = Partner.objects.next_code()
                partner.status_changed_at = timezone.now()
                partner.save(force_insert=True)
                bureau_log(
                    RegistryKind.PARTNER_REGISTERED,
                    {
                        "partner": partner.code,
                        "legal_name": partner.legal_name,
                        "uscc": partner.uscc,
                        "kind": partner.kind,
                        "parent": parent.code if parent is not None else None,
                        "status": partner.status,
                        **actor_fields(actor),
                        "registered_at": format_time(partner.status_changed_at),
                    },
                )
            return partner
        except IntegrityError:
            partner.pk = None
            partner._state.adding = True
            code_taken = Partner.objects.filter(code=partner.code).exists()
            if not code_taken or attempt == _CODE_ATTEMPTS - 1:
                # Not the code race: most likely the same credit code registered
                # concurrently, which full_clean reports with the field name.
                partner.full_clean(exclude=["code"])
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def vetting_moves_for(partner: Partner, user) -> list[PartnerStatus]:
    """The statuses ``user`` may move ``partner`` to from its current status, in workflow order.

    The moves partners.choices.TRANSITIONS allows from ``partner.status``
    whose permission (TRANSITION_PERMISSIONS) the user holds: what the admin
    offers as buttons. It reads, and decides nothing: vetting_transition checks
    the same again under a lock, and more (maker-checker, documents).
    """
    if user is None:
        return []
    legal = TRANSITIONS.get(partner.status, frozenset())
    return [
        status
        for status in PartnerStatus
        if status in legal and user.has_perm(TRANSITION_PERMISSIONS[status])
    ]


def vetting_transition(partner: Partner, to_status: str, *, actor, reason: str) -> VettingDecision:
    """Move a partner through vetting; the only function that changes a partner's status.

    Checks, in this order: a reason is given (ReasonRequired); the move is in
    partners.choices.TRANSITIONS (IllegalTransition); the actor holds the
    permission (NotPermitted); an approval or a reinstatement is not made by
    a maker of the partner's file, nor a reinstatement by whoever suspended
    it (MakerCheckerRefused, see maker_checker_refusal); an approval finds
    every required document present and valid today (DocumentsIncomplete).

    The partner row is locked for the whole decision, so two approvals (or an
    approval and a suspension) cannot both start from the same status. The
    VettingDecision and its bureau-log entry commit together or not at all.
    ``partner`` is updated in place with the new status.
    """
    return _transition(partner, to_status, actor=actor, reason=reason)


def _transition(
    partner: Partner,
    to_status: str,
    *,
    actor,
    reason: str,
    expected_from: PartnerStatus | None = None,
    system_extra: dict | None = None,
) -> VettingDecision:
    reason = require_reason(reason)
    with transaction.atomic():
        locked = Partner.objects.select_for_update().get(pk=partner.pk)
        from_status = locked.status
        to_value = str(getattr(to_status, "value", to_status))
        if to_value not in TRANSITIONS.get(from_status, frozenset()):
            raise IllegalTransition(
                _("%(code)s cannot move from %(from)s to %(to)s.")
                % {"code": locked.code, "from": from_status, "to": to_value},
                field="status",
            )
        if expected_from is not None and from_status != expected_from:
            # The named moves say where the partner comes from too: "approve"
            # ends a review and "reinstate" ends a suspension, so a click on the
            # wrong one is refused instead of silently doing the other.
            raise IllegalTransition(
                _(
                    "%(code)s is %(from)s, not %(expected)s: use the matching action to move it "
                    "from %(from)s to %(to)s."
                )
                % {
                    "code": locked.code,
                    "from": from_status,
                    "expected": expected_from,
                    "to": to_value,
                },
                field="status",
            )
        to_status = PartnerStatus(to_value)

        permission = TRANSITION_PERMISSIONS[to_status]
        # The system (system_extra given) acts by a policy the bureau turned on, not a permission.
        if system_extra is None and (actor is None or not actor.has_perm(permission)):
            raise NotPermitted(
                _("Moving a partner to %(status)s needs the %(permission)s permission.")
                % {"status": to_status, "permission": permission}
            )

        if to_status == PartnerStatus.APPROVED:
            refusal = maker_checker_refusal(locked, actor, from_status=from_status)
            if refusal is not None:
                raise MakerCheckerRefused(refusal)
            missing = partner_missing_documents(locked)
            if missing:
                raise DocumentsIncomplete(
                    _("%(code)s cannot be approved; documents: %(missing)s.")
                    % {"code": locked.code, "missing": ", ".join(map(str, missing))},
                    field="documents",
                )

        decided_at = timezone.now()
        entry = bureau_log(
            RegistryKind.PARTNER_VETTING,
            {
                "partner": locked.code,
                "uscc": locked.uscc,
                "from": from_status,
                "to": to_status.value,
                "reason": reason,
                **actor_fields(actor),
                **(system_extra or {}),
                "decided_at": format_time(decided_at),
            },
        )
        decision = VettingDecision.objects.create(
            partner=locked,
            actor=actor,
            from_status=from_status,
            to_status=to_status,
            reason=reason,
            decided_at=decided_at,
            ledger_seq=entry.seq,
        )
        locked.status = to_status
        locked.status_changed_at = decided_at
        locked.save(update_fields=["status", "status_changed_at"])

    partner.status = locked.status
    partner.status_changed_at = locked.status_changed_at
    return decision


def maker_checker_refusal(partner: Partner, actor, *, from_status: str) -> str | None:
    """Why ``actor`` may not approve ``partner`` from ``from_status``, or None if they may.

    The one place that decides maker-checker; the service refuses by it and
    the admin warns by it. Approving (from under review) and reinstating
    (from suspended) both end in "approved", and both need a second pair of
    eyes: nobody approves what they prepared. A maker is whoever registered
    the partner, added any of its qualification documents or started its
    review; these are read from the records (``Partner.registered_by``,
    ``QualificationDocument.uploaded_by``, the VettingDecisions), never from
    a form. Reinstating is also refused to whoever suspended the partner
    last: someone could otherwise suspend a partner over a pretext and quietly
    reinstate it, with nobody else looking.

    The answer names every reason that applies, e.g. "You cannot reinstate
    P0004: you suspended it. Another approver must reinstate it."
    """
    if actor is None or actor.pk is None:
        return None  # the system acts on rules, and vetting_transition checks permissions first
    reinstating = from_status == PartnerStatus.SUSPENDED
    reasons = []
    if reinstating and _last_actor_to(partner, PartnerStatus.SUSPENDED) == actor.pk:
        reasons.append(_("you suspended it"))
    if partner.registered_by_id == actor.pk:
        reasons.append(_("you registered it"))
    if QualificationDocument.objects.filter(partner=partner, uploaded_by=actor).exists():
        reasons.append(_("you added its documents"))
    if VettingDecision.objects.filter(
        partner=partner, to_status=PartnerStatus.UNDER_REVIEW, actor=actor
    ).exists():
        reasons.append(_("you started its review"))
    if not reasons:
        return None
    listed = (
        str(reasons[0])
        if len(reasons) == 1
        else _("%(first)s and %(last)s")
        % {"first": ", ".join(map(str, reasons[:-1])), "last": reasons[-1]}
    )
    if reinstating:
        return _(
            "You cannot reinstate %(code)s: %(reasons)s. Another approver must reinstate it."
        ) % {
            "code": partner.code,
            "reasons": listed,
        }
    return _("You cannot approve %(code)s: %(reasons)s. Another approver must approve it.") % {
        "code": partner.code,
        "reasons": listed,
    }


def _last_actor_to(partner: Partner, status: PartnerStatus) -> int | None:
    """Id of whoever last moved the partner to ``status`` (None if nobody ever did)."""
    return (
        VettingDecision.objects.filter(partner=partner, to_status=status)
        .order_by("-decided_at", "-id")
        .values_list("actor_id", flat=True)
        .first()
    )


def vetting_start_review(partner: Partner, *, actor, reason: str) -> VettingDecision:
    """applied -> under_review."""
    return vetting_transition(partner, PartnerStatus.UNDER_REVIEW, actor=actor, reason=reason)


def vetting_approve(partner: Partner, *, actor, reason: str) -> VettingDecision:
    """under_review -> approved (a second person; documents complete)."""
    return _transition(
        partner,
        PartnerStatus.APPROVED,
        actor=actor,
        reason=reason,
        expected_from=PartnerStatus.UNDER_REVIEW,
    )


def vetting_reject(partner: Partner, *, actor, reason: str) -> VettingDecision:
    """under_review -> rejected (final)."""
    return vetting_transition(partner, PartnerStatus.REJECTED, actor=actor, reason=reason)


def vetting_suspend(partner: Partner, *, actor, reason: str) -> VettingDecision:
    """approved -> suspended."""
    return vetting_transition(partner, PartnerStatus.SUSPENDED, actor=actor, reason=reason)


def vetting_system_suspend(partner: Partner, *, reason: str, alert_id: int) -> VettingDecision:
    """approved -> suspended by the system (no person): detection's auto-suspend policy.

    The bureau-log entry names no actor (``actor`` and ``actor_id`` null) and
    carries the alert that caused it (``alert``). Reinstating is a normal
    vetting move by an approver.
    """
    return _transition(
        partner,
        PartnerStatus.SUSPENDED,
        actor=None,
        reason=reason,
        expected_from=PartnerStatus.APPROVED,
        system_extra={"alert": alert_id},
    )


def vetting_reinstate(partner: Partner, *, actor, reason: str) -> VettingDecision:
    """suspended -> approved (same checks as an approval; not by whoever suspended it)."""
    return _transition(
        partner,
        PartnerStatus.APPROVED,
        actor=actor,
        reason=reason,
        expected_from=PartnerStatus.SUSPENDED,
    )


def vetting_revoke(partner: Partner, *, actor, reason: str) -> VettingDecision:
    """suspended -> revoked (final)."""
    return vetting_transition(partner, PartnerStatus.REVOKED, actor=actor, reason=reason)
