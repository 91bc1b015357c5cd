"""The staff's page for residents' access reports: produce one, and the list of those produced.

"Add" is "produce": staff who have checked a resident's identity in person
type the identity number (POST only, never in a URL, marked sensitive for
error reports, never echoed back, never stored), and get the printable
report with its signed JSON to hand over. The list shows who produced which
report when, by pseudonym and counts; nothing here can be changed or deleted.
"""

from __future__ import annotations

import base64
import json

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters

from auditsvc.base.errors import ServiceError
from auditsvc.base.identities import RESIDENT_ID_SCHEME, IdentityError, resident_identity
from partners.admin.common import no_store
from partners.choices import DataField, Violation

from .models import AccessReport
from .services import ProducedReport, report_produce


class _NoEchoInput(forms.TextInput):
    """A text box that never writes the submitted number back into the page."""

    def format_value(self, value):
        return None


class ProduceReportForm(forms.Form):
    identity_number = forms.CharField(
        label=_("Resident identity number"),
        max_length=32,
        strip=True,
        widget=_NoEchoInput(attrs={"autocomplete": "off", "spellcheck": "false", "size": 24}),
        help_text=_(
            "18 characters, from the identity card you have checked in person. It is used to "
            "compute the pseudonym and then forgotten."
        ),
    )

    def clean_identity_number(self) -> str:
        try:
            self.cleaned_data["identity"] = resident_identity(
                RESIDENT_ID_SCHEME, self.cleaned_data["identity_number"]
            )
        except IdentityError as exc:
            # The message names what is wrong, never the number.
            raise forms.ValidationError(
                _("This is not a valid resident identity number: %(why)s"),
                code=exc.code,
                params={"why": exc.message},
            ) from None
        return ""  # the number itself is not kept, even in cleaned_data


def _labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


@admin.register(AccessReport)
class AccessReportAdmin(admin.ModelAdmin):
    list_display = (
        "produced_at",
        "produced_by",
        "pseudonym",
        "sessions",
        "accesses",
        "account_events",
        "ledger_seq",
    )
    list_select_related = ("produced_by",)
    date_hierarchy = "produced_at"
    actions = None
    fields = readonly_fields = (
        "id",
        "produced_at",
        "produced_by",
        "identity_ref",
        "sessions",
        "accesses",
        "account_events",
        "document_sha256",
        "key_id",
        "ledger_seq",
    )

    @admin.display(description=_("resident pseudonym"))
    def pseudonym(self, report: AccessReport) -> str:
        return f"{report.identity_ref[:12]}…"

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @method_decorator(sensitive_post_parameters("identity_number"))
    def add_view(self, request, form_url="", extra_context=None):
        """Produce a report: the identity number (POST) in, the printable signed report out."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ProduceReportForm(request.POST if request.method == "POST" else None)
        error = None
        if request.method == "POST" and form.is_valid():
            try:
                produced = report_produce(form.cleaned_data["identity"], actor=request.user)
            except ServiceError as exc:
                error = f"{exc.detail} [{exc.code}]"
            else:
                return self._report_page(request, produced)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Produce a resident's access report"),
            "opts": self.opts,
            "form": form,
            "error": error,
        }
        # The page may carry an error about what was typed: no cache may keep it either.
        return no_store(TemplateResponse(request, "admin/reports/produce.html", context))

    def _report_page(self, request, produced: ProducedReport) -> TemplateResponse:
        signed = produced.signed
        field_labels = _labels(DataField.choices)
        violation_labels = _labels(Violation.choices)
        records = produced.records
        for record in [*records.sessions, *records.accesses, *records.accounts]:
            record.violation_labels = [violation_labels.get(v, v) for v in record.violation_list]
        for access in records.accesses:
            access.field_labels = [field_labels.get(field, field) for field in access.fields]
        body = json.dumps(signed, ensure_ascii=False, indent=2).encode("utf-8")
        document = signed["document"]
        context = {
            "report": produced.report,
            "document": document,
            "signed": signed,
            "json_data_url": "data:application/json;base64," + base64.b64encode(body).decode(),
            "json_filename": (
                f"access-report-{timezone.localtime(produced.report.produced_at):%Y%m%d}-"
                f"{str(produced.report.pk)[:8]}.json"
            ),
            "records": produced.records,
            "back_url": reverse("admin:reports_accessreport_changelist"),
        }
        return no_store(TemplateResponse(request, "admin/reports/report.html", context))
