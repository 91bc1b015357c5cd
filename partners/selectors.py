"""Reads of the partner registry: what is missing, what expires, what a partner may do.

``PartnerScope`` answers, for every record a partner reports, "was this
partner allowed to do this, here, now, and if not, which rule says no". It is
called for each record of a 1,000-record batch, so it loads the partner's
authorisations once and then decides in memory.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet

from .choices import PartnerStatus, Violation
from .models import SHANGHAI, Authorisation, Partner, QualificationDocument

__all__ = [
    "PartnerScope",
    "ScopeResult",
    "authorisations_expiring",
    "documents_expiring",
    "local_today",
    "partner_missing_documents",
    "partners_awaiting_review",
]

# Violations are reported in the order of the enumeration, so the same record
# always yields the same list (clients and dashboards compare them).
_VIOLATION_ORDER = {code.value: index for index, code in enumerate(Violation)}


def local_today() -> dt.date:
    """Today in Asia/Shanghai: the day on which documents and letters are valid or not."""
    return dt.datetime.now(SHANGHAI).date()


def partner_missing_documents(partner: Partner, *, on: dt.date | None = None) -> list[str]:
    """The required documents (settings.AUDITSVC_REQUIRED_DOCUMENTS) the partner lacks on ``on``.

    Each item is readable by staff: ``"security_assessment (missing)"``,
    ``"business_licence (expired 2026-01-01)"`` or
    ``"staff_list (not valid before 2026-05-01)"``. An empty list means the
    partner's file is complete. ``on`` defaults to today in Asia/Shanghai.
    """
    day = on or local_today()
    required = list(settings.AUDITSVC_REQUIRED_DOCUMENTS)
    by_type: dict[str, list[QualificationDocument]] = {doc_type: [] for doc_type in required}
    for document in QualificationDocument.objects.filter(partner=partner, doc_type__in=required):
        by_type[document.doc_type].append(document)

    missing = []
    for doc_type in required:
        documents = by_type[doc_type]
        if any(document.is_valid_on(day) for document in documents):
            continue
        expired = [d.expires_on for d in documents if d.expires_on and d.expires_on < day]
        future = [d.issued_on for d in documents if d.issued_on > day]
        if expired:
            missing.append(f"{doc_type} (expired {max(expired).isoformat()})")
        elif future:
            missing.append(f"{doc_type} (not valid before {min(future).isoformat()})")
        else:
            missing.append(f"{doc_type} (missing)")
    return missing


def partners_awaiting_review() -> QuerySet[Partner]:
    """Partners waiting for a vetting decision: applied (review not started) or under review.

    Oldest first, so the queue is worked in the order partners entered it.
    """
    return Partner.objects.filter(
        status__in=[PartnerStatus.APPLIED, PartnerStatus.UNDER_REVIEW]
    ).order_by("status_changed_at", "code")


def authorisations_expiring(*, within_days: int = 30) -> QuerySet[Authorisation]:
    """Current authorisations of approved partners whose last valid day is within ``within_days``.

    Revoked letters and letters of partners that are not approved are left
    out: they need no renewal. Soonest first.
    """
    today = local_today()
    return (
        Authorisation.objects.filter(
            partner__status=PartnerStatus.APPROVED,
            revoked_at__isnull=True,
            valid_from__lte=today,
            valid_until__gte=today,
            valid_until__lte=today + dt.timedelta(days=within_days),
        )
        .select_related("partner")
        .order_by("valid_until", "partner__code", "letter_number")
    )


def documents_expiring(*, within_days: int = 30) -> QuerySet[QualificationDocument]:
    """Documents that stop being valid within ``within_days`` and have no successor yet.

    A document counts when it is valid today and expires inside the window,
    its partner is still in play (not rejected or revoked), and the partner has
    no other document of the same type that stays valid past the window: once a
    renewed document is uploaded, the old one drops off the list. Soonest first.
    """
    today = local_today()
    window_end = today + dt.timedelta(days=within_days)
    successor = QualificationDocument.objects.filter(
        partner=OuterRef("partner"),
        doc_type=OuterRef("doc_type"),
        issued_on__lte=window_end,
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gt=window_end))
    return (
        QualificationDocument.objects.filter(
            issued_on__lte=today, expires_on__gte=today, expires_on__lte=window_end
        )
        .exclude(partner__status__in=[PartnerStatus.REJECTED, PartnerStatus.REVOKED])
        .exclude(Exists(successor))
        .select_related("partner")
        .order_by("expires_on", "partner__code", "doc_type")
    )


# --- Scope ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScopeResult:
    """The answer of ``PartnerScope.check``.

    ``violations`` holds partners.choices.Violation codes in a stable order
    (empty when the record is within scope). ``authorisation`` is the
    authorisation that covers the record or, when none does, the closest
    one (the current one with the fewest violations, else the one nearest in
    time); the caps are that authorisation's.
    """

    violations: list[str]
    authorisation: Authorisation | None
    daily_cap_per_agent: int | None = None
    daily_cap_per_partner: int | None = None

    @property
    def allowed(self) -> bool:
        return not self.violations


@dataclass(frozen=True, slots=True)
class _Rule:
    """One authorisation, pre-digested for fast checks."""

    authorisation: Authorisation
    regions: tuple[str, ...]
    purposes: frozenset[str]
    fields: frozenset[str]

    def violations(self, region_code: str, purpose: str, fields, time_of_day) -> list[str]:
        found = []
        if not region_code.startswith(self.regions):
            found.append(Violation.REGION_NOT_AUTHORISED.value)
        if purpose not in self.purposes:
            found.append(Violation.PURPOSE_NOT_AUTHORISED.value)
        if fields is not None and not self.fields.issuperset(fields):
            found.append(Violation.FIELD_NOT_PERMITTED.value)
        auth = self.authorisation
        if not (auth.hours_start <= time_of_day < auth.hours_end):
            found.append(Violation.OUTSIDE_HOURS.value)
        return found


def _distance_in_days(authorisation: Authorisation, day: dt.date) -> int:
    if day < authorisation.valid_from:
        return (authorisation.valid_from - day).days
    if day > authorisation.valid_until:
        return (day - authorisation.valid_until).days
    return 0


@dataclass(slots=True)
class PartnerScope:
    """What one partner may do, loaded once and checked in memory for many records.

    Revoked authorisations are left out entirely: once a letter is revoked it
    covers nothing, not even records uploaded late about the time before.
    The partner's status is the one of the partner object passed to ``load``.
    """

    partner_status: str
    _rules: list[_Rule] = field(default_factory=list)

    @classmethod
    def load(cls, partner: Partner) -> PartnerScope:
        """Load the partner's non-revoked authorisations (one query)."""
        authorisations = Authorisation.objects.filter(
            partner_id=partner.pk, revoked_at__isnull=True
        ).order_by("-valid_from", "-id")
        rules = [
            _Rule(
                authorisation=auth,
                regions=tuple(str(region) for region in auth.regions),
                purposes=frozenset(auth.purposes),
                fields=frozenset(auth.fields),
            )
            for auth in authorisations
        ]
        return cls(partner_status=partner.status, _rules=rules)

    @property
    def authorisations(self) -> list[Authorisation]:
        """The non-revoked authorisations, newest first."""
        return [rule.authorisation for rule in self._rules]

    def check(
        self, *, region_code: str, purpose: str, fields: list[str] | None, at: dt.datetime
    ) -> ScopeResult:
        """Is the partner allowed to read ``fields`` for ``purpose`` in ``region_code`` at ``at``?

        ``fields=None`` skips the field check (sessions carry no fields).
        ``at`` must be timezone-aware; dates and hours are read in
        Asia/Shanghai. When several current authorisations cover the record,
        the newest is returned.
        """
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError("PartnerScope.check needs an aware datetime")
        local = at.astimezone(SHANGHAI)
        day, time_of_day = local.date(), local.time()

        violations = []
        if self.partner_status != PartnerStatus.APPROVED:
            violations.append(Violation.PARTNER_NOT_APPROVED.value)

        current = [rule for rule in self._rules if rule.authorisation.is_current_on(day)]
        if not current:
            violations.append(Violation.AUTHORISATION_EXPIRED.value)
            closest = min(
                self._rules,
                key=lambda rule: _distance_in_days(rule.authorisation, day),
                default=None,
            )
            return _result(violations, closest.authorisation if closest else None)

        best: tuple[list[str], Authorisation] | None = None
        for rule in current:
            found = rule.violations(region_code, purpose, fields, time_of_day)
            if not found:
                return _result(violations, rule.authorisation)
            if best is None or len(found) < len(best[0]):
                best = (found, rule.authorisation)
        assert best is not None  # current is not empty
        return _result(violations + best[0], best[1])


def _result(violations: list[str], authorisation: Authorisation | None) -> ScopeResult:
    violations.sort(key=_VIOLATION_ORDER.__getitem__)
    return ScopeResult(
        violations=violations,
        authorisation=authorisation,
        daily_cap_per_agent=authorisation.daily_cap_per_agent if authorisation else None,
        daily_cap_per_partner=authorisation.daily_cap_per_partner if authorisation else None,
    )
