"""Read-only records: qualification documents and vetting decisions."""

from __future__ import annotations

import os

from django.contrib import admin
from django.db.models import Q
from django.http import FileResponse, Http404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from partners.models import QualificationDocument, VettingDecision

from .common import (
    AMBER,
    GREEN,
    GREY,
    RED,
    RegistryRecordAdmin,
    badge,
    expiry_horizon,
    get_object_or_404,
)


def document_validity_badge(document: QualificationDocument) -> str:
    """Valid, expiring within the horizon, expired, or not valid yet."""
    today, horizon = expiry_horizon()
    if document.issued_on > today:
        return badge(_("not yet valid"), GREY)
    if document.expires_on is None:
        return badge(_("valid, no expiry"), GREEN)
    if document.expires_on < today:
        return badge(_("expired %(day)s") % {"day": document.expires_on.isoformat()}, RED)
    if document.expires_on <= horizon:
        return badge(_("expires %(day)s") % {"day": document.expires_on.isoformat()}, AMBER)
    return badge(_("valid"), GREEN)


class DocumentValidityFilter(admin.SimpleListFilter):
    title = _("validity")
    parameter_name = "validity"

    def lookups(self, request, model_admin):
        return [
            ("valid", _("Valid today")),
            ("expiring", _("Expires within 30 days")),
            ("expired", _("Expired")),
        ]

    def queryset(self, request, queryset):
        today, horizon = expiry_horizon()
        valid = Q(issued_on__lte=today) & (Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        if self.value() == "valid":
            return queryset.filter(valid)
        if self.value() == "expiring":
            return queryset.filter(valid, expires_on__lte=horizon)
        if self.value() == "expired":
            return queryset.filter(expires_on__lt=today)
        return queryset


@admin.register(QualificationDocument)
class QualificationDocumentAdmin(RegistryRecordAdmin):
    """Documents are handed in on the partner's page (document_add); here they are only listed."""

    list_display = (
        "partner",
        "doc_type",
        "issued_on",
        "expires_on",
        "validity",
        "sha256_short",
        "uploaded_by",
        "download",
    )
    list_filter = (DocumentValidityFilter, "doc_type")
    search_fields = ("partner__code", "partner__legal_name", "sha256")
    list_select_related = ("partner", "uploaded_by")
    date_hierarchy = "uploaded_at"
    # No "file" field: its widget would link to a public media URL, and there is none.
    fields = (
        "partner",
        "doc_type",
        "issued_on",
        "expires_on",
        "validity",
        "sha256",
        "uploaded_by",
        "uploaded_at",
        "download",
    )
    readonly_fields = fields

    @admin.display(description=_("valid"))
    def validity(self, document: QualificationDocument) -> str:
        return document_validity_badge(document)

    @admin.display(description=_("SHA-256"), ordering="sha256")
    def sha256_short(self, document: QualificationDocument) -> str:
        return format_html('<code title="{}">{}…</code>', document.sha256, document.sha256[:16])

    @admin.display(description=_("file"))
    def download(self, document: QualificationDocument) -> str:
        url = reverse("admin:partners_qualificationdocument_download", args=[document.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download"))

    def get_urls(self):
        return [
            path(
                "<path:object_id>/download/",
                self.admin_site.admin_view(self.download_view),
                name="partners_qualificationdocument_download",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request, object_id: str):
        """Serve a document to a user who may view it. Files are never on a public URL."""
        document = get_object_or_404(self, request, object_id)
        try:
            handle = document.file.open("rb")
        except (FileNotFoundError, ValueError):
            raise Http404(_("The file of this document is missing from storage.")) from None

        response = FileResponse(
            handle,
            as_attachment=True,
            filename=os.path.basename(document.file.name),
        )
        response["Cache-Control"] = "private, no-store"
        # Lets whoever downloads it compare with the hash pinned at upload.
        response["X-Document-SHA256"] = document.sha256
        return response


@admin.register(VettingDecision)
class VettingDecisionAdmin(RegistryRecordAdmin):
    """Every move through vetting, newest first. Recorded by the vetting service only."""

    list_display = (
        "decided_at",
        "partner",
        "from_status",
        "to_status",
        "actor",
        "short_reason",
        "ledger_seq",
    )
    list_filter = ("to_status", "from_status")
    search_fields = ("partner__code", "partner__legal_name", "actor__username", "reason")
    list_select_related = ("partner", "actor")
    date_hierarchy = "decided_at"
    ordering = ("-decided_at", "-id")
    fields = ("partner", "from_status", "to_status", "actor", "decided_at", "reason", "ledger_seq")
    readonly_fields = fields

    @admin.display(description=_("reason"))
    def short_reason(self, decision: VettingDecision) -> str:
        reason = decision.reason
        return reason if len(reason) <= 80 else reason[:79] + "…"
