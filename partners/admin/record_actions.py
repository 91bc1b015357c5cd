"""Record actions: a button on a record's page and a page to confirm it (revoke, suspend).

Four registry admins change the state of one record at a time with a
reason (revoking a letter, a key, a token; changing an agent's status). A
``RecordAction`` declares one of them: its label, the service it calls and
the texts of its page; ``RecordActionMixin`` gives an admin the buttons, URLs
and confirming pages of its ``record_actions``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, QueryDict
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from .common import ReasonForm, RegistryAdmin, form_data, get_object_or_404
from .pages import decision_view


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
        label=_("Revoke"),
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
        if obj is not None:
            extra = self.extra_object_tools(request, obj)
            context["record_actions"] = [*context.get("record_actions", []), *extra]
        return super().change_view(request, object_id, form_url, context)

    def extra_object_tools(self, request: HttpRequest, obj: models.Model) -> list[dict[str, str]]:
        """More buttons beside the record actions (``{"label", "url"}``), each with its own
        permission check: e.g. an authorisation's "Issue a letter", which needs another one."""
        return []

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


class ViewOnlyRecordAdmin(RecordActionMixin, RegistryAdmin):
    """Rows created through a service form and never edited: the change page only shows
    them, and changes of state (revoke, suspend) are record actions with their own page."""

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None:
            return False
        return super().has_change_permission(request, obj)
