"""The auditors' pages for export bundles: ask for one, follow it, download it, see them all.

"Add" is "ask for an export": choose the log by partner name (or the
bureau's own log), the range in Beijing time and, optionally, the size of a
checkpoint already held; ``export_request`` does the rest. An export's page
refreshes itself while the bundle is being written and then offers the
download, which ``export_download`` records in the bureau log first.
Nothing here can be changed or deleted.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import FileResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from auditsvc.base.errors import ServiceError
from auditsvc.ledger.models import BUREAU_LOG_ID
from partners.admin.common import (
    BLUE,
    GREEN,
    GREY,
    RED,
    badge,
    compact_time,
    exact_time,
    no_store,
)
from partners.choices import PartnerKind
from partners.models import Partner

from .models import Export, ExportStatus
from .services import EXPORT_PERMISSION, export_download, export_request

_STATUS_COLOURS = {
    ExportStatus.QUEUED: GREY,
    ExportStatus.RUNNING: BLUE,
    ExportStatus.DONE: GREEN,
    ExportStatus.FAILED: RED,
}
_LOCAL_INPUT = "%Y-%m-%dT%H:%M"


def log_choices() -> list[tuple[str, str]]:
    """The logs one may export, by name: the bureau's, then each partner's by legal name."""
    choices = [(BUREAU_LOG_ID, str(_("The bureau's own decisions (bureau log)")))]
    partners = Partner.objects.order_by("legal_name").values_list("code", "legal_name", "kind")
    for code, name, kind in partners:
        what = _("account platform") if kind == PartnerKind.ACCOUNT_PLATFORM else _("partner")
        choices.append((code, f"{name} ({code}, {what})"))
    return choices


class _LocalTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format=_LOCAL_INPUT)


class RequestExportForm(forms.Form):
    log = forms.ChoiceField(label=_("Log"), choices=())
    range_from = forms.DateTimeField(
        label=_("From (Beijing time)"),
        widget=_LocalTimeInput(),
        help_text=_("Entries recorded at or after this time are in the bundle."),
    )
    range_to = forms.DateTimeField(
        label=_("Until (Beijing time)"),
        widget=_LocalTimeInput(),
        help_text=_("Entries recorded before this time; it cannot be later than now."),
    )
    previous_size = forms.IntegerField(
        label=_("Size of a checkpoint you hold"),
        required=False,
        min_value=1,
        help_text=_(
            "Optional. The tree size of the checkpoint.txt of your previous export of this "
            "log: the bundle then proves the log was only appended to since."
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["log"].choices = log_choices()
        today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        self.fields["range_from"].initial = today - dt.timedelta(days=1)
        self.fields["range_to"].initial = today


def log_words(log_id: str, partner_name: str | None) -> str:
    """A log as people say it: the partner's name and code, or the bureau's log."""
    if log_id == BUREAU_LOG_ID:
        return str(_("Bureau log"))
    if partner_name:
        return f"{partner_name} ({log_id})"
    return log_id


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
    list_display = ("asked_at", "requested_by", "log", "period", "status_words", "file_words")
    list_display_links = ("asked_at",)
    list_select_related = ("requested_by",)
    list_filter = ("status",)
    search_fields = ("log_id",)
    search_help_text = _("A partner's name or code, or bureau.")
    actions = None

    def get_queryset(self, request):
        # The partner's name in the same query, for the list's words (no query per row).
        name = Partner.objects.filter(code=OuterRef("log_id")).values("legal_name")[:1]
        return super().get_queryset(request).annotate(partner_name=Subquery(name))

    def get_search_results(self, request, queryset, search_term):
        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip():
            # A partner's name finds its logs too (the list shows names, not only codes).
            codes = Partner.objects.filter(legal_name__icontains=search_term.strip()).values("code")
            queryset |= self.get_queryset(request).filter(log_id__in=codes)
        return queryset, duplicates

    @admin.display(description=_("asked at"), ordering="created_at")
    def asked_at(self, export: Export) -> str:
        return compact_time(export.created_at)

    @admin.display(description=_("log"), ordering="log_id")
    def log(self, export: Export) -> str:
        return log_words(export.log_id, getattr(export, "partner_name", None))

    @admin.display(description=_("period (Beijing time)"))
    def period(self, export: Export) -> str:
        return format_html(
            "{} {} {}",
            compact_time(export.range_from),
            pgettext("time range", "to"),
            compact_time(export.range_to),
        )

    @admin.display(description=_("status"), ordering="status")
    def status_words(self, export: Export) -> str:
        label = export.get_status_display()
        if export.status == ExportStatus.RUNNING:
            label = f"{label} ({export.progress}%)"
        return badge(label, _STATUS_COLOURS[export.status])

    @admin.display(description=_("bundle"))
    def file_words(self, export: Export) -> str:
        if export.downloadable:
            return format_html(
                '<a href="{}">{}</a>',
                reverse("admin:exports_export_download", args=[export.pk]),
                _("Download (%(entries)s entries, %(size)s)")
                % {"entries": export.entry_count, "size": _human_size(export.size)},
            )
        if export.file_removed_at:
            return str(_("Removed after its retention time"))
        return str(_("%(entries)s entries") % {"entries": export.entry_count})

    # --- Read only: the record of who asked for what --------------------------------

    def has_add_permission(self, request) -> bool:
        return request.user.has_perm(EXPORT_PERMISSION)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        extra = [
            path(
                "<uuid:object_id>/download/",
                self.admin_site.admin_view(self.download_view),
                name="exports_export_download",
            )
        ]
        return extra + super().get_urls()

    def add_view(self, request, form_url="", extra_context=None):
        """Ask for an export; then its own page, which follows it."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = RequestExportForm(request.POST if request.method == "POST" else None)
        error = None
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                export = export_request(
                    actor=request.user,
                    log=data["log"],
                    from_=data["range_from"],
                    to=data["range_to"],
                    previous_size=data["previous_size"],
                    via="admin",
                )
            except ServiceError as exc:
                error = f"{exc.detail} [{exc.code}]"
            else:
                return HttpResponseRedirect(
                    reverse("admin:exports_export_change", args=[export.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Ask for an export bundle"),
            "opts": self.opts,
            "form": form,
            "error": error,
        }
        return TemplateResponse(request, "admin/exports/request.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """An export's page: what was asked, how far it is, the download once ready."""
        export = self.get_object(request, object_id)
        if export is None or not self.has_view_permission(request, export):
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Log export"),
            "opts": self.opts,
            "export": export,
            "log_words": log_words(export.log_id, getattr(export, "partner_name", None)),
            "status_badge": self.status_words(export),
            "asked": exact_time(export.created_at),
            "range_from": exact_time(export.range_from),
            "range_to": exact_time(export.range_to),
            "finished": exact_time(export.finished_at),
            "expires": exact_time(export.expires_at),
            "size_words": _human_size(export.size),
            "in_progress": export.status in (ExportStatus.QUEUED, ExportStatus.RUNNING),
            "may_download": export.downloadable and request.user.has_perm(EXPORT_PERMISSION),
            "download_url": reverse("admin:exports_export_download", args=[export.pk]),
        }
        return no_store(TemplateResponse(request, "admin/exports/export.html", context))

    def download_view(self, request, object_id):
        export = self.get_object(request, str(object_id))
        if export is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, str(object_id))
        try:
            file_path, name = export_download(export, actor=request.user, via="admin")
        except ServiceError as exc:
            if exc.status == 403:
                raise PermissionDenied(exc.detail) from None
            self.message_user(request, f"{exc.detail} [{exc.code}]", level="error")
            return HttpResponseRedirect(reverse("admin:exports_export_change", args=[export.pk]))
        return FileResponse(
            open(file_path, "rb"),
            as_attachment=True,
            filename=name,
            content_type="application/zip",
        )


def _human_size(size: int | None) -> str:
    if size is None:
        return "—"
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"
