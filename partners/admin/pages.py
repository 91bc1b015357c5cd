"""The admin's own pages outside the stock views: a decision asks for a reason, then acts.

Every state change of the registry (a vetting move, a revocation, an agent's
status) is shown on an intermediate page that says what will happen and asks
for a reason; the confirmed POST calls one service and goes back to the
record with its success or its refusal as a message.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse

from auditsvc.base.errors import ServiceError

from .common import change_url, service_error_message


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
