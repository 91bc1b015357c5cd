"""Shared pieces of the registry's admin pages.

The admin is an entry point like the API: it parses a form, calls one
service function with ``request.user`` as the actor, and shows the result.
Nothing here writes a registry row itself; every record is evidence, so
nothing can be deleted either.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html

from auditsvc.base.errors import ServiceError
from partners.choices import PartnerKind, PartnerStatus
from partners.models import Partner
from partners.selectors import local_today

#: How far ahead "expiring" looks, in days (the dashboard uses the same horizon).
EXPIRY_HORIZON_DAYS = 30
#: A partner in one of these is out for good: no new letters, agents or keys for it.
FINAL_STATUSES = (PartnerStatus.REJECTED, PartnerStatus.REVOKED)

# Badge colours: green is fine, amber needs attention, red is stopped, grey is waiting.
GREEN, AMBER, RED, GREY, BLUE, BLACK = (
    "#2e7d32",
    "#b26a00",
    "#c62828",
    "#616161",
    "#1565c0",
    "#212121",
)


def badge(label: str, colour: str) -> str:
    """A small coloured label for list and change pages."""
    return format_html(
        '<span style="background:{};color:#fff;padding:2px 8px;border-radius:9px;'
        'white-space:nowrap;font-size:0.85em">{}</span>',
        colour,
        label,
    )


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
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        max_length=2000,
        help_text="Recorded in the signed bureau log with your name. Be specific.",
    )


class EvidenceAdmin(admin.ModelAdmin):
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
                self.message_user(request, f"Refused: {message}", messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())


class ReadOnlyAdmin(EvidenceAdmin):
    """Rows only services write and nobody edits (decisions, documents)."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


def service_error_message(model_admin, request: HttpRequest, exc: ServiceError) -> None:
    """Show a refused action as an admin error naming the reason and its stable code."""
    model_admin.message_user(request, f"Refused: {exc.detail} [{exc.code}]", messages.ERROR)


def form_data(request: HttpRequest) -> QueryDict | None:
    """What binds a page's form: the posted data, or nothing on a GET (an unbound form)."""
    return request.POST if request.method == "POST" else None


def admin_page(
    model_admin, request: HttpRequest, template: str, obj: models.Model | None = None, **context
) -> TemplateResponse:
    """A page of ``model_admin`` outside the stock views, in the admin's frame and breadcrumbs."""
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": obj,
        "object_url": change_url(obj) if obj is not None else None,
        **context,
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, template, context)


def action_page(
    model_admin,
    request: HttpRequest,
    obj: models.Model | None,
    *,
    title: str,
    form: forms.Form,
    submit_label: str,
    intro: str = "",
    warnings: list[str] | None = None,
    danger: bool = False,
) -> TemplateResponse:
    """The intermediate page of a state change (what will happen, a form to confirm it),
    or of an issuing form (``obj`` None: Cancel goes back to the list)."""
    return admin_page(
        model_admin,
        request,
        "admin/partners/action_form.html",
        obj,
        title=title,
        subtitle=None,
        form=form,
        submit_label=submit_label,
        intro=intro,
        warnings=warnings or [],
        danger=danger,
        media=model_admin.media + form.media,
    )


def run_action(
    model_admin,
    request: HttpRequest,
    obj: models.Model,
    call: Callable[[], Any],
    *,
    success: str,
) -> HttpResponseRedirect:
    """Call a service; report success or its refusal as an admin message; back to the object."""
    try:
        call()
    except ServiceError as exc:
        service_error_message(model_admin, request, exc)
    else:
        model_admin.log_change(request, obj, success)
        model_admin.message_user(request, success, messages.SUCCESS)
    return HttpResponseRedirect(change_url(obj))


def decision_view(
    model_admin,
    request: HttpRequest,
    obj: models.Model,
    *,
    form: forms.Form,
    call: Callable[[dict[str, Any]], Any],
    success: Callable[[dict[str, Any]], str],
    title: str,
    submit_label: str,
    intro: str = "",
    warnings: list[str] | None = None,
    danger: bool = False,
) -> HttpResponse:
    """The body of every decision page (revoke, change status, a vetting move).

    A GET, or a POST whose form is not valid (no reason given), shows the page
    with the form; a valid POST calls ``call`` with the form's cleaned data
    and goes back to the record, saying ``success(data)`` or why the service
    refused. Permission checks are the caller's, before this.
    """
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        return run_action(model_admin, request, obj, lambda: call(data), success=success(data))
    return action_page(
        model_admin,
        request,
        obj,
        title=title,
        form=form,
        submit_label=submit_label,
        intro=intro,
        warnings=warnings,
        danger=danger,
    )


