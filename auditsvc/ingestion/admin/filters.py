"""List filters of the reported records: violation, agent (per partner), period."""

from __future__ import annotations

import datetime as dt

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from partners.choices import Violation
from partners.models import SHANGHAI, Agent
from partners.selectors import local_today

NO_VIOLATION = "none"
ANY_VIOLATION = "any"
#: Periods of the "when" filter, in local (Asia/Shanghai) days counted back from today,
#: today included. The dashboard links to them.
PERIODS = {"today": 1, "7d": 7, "14d": 14}


class ViolationFilter(admin.SimpleListFilter):
    """Records carrying one violation code (or none at all)."""

    title = _("violation")
    parameter_name = "violation"

    def lookups(self, request, model_admin):
        return [
            (NO_VIOLATION, _("No violation")),
            (ANY_VIOLATION, _("Any violation")),
            *Violation.choices,
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == NO_VIOLATION:
            return queryset.filter(violations="")
        if value == ANY_VIOLATION:
            return queryset.exclude(violations="")
        if value in Violation.values:
            # Stored as ",a,b,": the surrounding commas make the match exact.
            return queryset.filter(violations__contains=f",{value},")
        return queryset


class AgentFilter(admin.SimpleListFilter):
    """Records of one agent of one partner: agent codes are per partner (P0001's A-0001 is
    not P0002's).

    The value is a registered agent's id, or ``<partner code>/<agent code>`` for
    any code, registered or not (what a link to an unregistered agent's records
    uses). Both filter on the partner and the code, the index the lists use,
    so records an agent made before it was registered are found too. The
    choices are the registered agents (of the partner filtered on, if any),
    read from the small agent table: a DISTINCT over millions of events on
    every page would be slow.
    """

    title = _("agent")
    parameter_name = "agent"

    def lookups(self, request, model_admin):
        agents = Agent.objects.select_related("partner").order_by("partner__code", "code")
        partner = request.GET.get("partner__id__exact", "")
        if partner.isdigit():
            agents = agents.filter(partner_id=int(partner))
        return [(str(agent.pk), f"{agent.partner.code} / {agent.code}") for agent in agents]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if value.isdigit():
            agent = Agent.objects.filter(pk=int(value)).values_list("partner_id", "code").first()
            if agent is None:
                return queryset.none()
            partner_id, code = agent
            return queryset.filter(partner_id=partner_id, agent_code=code)
        partner_code, _slash, code = value.partition("/")
        return queryset.filter(partner__code=partner_code.strip(), agent_code=code.strip())


class PeriodFilter(admin.SimpleListFilter):
    """Today, the last 7 or the last 14 local days (the dashboard's periods)."""

    title = _("when")
    parameter_name = "period"
    field_name = "occurred_at"

    def lookups(self, request, model_admin):
        return [("today", _("Today")), ("7d", _("Last 7 days")), ("14d", _("Last 14 days"))]

    def queryset(self, request, queryset):
        days = PERIODS.get(self.value() or "")
        if days is None:
            return queryset
        return queryset.filter(**{f"{self.field_name}__gte": period_start(days)})


class OpenedPeriodFilter(PeriodFilter):
    field_name = "opened_at"


def period_start(days: int) -> dt.datetime:
    """Midnight (Asia/Shanghai) at the start of the last ``days`` local days, today included."""
    first = local_today() - dt.timedelta(days=days - 1)
    return dt.datetime.combine(first, dt.time(), tzinfo=SHANGHAI)
