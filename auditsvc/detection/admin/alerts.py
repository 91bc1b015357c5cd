"""The alert queue and the alert page.

The queue filters by rule, severity, status, partner and assignee, and
assigns in bulk. The alert page shows the evidence sentence in the reader's
language, the chart of the series against its band, the signed records
behind it (one click: the ledger entries, filtered), and the triage buttons
the reader may use; every button calls one triage service, which writes the
bureau-log entry. Nothing is added, edited as a form, or deleted here.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from auditsvc.base.errors import ServiceError
from partners.admin.common import (
    AMBER,
    BLACK,
    BLUE,
    GREY,
    RED,
    badge,
    bureau_entry_link,
    change_url,
    compact_time,
    exact_time,
    form_data,
    get_object_or_404,
    service_error_message,
)
from partners.admin.pages import admin_page, decision_view

from .. import selectors
from ..choices import Severity, Status
from ..evidence import number_rows, render_evidence
from ..models import Alert
from ..services import triage
from .alert_parts import (
    AssigneeFilter,
    AssignForm,
    NoteForm,
    TriageReasonForm,
    accesses_link,
    records_links,
    short_ref,
)
from .chart import band_chart

SEVERITY_COLOURS = {
    Severity.LOW: GREY,
    Severity.MEDIUM: AMBER,
    Severity.HIGH: RED,
    Severity.CRITICAL: BLACK,
}
STATUS_COLOURS = {
    Status.NEW: BLUE,
    Status.UNDER_REVIEW: AMBER,
    Status.CLOSED_BENIGN: GREY,
    Status.CLOSED_INVESTIGATION: RED,
}
#: Move -> (URL name part, button label, service).
MOVES = {
    Status.UNDER_REVIEW: ("review", _("Take under review")),
    Status.CLOSED_BENIGN: ("close-benign", _("Close as benign")),
    Status.CLOSED_INVESTIGATION: ("investigate", _("Close: open an investigation")),
}


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = (
        "number",
        "severity_badge",
        "rule_label",
        "partner_link",
        "subject_text",
        "window_text",
        "status_badge",
        "assignee",
        "updated",
    )
    list_display_links = ("number", "rule_label")
    list_filter = ("rule", "severity", "status", "partner", AssigneeFilter)
    list_select_related = ("partner", "assignee")
    search_fields = ("=subject_ref", "=partner__code")
    actions = ["assign_selected"]
    list_per_page = 50

    # --- Permissions: alerts are made by detection, triaged by the services.

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # triage has its own buttons; the page is never a form

    def has_triage_permission(self, request) -> bool:
        return request.user.has_perm(triage.TRIAGE_PERMISSION)

    # --- The queue's columns.

    @admin.display(description="#", ordering="id")
    def number(self, alert: Alert) -> str:
        return f"#{alert.pk}"

    @admin.display(description=_("severity"), ordering="severity")
    def severity_badge(self, alert: Alert) -> str:
        return badge(alert.get_severity_display(), SEVERITY_COLOURS[alert.severity])

    @admin.display(description=_("rule"), ordering="rule")
    def rule_label(self, alert: Alert) -> str:
        return format_html(
            '<span title="{}">{}</span>',
            render_evidence(alert.evidence_code, alert.numbers),
            alert.get_rule_display(),
        )

    @admin.display(description=_("partner"), ordering="partner__code")
    def partner_link(self, alert: Alert) -> str:
        return format_html(
            '<a href="{}" title="{}">{}</a>',
            change_url(alert.partner),
            alert.partner.legal_name,
            alert.partner.code,
        )

    @admin.display(description=_("subject"))
    def subject_text(self, alert: Alert) -> str:
        return format_html("{} {}", alert.get_subject_kind_display(), short_ref(alert))

    @admin.display(description=_("window"), ordering="window_start")
    def window_text(self, alert: Alert) -> str:
        return compact_time(alert.window_start)

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, alert: Alert) -> str:
        return badge(alert.get_status_display(), STATUS_COLOURS[alert.status])

    @admin.display(description=_("updated"), ordering="updated_at")
    def updated(self, alert: Alert) -> str:
        return compact_time(alert.updated_at)

    # --- Bulk assignment.

    @admin.action(description=_("Assign the selected alerts"), permissions=["triage"])
    def assign_selected(self, request, queryset):
        form = AssignForm(request.POST if "_assign" in request.POST else None)
        if form.is_valid():
            assignee = form.cleaned_data["assignee"]
            done, refused = 0, []
            for alert in queryset:
                try:
                    triage.alert_assign(alert, assignee, actor=request.user)
                    done += 1
                except ServiceError as exc:
                    refused.append(f"#{alert.pk}: {exc.detail}")
            self.message_user(
                request,
                _("%(n)s alerts assigned to %(who)s.")
                % {"n": done, "who": assignee.get_username() if assignee else _("nobody")},
                messages.SUCCESS,
            )
            for line in refused:
                self.message_user(request, line, messages.ERROR)
            return None
        return admin_page(
            self,
            request,
            "admin/detection/alert/assign.html",
            title=_("Assign alerts"),
            form=form,
            alerts=list(queryset.select_related("partner")),
            action_checkbox_name=helpers.ACTION_CHECKBOX_NAME,
        )

    # --- The alert page and its buttons.

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("risk/", wrap(self.risk_view), name="detection_alert_risk"),
            path("<path:object_id>/assign/", wrap(self.assign_view), name="detection_alert_assign"),
            path("<path:object_id>/note/", wrap(self.note_view), name="detection_alert_note"),
            path(
                "<path:object_id>/triage/<slug:move>/",
                wrap(self.triage_view),
                name="detection_alert_triage",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        alert = get_object_or_404(self, request, object_id)
        may_triage = self.has_triage_permission(request) and alert.is_open
        moves = [
            {
                "label": MOVES[status][1],
                "url": reverse("admin:detection_alert_triage", args=[alert.pk, MOVES[status][0]]),
                "needs_reason": status != Status.UNDER_REVIEW,
            }
            for status in triage.triage_moves_for(alert, request.user)
        ]
        notes = [
            {"note": note, "ledger": bureau_entry_link(note.ledger_seq)}
            for note in alert.notes.select_related("author")
        ]
        return admin_page(
            self,
            request,
            "admin/detection/alert/detail.html",
            alert,
            title=_("Alert #%(id)s: %(rule)s") % {"id": alert.pk, "rule": alert.get_rule_display()},
            alert=alert,
            evidence=render_evidence(alert.evidence_code, alert.numbers),
            severity=self.severity_badge(alert),
            status=self.status_badge(alert),
            window_from=exact_time(alert.window_start),
            window_to=exact_time(alert.window_end),
            chart=band_chart(alert.numbers),
            records=records_links(alert),
            accesses_url=accesses_link(alert),
            numbers=number_rows(alert.numbers),
            moves=moves,
            notes=notes,
            assign_form=AssignForm(initial={"assignee": alert.assignee_id}) if may_triage else None,
            note_form=NoteForm() if self.has_triage_permission(request) else None,
            subject=short_ref(alert),
        )

    def _post_only(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return None

    def assign_view(self, request, object_id):
        alert = get_object_or_404(self, request, object_id)
        refused = self._post_only(request)
        if refused:
            return refused
        form = AssignForm(request.POST)
        if form.is_valid():
            self._run(
                request,
                alert,
                lambda: triage.alert_assign(
                    alert, form.cleaned_data["assignee"], actor=request.user
                ),
                _("Assignment recorded."),
            )
        return HttpResponseRedirect(change_url(alert))

    def note_view(self, request, object_id):
        alert = get_object_or_404(self, request, object_id)
        refused = self._post_only(request)
        if refused:
            return refused
        form = NoteForm(request.POST)
        if form.is_valid():
            self._run(
                request,
                alert,
                lambda: triage.alert_add_note(alert, form.cleaned_data["text"], actor=request.user),
                _("Note added."),
            )
        else:
            self.message_user(request, _("A note cannot be empty."), messages.ERROR)
        return HttpResponseRedirect(change_url(alert))

    def triage_view(self, request, object_id, move: str):
        alert = get_object_or_404(self, request, object_id)
        by_slug = {slug: status for status, (slug, _label) in MOVES.items()}
        status = by_slug.get(move)
        if status is None:
            return HttpResponseRedirect(change_url(alert))
        if status == Status.UNDER_REVIEW:
            refused = self._post_only(request)
            if refused:
                return refused
            self._run(
                request,
                alert,
                lambda: triage.alert_start_review(alert, actor=request.user),
                _("The alert is under review."),
            )
            return HttpResponseRedirect(change_url(alert))
        service = (
            triage.alert_close_benign
            if status == Status.CLOSED_BENIGN
            else triage.alert_close_investigation
        )
        return decision_view(
            self,
            request,
            alert,
            form=TriageReasonForm(form_data(request)),
            call=lambda data: service(alert, actor=request.user, reason=data["reason"]),
            success=lambda data: str(MOVES[status][1]) + ": " + str(_("done.")),
            title=str(MOVES[status][1]),
            submit_label=str(MOVES[status][1]),
            intro=render_evidence(alert.evidence_code, alert.numbers),
            danger=status == Status.CLOSED_INVESTIGATION,
        )

    def _run(self, request, alert, call, success) -> None:
        try:
            call()
        except ServiceError as exc:
            service_error_message(self, request, exc)
        else:
            self.message_user(request, success, messages.SUCCESS)

    # --- The risk summary.

    def risk_view(self, request):
        if not self.has_view_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        changelist = reverse("admin:detection_alert_changelist")
        open_statuses = ",".join(s.value for s in (Status.NEW, Status.UNDER_REVIEW))

        def link(**params) -> str:
            return f"{changelist}?{urlencode({'status__in': open_statuses, **params})}"

        partners = [
            {**row, "url": link(partner__id__exact=row["partner_id"])}
            for row in selectors.risk_summary()
        ]
        agents = [
            {
                **row,
                "url": link(partner__id__exact=row["partner_id"], subject_ref=row["subject_ref"]),
            }
            for row in selectors.risk_summary(by_agent=True)
        ]
        return admin_page(
            self,
            request,
            "admin/detection/alert/risk.html",
            title=_("Risk summary"),
            partners=partners,
            agents=agents,
            severities=[(s.value, s.label) for s in reversed(list(Severity))],
        )
