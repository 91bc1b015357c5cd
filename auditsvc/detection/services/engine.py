"""Running the rules: from each (rule, log) watermark up to the log's head, in steps.

A step locks the rule's watermark row for that log, lets the rule find what
the entries ``watermark < seq <= step end`` touch, writes or updates the
alerts, and moves the watermark, all in one transaction: a worker killed
half-way leaves the watermark where it was, and the rerun finds the same
windows and updates the same alerts (the rules recount whole windows).
Two workers on the same (rule, log) cannot both run: the second skips the
locked row (PostgreSQL; SQLite runs one writer at a time anyway).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from auditsvc.ledger.models import Log
from partners.models import Partner

from ..models import Watermark
from ..rules import RULES, Rule, Scope, shared_in_run
from .alerts import alert_record_finding

__all__ = [
    "DetectionSummary",
    "Progress",
    "apply_postgres_settings",
    "detect_rule_for_partner",
    "detection_backlog",
    "run_detection",
]

logger = logging.getLogger(__name__)

#: progress(description, entries examined so far, entries to examine in all)
Progress = Callable[[str, int, int], None]


@dataclass
class DetectionSummary:
    """What a run did: entries examined, alerts created and updated, per rule."""

    entries_examined: int = 0
    alerts_created: int = 0
    alerts_updated: int = 0
    by_rule: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, rule: str, *, examined: int = 0, created: int = 0, updated: int = 0) -> None:
        self.entries_examined += examined
        self.alerts_created += created
        self.alerts_updated += updated
        counts = self.by_rule.setdefault(rule, {"examined": 0, "created": 0, "updated": 0})
        counts["examined"] += examined
        counts["created"] += created
        counts["updated"] += updated

    def merge(self, other: DetectionSummary) -> None:
        for rule, counts in other.by_rule.items():
            self.add(rule, **counts)


def _rules(codes: Sequence[str] | None) -> list[Rule]:
    if not codes:
        return list(RULES.values())
    unknown = [code for code in codes if code not in RULES]
    if unknown:
        raise ValueError(f"unknown rule(s): {', '.join(unknown)}; known: {', '.join(RULES)}")
    return [RULES[code] for code in codes]


def _partners(partner_code: str | None):
    partners = Partner.objects.order_by("code")
    if partner_code is not None:
        partners = partners.filter(code=partner_code)
        if not partners.exists():
            raise ValueError(f"no partner {partner_code}")
    return list(partners)


def _heads(log_ids: list[str]) -> dict[str, int]:
    """The newest seq of each log (-1 when empty), read once for the whole run."""
    return {
        log_id: size - 1
        for log_id, size in Log.objects.filter(log_id__in=log_ids).values_list("log_id", "size")
    }


def _backlog(rule: Rule, partner: Partner, heads: dict[str, int]) -> tuple[int, int]:
    """(watermark, head) of the rule on the partner's live log."""
    head = heads.get(partner.code, -1)
    mark = (
        Watermark.objects.filter(rule=rule.code, log_id=partner.code)
        .values_list("seq", flat=True)
        .first()
    )
    return (-1 if mark is None else mark), head


def detect_rule_for_partner(
    rule_code: str,
    partner: Partner | str,
    *,
    upto: int | None = None,
    on_step: Callable[[int], None] | None = None,
) -> DetectionSummary:
    """Run one rule over one partner's live log, from its watermark up to ``upto`` (the head).

    Idempotent: entries already examined are not examined again, and a
    window examined again (rerun, late record) updates its alert. Returns
    the summary; ``on_step(entries)`` is called after each committed step.
    """
    rule = RULES[rule_code]
    if isinstance(partner, str):
        partner = Partner.objects.get(code=partner)
    summary = DetectionSummary()
    if partner.kind not in rule.partner_kinds:
        return summary
    if upto is None:
        upto = _heads([partner.code]).get(partner.code, -1)
    step = settings.DETECTION_CHUNK_ENTRIES
    while True:
        done = _detect_step(rule, partner, upto, step, summary)
        if done is None:
            break
        if on_step is not None:
            on_step(done)
    return summary


def apply_postgres_settings() -> None:
    """DETECTION_POSTGRES_SETTINGS for this transaction only (PostgreSQL; a no-op elsewhere)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for name, value in settings.DETECTION_POSTGRES_SETTINGS.items():
            # set_config(..., true) is SET LOCAL with the value as a parameter.
            cursor.execute("SELECT set_config(%s, %s, true)", [name, str(value)])


def _detect_step(
    rule: Rule, partner: Partner, upto: int, step: int, summary: DetectionSummary
) -> int | None:
    """One transaction: examine up to ``step`` entries past the watermark. None: nothing left."""
    Watermark.objects.get_or_create(rule=rule.code, log_id=partner.code)
    with transaction.atomic():
        apply_postgres_settings()
        mark = (
            Watermark.objects.select_for_update(skip_locked=True)
            .filter(rule=rule.code, log_id=partner.code)
            .first()
        )
        if mark is None or mark.seq >= upto:
            return None  # another worker holds it, or nothing new
        end = min(upto, mark.seq + step)
        scope = Scope(partner=partner, log_id=partner.code, after=mark.seq, upto=end)
        created = updated = 0
        for finding in rule.findings(scope):
            _alert, was_created = alert_record_finding(finding)
            created += was_created
            updated += not was_created
        examined = end - mark.seq
        mark.seq = end
        mark.updated_at = timezone.now()
        mark.save(update_fields=["seq", "updated_at"])
    summary.add(rule.code, examined=examined, created=created, updated=updated)
    return examined


def detection_backlog(
    *, partner_code: str | None = None, rules: Sequence[str] | None = None
) -> list[tuple[Rule, Partner, int, int]]:
    """(rule, partner, head, entries pending) for every rule and partner log with work to do."""
    chosen = _rules(rules)
    partners = _partners(partner_code)
    heads = _heads([partner.code for partner in partners])
    work = []
    for partner in partners:
        for rule in chosen:
            if partner.kind not in rule.partner_kinds:
                continue
            mark, head = _backlog(rule, partner, heads)
            if head > mark:
                work.append((rule, partner, head, head - mark))
    return work


def run_detection(
    *,
    partner_code: str | None = None,
    rules: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> DetectionSummary:
    """Run every rule (or ``rules``) over every partner's live log (or ``partner_code``'s),
    from each watermark up to the log's head as it is now. The same code beat's tasks run.

    ``progress(description, done, total)`` is told how many ledger entries
    have been examined out of all there are to examine.
    """
    work = detection_backlog(partner_code=partner_code, rules=rules)
    total = sum(pending for *_, pending in work)
    done = 0
    summary = DetectionSummary()
    if progress is not None:
        progress("", 0, total)
    with shared_in_run():
        for rule, partner, head, _pending in work:
            description = f"{rule.code} {partner.code}"

            def on_step(examined: int, description: str = description) -> None:
                nonlocal done
                done += examined
                if progress is not None:
                    progress(description, done, total)

            summary.merge(detect_rule_for_partner(rule.code, partner, upto=head, on_step=on_step))
    if progress is not None:
        progress("", total, total)
    logger.info(
        "detection: %s entries examined, %s alerts created, %s updated",
        summary.entries_examined,
        summary.alerts_created,
        summary.alerts_updated,
    )
    return summary
