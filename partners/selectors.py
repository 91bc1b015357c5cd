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
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import DocumentType, PartnerStatus, Violation, violations_in_order
from .models import SHANGHAI, Authorisation, Partner, QualificationDocument, VettingDecision

__all__ = [
    "DocumentGap",
    "PartnerScope",
    "ScopeResult",
    "authorisations_expiring",
    "documents_expiring",
    "local_today",
    "partner_document_gaps",
    "partner_missing_documents",
    "partners_awaiting_review",
]


def local_today() -> dt.date:
    """Today in Asia/Shanghai: the day on which documents and letters are valid or not.

    Read through ``timezone.now()``, so demo data built on a simulated clock
    (``auditsvc.base.clock``) sees the simulated day.
    """
    return timezone.now().astimezone(SHANGHAI).date()


@dataclass(frozen=True)
class DocumentGap:
    """A required document type a partner lacks on a day: ``missing``, ``expired`` (on
    ``day``, the latest expiry) or ``not_yet_valid`` (until ``day``, the earliest issue)."""

    doc_type: str
    problem: str
    day: dt.date | None = None

    def __str__(self) -> str:
        """The stable text of refusals: ``business_licence (expired 2026-01-01)``."""
        if self.problem == "expired":
            return f"{self.doc_type} (expired {self.day.isoformat()})"
        if self.problem == "not_yet_valid":
            return f"{self.doc_type} (not valid before {self.day.isoformat()})"
        return f"{self.doc_type} (missing)"

    @property
    def label(self) -> str:
        """What staff read: ``Business licence: expired on 2026-01-01``."""
        try:
            name = str(DocumentType(self.doc_type).label)
        except ValueError:
            name = self.doc_type
        if self.problem == "expired":
            return _("%(document)s: expired on %(day)s") % {"document": name, "day": self.day}
        if self.problem == "not_yet_valid":
            return _("%(document)s: not valid before %(day)s") % {"document": name, "day": self.day}
        return _("%(document)s: missing") % {"document": name}


def partner_document_gaps(partner: Partner, *, on: dt.date | None = None) -> list[DocumentGap]:
    """The required documents (settings.AUDITSVC_REQUIRED_DOCUMENTS) the partner lacks on ``on``.

    In the order of the setting; an empty list means the partner's file is
    complete. ``on`` defaults to today in Asia/Shanghai.
    """
    day = on or local_today()
    required = list(settings.AUDITSVC_REQUIRED_DOCUMENTS)
    by_type: dict[str, list[QualificationDocument]] = {doc_type: [] for doc_type in required}
    for document in QualificationDocument.objects.filter(partner=partner, doc_type__in=required):
        by_type[document.doc_type].append(document)

    gaps = []
    for doc_type in required:
        documents = by_type[doc_type]
        if any(document.is_valid_on(day) for document in documents):
            continue
        expired = [d.expires_on for d in documents if d.expires_on and d.expires_on < day]
        future = [d.issued_on for d in documents if d.issued_on > day]
        if expired:
            gaps.append(DocumentGap(doc_type, "expired", max(expired)))
        elif future:
            gaps.append(DocumentGap(doc_type, "not_yet_valid", min(future)))
        else:
            gaps.append(DocumentGap(doc_type, "missing"))
    return gaps


def partner_missing_documents(partner: Partner, *, on: dt.date | None = None) -> list[str]:
    """The required documents the partner lacks on ``on``, as the stable text of refusals.

    Each item reads ``"security_assessment (missing)"``,
    ``"business_licence (expired 2026-01-01)"`` or
    ``"staff_list (not valid before 2026-05-01)"`` (see ``partner_document_gaps``
    for the same as data, and labels for staff).
    """
    return [str(gap) for gap in partner_document_gaps(partner, on=on)]


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

    def in_force_at(self, at: dt.datetime) -> bool:
        """Not revoked yet at ``at`` (a revocation takes effect from its moment on)."""
        revoked_at = self.authorisation.revoked_at
        return revoked_at is None or at < revoked_at

    def current_at(self, at: dt.datetime, day: dt.date) -> bool:
        auth = self.authorisation
        return self.in_force_at(at) and auth.valid_from <= day <= auth.valid_until

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


def _rule(auth: Authorisation) -> _Rule:
    return _Rule(
        authorisation=auth,
        regions=tuple(str(region) for region in auth.regions),
        purposes=frozenset(auth.purposes),
        fields=frozenset(auth.fields),
    )


def _distance_in_days(authorisation: Authorisation, day: dt.date) -> int:
    if day < authorisation.valid_from:
        return (authorisation.valid_from - day).days
    if day > authorisation.valid_until:
        return (day - authorisation.valid_until).days
    return 0


