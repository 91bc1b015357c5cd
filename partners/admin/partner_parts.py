"""The parts of the partner page: list filters and the inlines of its change page."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from partners.models import (
    Agent,
    ApiCredential,
    Authorisation,
    QualificationDocument,
    VettingDecision,
)

from .common import bureau_entry_link, compact_time, iso_date
from .records import document_validity_badge

# --- List filters -----------------------------------------------------------------------


class HasParentFilter(admin.SimpleListFilter):
    title = _("sub-contractor")
    parameter_name = "has_parent"

    def lookups(self, request, model_admin):
        return [("yes", _("Sub-contractor (has a parent)")), ("no", _("Direct partner"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(parent__isnull=False)
        if self.value() == "no":
            return queryset.filter(parent__isnull=True)
        return queryset


class DocumentProblemFilter(admin.SimpleListFilter):
    """Works on the counts PartnerAdmin.get_queryset annotates."""

    title = _("documents")
    parameter_name = "documents"

    def lookups(self, request, model_admin):
        return [
            ("incomplete", _("Required document missing or expired")),
            ("expiring", _("A document expires within 30 days")),
            ("complete", _("Complete")),
        ]

    def queryset(self, request, queryset):
        required = len(settings.AUDITSVC_REQUIRED_DOCUMENTS)
        if self.value() == "incomplete":
            return queryset.filter(docs_valid_required__lt=required)
        if self.value() == "expiring":
            return queryset.filter(docs_expiring__gt=0)
        if self.value() == "complete":
            return queryset.filter(docs_valid_required__gte=required)
        return queryset


# --- Inlines -------------------------------------------------------------------------------


class ReadOnlyInline(admin.TabularInline):
    """A read-only table on a record's page.

    Without a change link, each row's title (the row's ``__str__``, which
    Django prints above it) only repeats the row: the stylesheet hides it
    (``rows-untitled``) and the table stays compact.
    """

    extra = 0
    can_delete = False
    show_change_link = True
    # Row titles (__str__) of agents and decisions name the partner: one join, not a
    # query per row.
    related = ("partner",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.related)

    @property
    def classes(self):
        return () if self.show_change_link else ("rows-untitled",)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class DocumentInline(ReadOnlyInline):
    """The documents on file. Files are private: downloads go through a permission check."""

    model = QualificationDocument
    verbose_name_plural = _("qualification documents on file")
    fields = readonly_fields = (
        "doc_type",
        "issued",
        "expires",
        "validity",
        "sha256_display",
        "download",
        "uploaded_by",
        "uploaded",
    )
    show_change_link = False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("uploaded_by")
            .order_by("doc_type", "-issued_on", "-id")
        )

    @admin.display(description=_("valid"))
    def validity(self, document: QualificationDocument) -> str:
        return document_validity_badge(document)

    @admin.display(description=_("issued"))
    def issued(self, document: QualificationDocument) -> str:
        return iso_date(document.issued_on)

    @admin.display(description=_("expires"))
    def expires(self, document: QualificationDocument) -> str:
        return iso_date(document.expires_on)

    @admin.display(description=_("uploaded"))
    def uploaded(self, document: QualificationDocument) -> str:
        return compact_time(document.uploaded_at)

    @admin.display(description=_("SHA-256"))
    def sha256_display(self, document: QualificationDocument) -> str:
        # The first 16 hex digits tell files apart; the whole hash is in the tooltip
        # and on the document's own page.
        return format_html(
            '<code class="hash" title="{}">{}…</code>', document.sha256, document.sha256[:16]
        )

    @admin.display(description=_("file"))
    def download(self, document: QualificationDocument) -> str | None:
        if document.pk is None:
            return None
        url = reverse("admin:partners_qualificationdocument_download", args=[document.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download"))


class NewDocumentFormSet(forms.BaseInlineFormSet):
    """Marks the formset whose forms are handed to document_add, not saved."""


class NewDocumentForm(forms.ModelForm):
    class Meta:
        model = QualificationDocument
        fields = ("doc_type", "file", "issued_on", "expires_on")

    def clean(self):
        cleaned_data = super().clean()
        issued_on, expires_on = cleaned_data.get("issued_on"), cleaned_data.get("expires_on")
        if issued_on and expires_on and expires_on < issued_on:
            self.add_error("expires_on", _("A document cannot expire before it was issued."))

        return cleaned_data


class NewDocumentInline(admin.TabularInline):
    """Empty rows to hand in new documents; PartnerAdmin.save_formset calls document_add."""

    model = QualificationDocument
    form = NewDocumentForm
    formset = NewDocumentFormSet
    fields = ("doc_type", "file", "issued_on", "expires_on")
    extra = 1
    can_delete = False
    verbose_name = _("new document")
    verbose_name_plural = _("hand in new documents")

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def has_view_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request, obj=None) -> bool:
        opts = self.opts
        return obj is not None and request.user.has_perm(f"{opts.app_label}.add_{opts.model_name}")


class DecisionInline(ReadOnlyInline):
    """The vetting history, newest first: who decided what, when and why."""

    model = VettingDecision
    verbose_name_plural = _("vetting decisions (newest first)")
    fields = readonly_fields = (
        "decided",
        "from_status",
        "to_status",
        "actor",
        "reason",
        "entry",
    )
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor").order_by("-decided_at", "-id")

    @admin.display(description=_("decided"))
    def decided(self, decision: VettingDecision) -> str:
        return compact_time(decision.decided_at)

    @admin.display(description=_("bureau log"))
    def entry(self, decision: VettingDecision) -> str:
        return bureau_entry_link(decision.ledger_seq)


class AuthorisationInline(ReadOnlyInline):
    model = Authorisation
    fields = readonly_fields = (
        "letter_number",
        "regions_display",
        "valid",
        "hours",
        "revoked",
    )

    @admin.display(description=_("regions"))
    def regions_display(self, authorisation: Authorisation) -> str:
        return ", ".join(map(str, authorisation.regions or []))

    @admin.display(description=_("valid (first – last day)"))  # noqa: RUF001
    def valid(self, authorisation: Authorisation) -> str:
        return f"{iso_date(authorisation.valid_from)} – {iso_date(authorisation.valid_until)}"  # noqa: RUF001

    @admin.display(description=_("hours"))
    def hours(self, authorisation: Authorisation) -> str:
        return f"{authorisation.hours_start:%H:%M}–{authorisation.hours_end:%H:%M}"  # noqa: RUF001

    @admin.display(description=_("revoked"))
    def revoked(self, authorisation: Authorisation) -> str:
        return compact_time(authorisation.revoked_at)


class AgentInline(ReadOnlyInline):
    model = Agent
    fields = readonly_fields = ("code", "name", "status", "registered_on")


class CredentialInline(ReadOnlyInline):
    model = ApiCredential
    fields = readonly_fields = ("prefix", "label", "is_test", "created", "last_used", "revoked")

    @admin.display(description=_("created"))
    def created(self, credential: ApiCredential) -> str:
        return compact_time(credential.created_at)

    @admin.display(description=_("last used"))
    def last_used(self, credential: ApiCredential) -> str:
        return compact_time(credential.last_used_at)

    @admin.display(description=_("revoked"))
    def revoked(self, credential: ApiCredential) -> str:
        return compact_time(credential.revoked_at)
