"""Shared pieces of the registry's admin pages.

The admin is an entry point like the API: it parses a form, calls one
service function with ``request.user`` as the actor, and shows the result.
Nothing here writes a registry row itself; every record is evidence, so
nothing can be deleted either.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html

from auditsvc.errors import ServiceError
from partners.selectors import local_today

#: How far ahead "expiring" looks, in days (the dashboard uses the same horizon).
EXPIRY_HORIZON_DAYS = 30

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


def no_store(response: HttpResponse) -> HttpResponse:
    """Keep a page that shows a secret out of every cache and the browser history."""
    add_never_cache_headers(response)
    response["Cache-Control"] += ", no-store"
    return response


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


class ViewOnlyRecordAdmin(EvidenceAdmin):
    """Rows created through a service form and never edited: the change page only shows
    them, and changes of state (revoke, suspend) are buttons with their own page."""

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None:
            return False
        return super().has_change_permission(request, obj)

    def can_act_on(self, request) -> bool:
        """Whether the user may change state of these rows (the model's change permission)."""
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")


def service_error_message(model_admin, request: HttpRequest, exc: ServiceError) -> None:
    """Show a refused action as an admin error naming the reason and its stable code."""
    model_admin.message_user(request, f"Refused: {exc.detail} [{exc.code}]", messages.ERROR)


def action_page(
    model_admin,
    request: HttpRequest,
    obj: models.Model,
    *,
    title: str,
    form: forms.Form,
    submit_label: str,
    intro: str = "",
    warnings: list[str] | None = None,
    danger: bool = False,
    extra: dict[str, Any] | None = None,
) -> TemplateResponse:
    """The intermediate page of a state change: what will happen, and a form to confirm it."""
    opts = model_admin.opts
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "subtitle": None,
        "opts": opts,
        "original": obj,
        "object_url": change_url(obj),
        "form": form,
        "submit_label": submit_label,
        "intro": intro,
        "warnings": warnings or [],
        "danger": danger,
        "media": model_admin.media + form.media,
        **(extra or {}),
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/partners/action_form.html", context)


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


def get_object_or_404(model_admin, request: HttpRequest, object_id: str) -> models.Model:
    """The object of a custom admin page, if the user may at least view it (else 404/403)."""
    obj = model_admin.get_object(request, object_id)
    if obj is None:
        raise Http404(f"No {model_admin.opts.verbose_name} with id {object_id!r}.")
    if not model_admin.has_view_or_change_permission(request, obj):
        raise PermissionDenied
    return obj
