"""The alert page's parts: its forms, the assignee filter, links to the records behind it."""

from __future__ import annotations

from collections import defaultdict

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from auditsvc.ledger.admin import entry_url

from .. import selectors
from ..models import Alert


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label=_("Nobody"),
        label=_("Assign to"),
        help_text=_("Recorded in the signed bureau log with your name."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = selectors.triage_candidates()


class TriageReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        max_length=2000,
        help_text=_(
            "Recorded in the signed bureau log with your name. Never type an identity or "
            "phone number."
        ),
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        max_length=4000,
        help_text=_(
            "Kept with the alert and in the signed bureau log. No identity or phone numbers."
        ),
    )


class AssigneeFilter(admin.SimpleListFilter):
    title = _("assignee")
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        return [("none", _("Nobody")), ("me", _("Me"))] + [
            (str(user.pk), user.get_username()) for user in selectors.triage_candidates()
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        if value == "me":
            return queryset.filter(assignee=request.user)
        if value and value.isdigit():
            return queryset.filter(assignee_id=int(value))
        return queryset


def _entries_query(log: str, seqs: list[int]) -> dict:
    return {"log__log_id__exact": log, "seq__in": ",".join(map(str, sorted(seqs)))}


def records_links(alert: Alert) -> list[dict]:
    """One link per log: the ledger entries behind the alert, filtered in the entries list."""
    by_log: dict[str, list[int]] = defaultdict(list)
    for ref in alert.entries:
        by_log[ref["log"]].append(int(ref["seq"]))
    listing = reverse("admin:ledger_ledgerentry_changelist")
    return [
        {
            "log": log,
            "count": len(seqs),
            "url": f"{listing}?{urlencode(_entries_query(log, seqs))}",
            "entries": [{"seq": seq, "url": entry_url(log, seq)} for seq in sorted(seqs)[:20]],
        }
        for log, seqs in sorted(by_log.items())
    ]


#: Rules whose records are the subject's identity accesses in the window.
ACCESS_RULES = {
    "volume_spike",
    "out_of_scope_access",
    "daily_cap_exceeded",
    "access_without_session",
    "elderly_concentration",
    "suspended_partner_activity",
}


def accesses_link(alert: Alert) -> str | None:
    """The access list filtered to the subject's accesses in the window (live records)."""
    if alert.rule not in ACCESS_RULES or alert.subject_kind not in ("agent", "partner"):
        return None
    params = {
        "partner__id__exact": alert.partner_id,
        "test__exact": 0,
        "occurred_at__gte": alert.window_start.isoformat(),
        "occurred_at__lt": alert.window_end.isoformat(),
    }
    if alert.subject_kind == "agent":
        params["agent_code"] = alert.subject_ref
    return f"{reverse('admin:ingestion_accessevent_changelist')}?{urlencode(params)}"


def short_ref(alert: Alert) -> str:
    ref = alert.subject_ref
    if len(ref) > 16:
        return format_html('<span title="{}">{}…</span>', ref, ref[:12])
    return ref
