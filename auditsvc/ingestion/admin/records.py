"""The lists and pages of sessions, identity accesses and account events: read only, in words.

Each list fits a 1366-pixel screen (short words, the full ones in tooltips);
each record's page says everything in words and links to its partner, agent,
session and receipt (the signed ledger entry).
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from auditsvc.ledger.admin import LedgerReadOnlyAdmin
from partners.admin.common import compact_time, exact_time
from partners.admin.labels import field_names, violation_list, violation_tags

from ..models import AccessEvent, AccountEvent, EnrolmentSession
from .filters import AgentFilter, OpenedPeriodFilter, PeriodFilter, ViolationFilter
from .lookup import lookup_url, resident_lookup_page


def receipt_link(entry) -> str:
    """A record's receipt (``P0001#41``), linking to the ledger entry's page."""
    url = reverse("admin:ledger_ledgerentry_change", args=[entry.pk])
    return format_html('<a href="{}" class="receipt">{}#{}</a>', url, entry.log_id, entry.seq)


class ReportedRecordAdmin(LedgerReadOnlyAdmin):
    """Read only for everyone, superusers included; every field shown, as words.

    Subclasses give ``fieldsets``; every name in them is read only.
    """

    def get_readonly_fields(self, request, obj=None):
        return [name for _, options in self.fieldsets for name in options["fields"]]

    def get_queryset(self, request):
        # The list shows only the entry's log and seq: its canonical JSON and
        # signature (the bulk of the row) stay unread. The partner names the
        # record (its __str__) on every page.
        return (
            super()
            .get_queryset(request)
            .select_related("partner", "ledger_entry")
            .defer("ledger_entry__canonical", "ledger_entry__signature")
        )

    @admin.display(description=_("partner"), ordering="partner__code")
    def partner_code(self, obj) -> str:
        return format_html('<span title="{}">{}</span>', obj.partner.legal_name, obj.partner.code)

    @admin.display(description=_("violations"))
    def violation_codes(self, obj) -> str:
        return violation_tags(obj.violation_list)

    @admin.display(description=_("violations"))
    def violations_display(self, obj) -> str:
        return violation_list(obj.violation_list)

    @admin.display(description=_("receipt"), ordering="ledger_entry__seq")
    def receipt(self, obj) -> str:
        if obj.test:
            return format_html(
                '{} <span class="tag tag-test" title="{}">{}</span>',
                receipt_link(obj.ledger_entry),
                _("Sent with a test key: in the test log, never evidence."),
                _("test"),
            )
        return receipt_link(obj.ledger_entry)

    @admin.display(description=_("record"))
    def record_kind(self, obj) -> str:
        log = obj.partner.log_id_for(test=obj.test)
        if obj.test:
            return _(
                "Test: sent with a test key, kept in the test log %(log)s, never evidence."
            ) % {"log": log}
        return _("Live: in the partner's log %(log)s.") % {"log": log}

    @admin.display(description=_("occurred at"))
    def occurred(self, obj) -> str:
        return exact_time(obj.occurred_at)

    @admin.display(description=_("recorded at"))
    def recorded(self, obj) -> str:
        return exact_time(obj.recorded_at)

    @admin.display(description=_("resident"))
    def resident_ref(self, obj) -> str:
        return obj.identity_ref

    @admin.display(description=_("region code in the identity number"))
    def id_region(self, obj) -> str:
        # Where the number was first issued: not where the resident lives now.
        return obj.id_region_code

    @admin.display(description=_("device"))
    def device(self, obj) -> str:
        return obj.device_ref

    @admin.display(description=_("agent"))
    def agent_display(self, obj) -> str:
        if obj.agent_id is None:
            return _("%(code)s (not registered)") % {"code": obj.agent_code}
        url = reverse("admin:partners_agent_change", args=[obj.agent_id])
        return format_html('<a href="{}">{}</a>', url, obj.agent_code)


PSEUDONYMS = (
    _("Resident and device (keyed pseudonyms, never the raw numbers)"),
    {"fields": ("resident_ref", "id_region", "birth_year", "device")},
)


@admin.register(EnrolmentSession)
class EnrolmentSessionAdmin(ReportedRecordAdmin):
    list_display = (
        "client_session_id",
        "opened",
        "partner_code",
        "agent_code",
        "purpose",
        "region_code",
        "closed",
        "violation_codes",
        "receipt",
    )
    list_filter = (
        "partner",
        AgentFilter,
        OpenedPeriodFilter,
        "purpose",
        ViolationFilter,
        "outcome",
        "test",
    )
    date_hierarchy = "opened_at"
    search_fields = ("=client_session_id", "=agent_code", "=id", "=partner__code")
    search_help_text = _("Exact session id, client session id, agent code or partner code.")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "partner",
                    "client_session_id",
                    "record_kind",
                    "opened_exact",
                    "closed_exact",
                    "outcome",
                )
            },
        ),
        (
            _("The enrolment"),
            {
                "fields": (
                    "agent_display",
                    "purpose",
                    "region_code",
                    "consent_ref",
                    "accesses_link",
                    "violations_display",
                )
            },
        ),
        PSEUDONYMS,
        (_("Evidence"), {"fields": ("receipt", "close_receipt")}),
    )

    @admin.display(description=_("opened"), ordering="opened_at")
    def opened(self, session: EnrolmentSession) -> str:
        return compact_time(session.opened_at)

    @admin.display(description=_("closed"), ordering="closed_at")
    def closed(self, session: EnrolmentSession) -> str:
        if session.closed_at is None:
            return format_html('<span class="quiet">{}</span>', _("open"))
        return format_html(
            "{} {}", compact_time(session.closed_at), session.get_outcome_display().lower()
        )

    @admin.display(description=_("opened at"))
    def opened_exact(self, session: EnrolmentSession) -> str:
        return exact_time(session.opened_at)

    @admin.display(description=_("closed at"))
    def closed_exact(self, session: EnrolmentSession) -> str:
        return exact_time(session.closed_at) if session.closed_at else _("Still open")

    @admin.display(description=_("close receipt"))
    def close_receipt(self, session: EnrolmentSession) -> str:
        if session.close_entry_id is None:
            return "—"
        return receipt_link(session.close_entry)

    @admin.display(description=_("identity accesses"))
    def accesses_link(self, session: EnrolmentSession) -> str:
        count = session.accesses.count()
        url = reverse("admin:ingestion_accessevent_changelist")
        return format_html(
            '<a href="{}?{}">{}</a>',
            url,
            urlencode({"session__id__exact": session.pk}),
            _("%(count)s in this session") % {"count": count},
        )


@admin.register(AccessEvent)
class AccessEventAdmin(ReportedRecordAdmin):
    list_display = (
        "client_event_id",
        "when",
        "partner_code",
        "agent_code",
        "purpose",
        "field_names",
        "session_link",
        "violation_codes",
        "receipt",
    )
    list_filter = (
        "partner",
        AgentFilter,
        PeriodFilter,
        "purpose",
        ViolationFilter,
        "test",
    )
    date_hierarchy = "occurred_at"
    search_fields = ("=client_event_id", "=agent_code", "=partner__code")
    search_help_text = _(
        "Exact client event id, agent code or partner code (both: “P0001 A-0001”). "
        "To find a resident's records, use the resident lookup."
    )
    fieldsets = (
        (
            None,
            {"fields": ("partner", "client_event_id", "record_kind", "occurred", "recorded")},
        ),
        (
            _("The access"),
            {
                "fields": (
                    "agent_display",
                    "session",
                    "purpose",
                    "fields_display",
                    "violations_display",
                )
            },
        ),
        PSEUDONYMS,
        (_("Evidence"), {"fields": ("receipt",)}),
    )

    def lookup_allowed(self, lookup, value, request=None):
        # A session's page links to the accesses made in it.
        return lookup == "session__id__exact" or super().lookup_allowed(lookup, value, request)

    @admin.display(description=_("when"), ordering="occurred_at")
    def when(self, event: AccessEvent) -> str:
        return compact_time(event.occurred_at)

    @admin.display(description=_("fields"))
    def field_names(self, event: AccessEvent) -> str:
        return field_names(event.fields)

    @admin.display(description=_("data fields"))
    def fields_display(self, event: AccessEvent) -> str:
        return field_names(event.fields, short=False)

    @admin.display(description=_("session"))
    def session_link(self, event: AccessEvent) -> str:
        if event.session_id is None:
            return format_html('<span class="quiet">{}</span>', _("none"))
        # Built from the id alone: no query per row.
        url = reverse("admin:ingestion_enrolmentsession_change", args=[event.session_id])
        return format_html(
            '<a href="{}" title="{}"><code>{}</code></a>',
            url,
            event.session_id,
            str(event.session_id)[:8],
        )

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
        extra_context = {**(extra_context or {}), "resident_lookup_url": lookup_url()}
        return super().changelist_view(request, extra_context)

    def resident_lookup_view(self, request):
        return resident_lookup_page(request, self)


@admin.register(AccountEvent)
class AccountEventAdmin(ReportedRecordAdmin):
    list_display = (
        "client_event_id",
        "when",
        "partner_code",
        "action",
        "channel",
        "violation_codes",
        "receipt",
    )
    list_filter = ("partner", PeriodFilter, "action", "channel", ViolationFilter, "test")
    date_hierarchy = "occurred_at"
    # Exact client id and partner code only. Account ids, phones and devices are
    # kept as pseudonyms, so a raw value typed here would never match, and a search
    # term travels in the URL (?q=), i.e. into access logs: no raw number may
    # be invited there. The resident lookup (POST) is the way to search.
    search_fields = ("=client_event_id", "=partner__code")
    search_help_text = _(
        "Exact client event id or platform code. To find a resident's records, use the "
        "resident lookup."
    )
    fieldsets = (
        (
            None,
            {"fields": ("partner", "client_event_id", "record_kind", "occurred", "recorded")},
        ),
        (_("The account"), {"fields": ("action", "channel", "violations_display")}),
        (
            _("Holder, account, device and phone (keyed pseudonyms, never the raw numbers)"),
            {
                "fields": (
                    "resident_ref",
                    "id_region",
                    "birth_year",
                    "account",
                    "device",
                    "phone",
                )
            },
        ),
        (_("Evidence"), {"fields": ("receipt",)}),
    )

    @admin.display(description=_("when"), ordering="occurred_at")
    def when(self, event: AccountEvent) -> str:

        return compact_time(event.occurred_at)

    @admin.display(description=_("account"))
    def account(self, event: AccountEvent) -> str:
        return event.account_ref

    @admin.display(description=_("phone"))
    def phone(self, event: AccountEvent) -> str:
        return event.phone_ref
