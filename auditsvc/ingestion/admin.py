"""Read-only admin of what partners reported, and the resident lookup.

Sessions, identity accesses and account events are evidence: nobody adds,
changes or deletes them here (their ledger entries could not follow anyway).
Staff filter them by partner, agent, purpose and violation.

The resident lookup answers "who accessed my data?": staff type a resident's
identity number, the service computes its pseudonym on the fly and lists every
session, access and account event about that resident. The number is sent
by POST (never in a URL or an access log), marked sensitive for error
reports, never rendered back into the page and never stored. Each lookup is
itself signed into the bureau log (``resident.lookup``: who, the pseudonym,
how many records were found).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.debug import sensitive_post_parameters

from auditsvc.base.identities import RESIDENT_ID_SCHEME, IdentityError, resident_identity
from auditsvc.ledger.admin import LedgerReadOnlyAdmin
from partners.choices import Violation
from partners.models import Agent

from .models import AccessEvent, AccountEvent, EnrolmentSession
from .services import resident_lookup

NO_VIOLATION = "none"


class ViolationFilter(admin.SimpleListFilter):
    """Records carrying one violation code (or none at all)."""

    title = "violation"
    parameter_name = "violation"

    def lookups(self, request, model_admin):
        return [(NO_VIOLATION, "No violation"), *Violation.choices]

    def queryset(self, request, queryset):
        value = self.value()
        if value == NO_VIOLATION:
            return queryset.filter(violations="")
        if value in Violation.values:
            # Stored as ",a,b,": the surrounding commas make the match exact.
            return queryset.filter(violations__contains=f",{value},")
        return queryset


class AgentCodeFilter(admin.SimpleListFilter):
    """Records of one agent code.

    The choices are the registered agents (of the partner filtered on, if
    any), read from the small agent table: a DISTINCT over millions of events
    on every page would be slow. Unregistered codes are one search away.
    """

    title = "agent"
    parameter_name = "agent_code"

    def lookups(self, request, model_admin):
        agents = Agent.objects.order_by("code")
        partner = request.GET.get("partner__id__exact", "")
        if partner.isdigit():
            agents = agents.filter(partner_id=int(partner))
        return [(code, code) for code in agents.values_list("code", flat=True).distinct()]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(agent_code=value) if value else queryset


class ReportedRecordAdmin(LedgerReadOnlyAdmin):
    """Read only for everyone, superusers included; every field shown."""

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def get_queryset(self, request):
        # The list shows only the entry's log and seq: its canonical JSON and
        # signature (the bulk of the row) stay unread.
        return (
            super()
            .get_queryset(request)
            .defer("ledger_entry__canonical", "ledger_entry__signature")
        )

    @admin.display(description="violations")
    def violation_codes(self, obj) -> str:
        return ", ".join(obj.violation_list) or "—"

    @admin.display(description="receipt", ordering="ledger_entry__seq")
    def receipt(self, obj) -> str:
        return f"{obj.ledger_entry.log_id}#{obj.ledger_entry.seq}"


@admin.register(EnrolmentSession)
class EnrolmentSessionAdmin(ReportedRecordAdmin):
    list_display = (
        "client_session_id",
        "partner",
        "agent_code",
        "purpose",
        "region_code",
        "opened_at",
        "closed_at",
        "outcome",
        "violation_codes",
        "receipt",
    )
    list_filter = ("partner", AgentCodeFilter, "purpose", ViolationFilter, "outcome", "test")
    list_select_related = ("partner", "ledger_entry")
    date_hierarchy = "opened_at"
    search_fields = ("=client_session_id", "=agent_code", "=id")


@admin.register(AccessEvent)
class AccessEventAdmin(ReportedRecordAdmin):
    list_display = (
        "client_event_id",
        "partner",
        "agent_code",
        "purpose",
        "field_names",
        "occurred_at",
        "session_link",
        "violation_codes",
        "receipt",
    )
    list_filter = ("partner", AgentCodeFilter, "purpose", ViolationFilter, "test")
    list_select_related = ("partner", "ledger_entry")
    date_hierarchy = "occurred_at"
    search_fields = ("=client_event_id", "=agent_code")

    @admin.display(description="fields")
    def field_names(self, obj) -> str:
        return ", ".join(obj.fields)

    @admin.display(description="session")
    def session_link(self, obj) -> str:
        if obj.session_id is None:
            return "—"
        # Built from the id alone: no query per row.
        url = reverse("admin:ingestion_enrolmentsession_change", args=[obj.session_id])
        return format_html('<a href="{}">{}</a>', url, str(obj.session_id)[:8])

    def get_urls(self):
        return [
            path(
                "resident-lookup/",
                self.admin_site.admin_view(self.resident_lookup_view),
                name="ingestion_resident_lookup",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "resident_lookup_url": _lookup_url()}
        return super().changelist_view(request, extra_context)

    @method_decorator(sensitive_post_parameters("identity_number"))
    def resident_lookup_view(self, request):
        """Staff type an identity number (POST); every record about that resident is listed."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        records = identity = None
        if request.method == "POST":
            form = ResidentLookupForm(request.POST)
            if form.is_valid():
                identity = form.cleaned_data["identity"]
                # Recorded in the bureau log (actor, pseudonym, count found).
                records, _ = resident_lookup(request.user, identity.identity_ref)
        else:
            form = ResidentLookupForm()
        context = {
            **self.admin_site.each_context(request),
            "title": "Resident lookup",
            "opts": self.model._meta,
            "form": form,
            "identity": identity,
            "records": records,
        }
        return TemplateResponse(request, "admin/ingestion/resident_lookup.html", context)


@admin.register(AccountEvent)
class AccountEventAdmin(ReportedRecordAdmin):
    list_display = (
        "client_event_id",
        "partner",
        "action",
        "channel",
        "occurred_at",
        "violation_codes",
        "receipt",
    )
    list_filter = ("partner", "action", "channel", ViolationFilter, "test")
    list_select_related = ("partner", "ledger_entry")
    date_hierarchy = "occurred_at"
    # Exact client id only. Account ids, phones and devices are kept as
    # pseudonyms, so a raw value typed here would never match, and a search
    # term travels in the URL (?q=), i.e. into access logs: no raw number may
    # be invited there. The resident lookup (POST) is the way to search.
    search_fields = ("=client_event_id",)
    search_help_text = (
        "Exact client_event_id. To find a resident's records, use the resident lookup."
    )


def _lookup_url() -> str:
    return reverse("admin:ingestion_resident_lookup")


class _NoEchoInput(forms.TextInput):
    """A text box that never writes the submitted number back into the page."""

    def format_value(self, value):
        return None


class ResidentLookupForm(forms.Form):
    identity_number = forms.CharField(
        label="Resident identity number",
        max_length=32,
        strip=True,
        widget=_NoEchoInput(attrs={"autocomplete": "off", "spellcheck": "false", "size": 24}),
        help_text="18 characters. It is used to compute the pseudonym and then forgotten.",
    )

    def clean_identity_number(self) -> str:
        number = self.cleaned_data["identity_number"]
        try:
            self.cleaned_data["identity"] = resident_identity(RESIDENT_ID_SCHEME, number)
        except IdentityError as exc:
            # The message names what is wrong, never the number.
            raise forms.ValidationError(
                f"This is not a valid resident identity number: {exc.message}", code=exc.code
            ) from None
        return ""  # the number itself is not kept, even in cleaned_data
