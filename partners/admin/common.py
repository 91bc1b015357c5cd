"""Shared pieces of the registry's admin pages: badges, the base admins, small helpers.

The admin is an entry point like the API: it parses a form, calls one
service function with ``request.user`` as the actor, and shows the result.
Nothing here writes a registry row itself; every record is evidence, so
nothing can be deleted either.
"""

import datetime as dt
from typing import TypeVar

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from auditsvc.base.errors import ServiceError
from auditsvc.ledger.admin import entry_url
from auditsvc.ledger.models import BUREAU_LOG_ID
from partners.choices import PartnerKind, PartnerStatus
from partners.models import Partner
from partners.selectors import local_today

#: How far ahead "expiring" looks, in days (the dashboard uses the same horizon).
EXPIRY_HORIZON_DAYS = 30
#: A partner in one of these is out for good: no new letters, agents or keys for it.
FINAL_STATUSES = (PartnerStatus.REJECTED, PartnerStatus.REVOKED)

# Badge colours: green is fine, amber needs attention, red is stopped, grey is waiting.
# Each is a CSS class of the site's stylesheet (auditsvc/site/static/site/admin.css):
# ``badge-<colour>`` for a badge, ``text-<colour>`` for coloured text.
GREEN, AMBER, RED, GREY, BLUE, BLACK = ("green", "amber", "red", "grey", "blue", "black")


def badge(label: str, colour: str) -> str:
    """A small coloured label for list and change pages."""
    return format_html('<span class="badge badge-{}">{}</span>', colour, label)


def coloured(text: str, colour: str | None) -> str:
    """Text in one of the badge colours (``None``: the page's own colour)."""
    if colour is None:
        return format_html("<span>{}</span>", text)
    return format_html('<span class="text-{}">{}</span>', colour, text)


def iso_date(day: dt.date | None) -> str:
    """A date in a table: ``2026-10-04`` (short, sorts as it reads), or a dash."""
    return day.isoformat() if day is not None else "—"


def compact_time(moment: dt.datetime | None) -> str:
    """A time in a table: local date and minutes, the exact instant in the tooltip."""
    if moment is None:
        return "—"
    local = timezone.localtime(moment)
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        moment.isoformat(),
        local.isoformat(timespec="seconds"),
        local.strftime("%Y-%m-%d %H:%M"),
    )


def exact_time(moment: dt.datetime | None) -> str:
    """A time on a record's page: to the second, Beijing time (the instant in ``datetime``)."""
    if moment is None:
        return "—"
    local = timezone.localtime(moment)
    return format_html(
        '<time datetime="{}">{}</time>',
        moment.isoformat(),
        _("%(time)s (Beijing time)") % {"time": local.strftime("%Y-%m-%d %H:%M:%S")},
    )


def bureau_entry_link(seq: int | None) -> str:
    """A bureau-log seq as a link to its entry (``bureau#12``)."""
    if seq is None:
        return "—"
    return format_html(
        '<a href="{}" class="receipt">{}#{}</a>', entry_url(BUREAU_LOG_ID, seq), BUREAU_LOG_ID, seq
    )


def partner_code(partner: Partner) -> str:
    """A partner in a tight column: its code, its legal name in the tooltip."""
    return format_html('<span title="{}">{}</span>', partner.legal_name, partner.code)


def back_to_partner(
    model_admin, request: HttpRequest, obj: models.Model, response: HttpResponse
) -> HttpResponse:
    """After adding ``obj`` to a partner's file: the partner's page, with the admin's message.

    "Save and add another" and "Save and continue" keep their own destination.
    """
    if "_addanother" in request.POST or "_continue" in request.POST:
        return response
    if not isinstance(response, HttpResponseRedirect):
        return response
    return HttpResponseRedirect(change_url(obj.partner))


def expiry_horizon() -> tuple[dt.date, dt.date]:
    """Today (Asia/Shanghai) and the last day that still counts as "expiring soon"."""
    today = local_today()
    return today, today + dt.timedelta(days=EXPIRY_HORIZON_DAYS)


def adopt(form_instance: models.Model, created: models.Model) -> None:
    """Make the admin's unsaved form object stand for the row a service created.

    The admin's add view goes on to log the addition and redirect using the
    object it passed to ``save_model``; the service, not the form, created
    the row (and its ledger entry), so the form object takes over its state.
    """
    form_instance.__dict__.update(created.__dict__)


def change_url(obj: models.Model) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


_Response = TypeVar("_Response", bound=HttpResponse)


def no_store(response: _Response) -> _Response:
    """Keep a page that shows a secret out of every cache and the browser history."""
    add_never_cache_headers(response)
    response["Cache-Control"] += ", no-store"
    return response


def partners_in_play() -> models.QuerySet[Partner]:
    """Partners that may still get letters, agents and keys (neither rejected nor revoked)."""
    return Partner.objects.exclude(status__in=FINAL_STATUSES)


class EnrolmentPartnerFormMixin:
    """A form whose partner must be an enrolment partner still in play (letters, agents):
    account platforms get neither."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "partner" in self.fields:  # not on the view-only page of an existing row
            self.fields["partner"].queryset = partners_in_play().filter(
                kind=PartnerKind.ENROLMENT_PARTNER
            )


class ReasonForm(forms.Form):
    """Every decision says why; the reason goes into the ledger entry."""

    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        max_length=2000,
        help_text=_("Recorded in the signed bureau log with your name. Be specific."),
    )


class RegistryAdmin(admin.ModelAdmin):
    """Base of every registry admin: records are evidence, so nothing is deleted here,
    and nothing is done in bulk (each decision is taken one at a time, with a reason)."""

    actions = None

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # A service may refuse what the form allowed (a permission, a state
        # that changed meanwhile, a race on a unique value): show its reason
        # instead of a server error. Nothing was saved: the view is atomic.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceError as exc:
            service_error_message(self, request, exc)
        except ValidationError as exc:
            for message in exc.messages:
                self.message_user(
                    request, _("Refused: %(reason)s") % {"reason": message}, messages.ERROR
                )
        return HttpResponseRedirect(request.get_full_path())


class RegistryRecordAdmin(RegistryAdmin):
    """Rows only services write and nobody edits (decisions, documents)."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


def service_error_message(model_admin, request: HttpRequest, exc: ServiceError) -> None:
    """Show a refused action as an admin error naming the reason and its stable code."""
    model_admin.message_user(
        request,
        _("Refused: %(reason)s [%(code)s]") % {"reason": exc.detail, "code": exc.code},
        messages.ERROR,
    )


def form_data(request: HttpRequest) -> QueryDict | None:
    """What binds a page's form: the posted data, or nothing on a GET (an unbound form)."""
    return request.POST if request.method == "POST" else None


def get_object_or_404(model_admin, request: HttpRequest, object_id: str) -> models.Model:
    """The object of a custom admin page, if the user may at least view it (else 404/403)."""
    obj = model_admin.get_object(request, object_id)
    if obj is None:
        raise Http404(f"No {model_admin.opts.verbose_name} with id {object_id!r}.")
    if not model_admin.has_view_or_change_permission(request, obj):
        raise PermissionDenied
    return obj