def get_object_or_404(model_admin, request: HttpRequest, object_id: str) -> models.Model:
    """The object of a custom admin page, if the user may at least view it (else 404/403)."""
    obj = model_admin.get_object(request, object_id)
    if obj is None:
        raise Http404(f"No {model_admin.opts.verbose_name} with id {object_id!r}.")
    if not model_admin.has_view_or_change_permission(request, obj):
        raise PermissionDenied
    return obj


# --- Record actions ---------------------------------------------------------------------------


def _always(obj: models.Model) -> bool:
    return True


@dataclass(frozen=True)
class RecordAction:
    """A change of state of one record: a button on its change page, and a page to confirm it.

    The confirming form's cleaned data are the service's keyword arguments:
    ``service(record, actor=request.user, **form.cleaned_data)``. The texts
    are functions of the record because they name it; ``success`` also gets
    the cleaned data (an agent's new status).
    """

    #: The URL is ``<object_id>/<name>/``, named ``<app_label>_<model_name>_<name>``.
    name: str
    #: On the button and on the submit button of the confirming page.
    label: str
    service: Callable[..., Any]
    title: Callable[[Any], str]
    intro: Callable[[Any], str]
    success: Callable[[Any, dict[str, Any]], str]
    #: Ask for a reason (ReasonForm), or only for a confirmation (an empty form).
    needs_reason: bool = True
    #: A form of its own instead, made from the record and the posted data.
    form: Callable[[Any, QueryDict | None], forms.Form] | None = None
    #: Whether the submit button is red (a step that cannot be undone).
    danger: bool = False
    #: Whether the change page shows the button. Only that: the confirming page is
    #: still there, and the service (the authority) refuses what no longer applies.
    offered: Callable[[Any], bool] = _always

    def make_form(self, obj: models.Model, data: QueryDict | None) -> forms.Form:
        if self.form is not None:
            return self.form(obj, data)
        return ReasonForm(data) if self.needs_reason else forms.Form(data)


def revoke_action(
    service: Callable[..., Any],
    *,
    title: Callable[[Any], str],
    intro: Callable[[Any], str],
    success: Callable[[Any, dict[str, Any]], str],
    needs_reason: bool = True,
) -> RecordAction:
    """The "Revoke" button of a record that stays on file as revoked (offered until it is)."""
    return RecordAction(
        name="revoke",
        label="Revoke",
        service=service,
        title=title,
        intro=intro,
        success=success,
        needs_reason=needs_reason,
        danger=True,
        offered=lambda obj: obj.revoked_at is None,
    )


class RecordActionMixin:
    """Gives a ModelAdmin the buttons, URLs and confirming pages of its ``record_actions``.

    Acting needs the model's change permission (``can_act_on``) on top of
    seeing the record; the button shows only to users who have it.
    """

    record_actions: tuple[RecordAction, ...] = ()
    change_form_template = "admin/partners/record_change_form.html"

    def can_act_on(self, request: HttpRequest) -> bool:
        """Whether the user may change state of these rows (the model's change permission)."""
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    def record_action_url_name(self, action: RecordAction) -> str:
        opts = self.opts
        return f"{opts.app_label}_{opts.model_name}_{action.name}"

    def get_urls(self):
        # Before the stock URLs: "<path:object_id>/" would swallow these.
        return [
            path(
                f"<path:object_id>/{action.name}/",
                self.admin_site.admin_view(self.record_action_view),
                {"action_name": action.name},
                name=self.record_action_url_name(action),
            )
            for action in self.record_actions
        ] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if obj is not None and self.can_act_on(request):
            context["record_actions"] = [
                {
                    "label": action.label,
                    "url": reverse(f"admin:{self.record_action_url_name(action)}", args=[obj.pk]),
                }
                for action in self.record_actions
                if action.offered(obj)
            ]
        return super().change_view(request, object_id, form_url, context)

    def record_action_view(self, request: HttpRequest, object_id: str, action_name: str):
        """The confirming page of one record action, and the service call once confirmed."""
        obj = get_object_or_404(self, request, object_id)
        if not self.can_act_on(request):
            raise PermissionDenied
        action = next(action for action in self.record_actions if action.name == action_name)
        return decision_view(
            self,
            request,
            obj,
            form=action.make_form(obj, form_data(request)),
            call=lambda data: action.service(obj, actor=request.user, **data),
            success=lambda data: action.success(obj, data),
            title=action.title(obj),
            submit_label=action.label,
            intro=action.intro(obj),
            danger=action.danger,
        )


class ViewOnlyRecordAdmin(RecordActionMixin, EvidenceAdmin):
    """Rows created through a service form and never edited: the change page only shows
    them, and changes of state (revoke, suspend) are record actions with their own page."""

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None:
            return False
        return super().has_change_permission(request, obj)