@dataclass(slots=True)
class PartnerScope:
    """What one partner may do, loaded once and checked in memory for many records.

    Everything is judged at the moment the access happened (``at``), not when
    it is uploaded, because partners may upload late:

    - An authorisation counts for accesses before its ``revoked_at`` and not
      from that moment on, so a late upload about the time before a revocation
      is covered, and nothing after it is.
    - The partner must have been approved at ``at`` (its status then is the
      ``to_status`` of its latest VettingDecision decided at or before ``at``;
      "applied" before the first one) AND must be approved now, when the
      upload is checked. Either failing gives ``partner_not_approved``. So a
      suspended partner's new uploads are flagged even for accesses made while
      it was still approved, and an access made during a suspension is
      flagged even if the partner was reinstated before uploading it.

    ``load`` re-reads the partner's current status itself: the partner object
    handed in was loaded (by authentication) before the caller took the
    ingestion lock, and a suspension may have committed in between.
    """

    current_status: str
    _history: list[tuple[dt.datetime, str]] = field(default_factory=list)
    _rules: list[_Rule] = field(default_factory=list)

    @classmethod
    def load(cls, partner: Partner) -> PartnerScope:
        """Load the partner's current status, vetting history and authorisations (three queries)."""
        current_status = (
            Partner.objects.filter(pk=partner.pk).values_list("status", flat=True).get()
        )
        # Oldest first, so status_at can scan forward; ties keep the decision order.
        history = list(
            VettingDecision.objects.filter(partner_id=partner.pk)
            .order_by("decided_at", "id")
            .values_list("decided_at", "to_status")
        )
        authorisations = Authorisation.objects.filter(partner_id=partner.pk).order_by(
            "-valid_from", "-id"
        )
        rules = [_rule(auth) for auth in authorisations]
        return cls(current_status=current_status, _history=history, _rules=rules)

    @classmethod
    def load_many(cls, partner_ids) -> dict[int, PartnerScope]:
        """``load`` for several partners at once, in three queries whatever their number
        (admin lists of letters); keyed by partner id."""
        partner_ids = list(set(partner_ids))
        statuses = dict(Partner.objects.filter(pk__in=partner_ids).values_list("pk", "status"))
        histories: dict[int, list] = {pk: [] for pk in statuses}
        decisions = (
            VettingDecision.objects.filter(partner_id__in=partner_ids)
            .order_by("decided_at", "id")
            .values_list("partner_id", "decided_at", "to_status")
        )
        for partner_id, decided_at, to_status in decisions:
            histories[partner_id].append((decided_at, to_status))
        rules: dict[int, list[_Rule]] = {pk: [] for pk in statuses}
        for auth in Authorisation.objects.filter(partner_id__in=partner_ids).order_by(
            "-valid_from", "-id"
        ):
            rules[auth.partner_id].append(_rule(auth))
        return {
            pk: cls(current_status=status, _history=histories[pk], _rules=rules[pk])
            for pk, status in statuses.items()
        }

    @property
    def authorisations(self) -> list[Authorisation]:
        """Every authorisation of the partner, revoked ones included, newest first."""
        return [rule.authorisation for rule in self._rules]

    def authorisation_state(self, authorisation_id: int, at: dt.datetime) -> str:
        """How one of the partner's authorisations stands at ``at``, by the rules ``check`` applies.

        ``"revoked"`` (revoked by then: it covers nothing from its revocation
        on), ``"expired"`` (its last day, Asia/Shanghai, is past),
        ``"not_yet_valid"`` or ``"current"``. A letter's status is read from
        this (partners.letters.letter_status), so a letter and the accesses
        made under it are judged alike. LookupError for another partner's id.
        """
        rule = next((r for r in self._rules if r.authorisation.pk == authorisation_id), None)
        if rule is None:
            raise LookupError(f"authorisation {authorisation_id} is not this partner's")
        day = at.astimezone(SHANGHAI).date()
        if not rule.in_force_at(at):
            return "revoked"
        if rule.current_at(at, day):
            return "current"
        return "expired" if day > rule.authorisation.valid_until else "not_yet_valid"

    def status_at(self, at: dt.datetime) -> str:
        """The partner's vetting status at ``at``: "applied" before its first decision."""
        status = PartnerStatus.APPLIED.value
        for decided_at, to_status in self._history:
            if decided_at > at:
                break
            status = to_status
        return status

    def approved_at(self, at: dt.datetime) -> bool:
        """Approved both at ``at`` and now (see the class docstring)."""
        return (
            self.current_status == PartnerStatus.APPROVED
            and self.status_at(at) == PartnerStatus.APPROVED
        )

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
        if not self.approved_at(at):
            violations.append(Violation.PARTNER_NOT_APPROVED.value)

        current = [rule for rule in self._rules if rule.current_at(at, day)]
        if not current:
            violations.append(Violation.AUTHORISATION_EXPIRED.value)
            # A letter revoked by then is no candidate: it covered nothing at ``at``.
            closest = min(
                (rule for rule in self._rules if rule.in_force_at(at)),
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
    return ScopeResult(
        violations=violations_in_order(violations),
        authorisation=authorisation,
        daily_cap_per_agent=authorisation.daily_cap_per_agent if authorisation else None,
        daily_cap_per_partner=authorisation.daily_cap_per_partner if authorisation else None,
    )
