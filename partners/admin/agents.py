"""Field agents: registered with phone and identity number, which are kept only as pseudonyms."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import admin
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters

from auditsvc.base.identities import IdentityError, normalise_phone, normalise_resident_id
from partners.choices import AgentStatus
from partners.models import Agent, AgentStatusChange
from partners.services.agents import agent_register, agent_set_status

from .common import (
    AMBER,
    GREEN,
    GREY,
    EnrolmentPartnerFormMixin,
    ReasonForm,
    adopt,
    back_to_partner,
    badge,
    bureau_entry_link,
    compact_time,
)
from .partner_parts import ReadOnlyInline
from .record_actions import RecordAction, ViewOnlyRecordAdmin

AGENT_STATUS_COLOURS = {
    AgentStatus.ACTIVE: GREEN,
    AgentStatus.SUSPENDED: AMBER,
    AgentStatus.LEFT: GREY,
}
# Typed in, checked, handed to agent_register, forgotten: never in a log or an error report.
SENSITIVE_FIELDS = ("phone", "id_number")


def checked_identity(value: str, normalise: Callable[[str], object]) -> str:
    """``value`` as typed, if ``normalise`` accepts it; else a form error.

    The error messages of auditsvc.base.identities never contain the value.
    """
    try:
        normalise(value)
    except IdentityError as exc:
        raise forms.ValidationError(exc.message, code=exc.code) from None
    return value


class AgentRegisterForm(EnrolmentPartnerFormMixin, forms.ModelForm):
    phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("Kept only as a keyed pseudonym, never as typed."),
    )
    id_number = forms.CharField(
        label=_("identity number"),
        max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("18-character resident identity number. Kept only as a keyed pseudonym."),
    )

    class Meta:
        model = Agent
        fields = ("partner", "code", "name", "phone", "id_number", "registered_on")

    def clean_phone(self) -> str:
        return checked_identity(self.cleaned_data["phone"], normalise_phone)

    def clean_id_number(self) -> str:
        return checked_identity(self.cleaned_data["id_number"], normalise_resident_id)


class AgentStatusForm(ReasonForm):
    status = forms.ChoiceField(choices=AgentStatus.choices, label=_("new status"))
    field_order = ("status", "reason")

    def __init__(self, *args, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (value, label) for value, label in AgentStatus.choices if value != current
        ]


class StatusChangeInline(ReadOnlyInline):
    """The agent's status history, newest first, read-only (only agent_set_status writes it)."""

    model = AgentStatusChange
    show_change_link = False
    related = ("actor",)
    verbose_name_plural = _("status changes (newest first)")
    fields = readonly_fields = (
        "changed",
        "from_status",
        "to_status",
        "actor",
        "reason",
        "entry",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("-changed_at", "-id")

    @admin.display(description=_("changed"))
    def changed(self, change: AgentStatusChange) -> str:
        return compact_time(change.changed_at)

    @admin.display(description=_("bureau log"))
    def entry(self, change: AgentStatusChange) -> str:
        return bureau_entry_link(change.ledger_seq)

    def has_view_permission(self, request, obj=None) -> bool:
        # Part of the agent's record: whoever may see the agent sees its history.
        return request.user.has_perm("partners.view_agent")


@admin.register(Agent)
class AgentAdmin(ViewOnlyRecordAdmin):
    form = AgentRegisterForm
    list_display = ("code", "name", "partner", "status_display", "registered_on", "created_at")
    list_display_links = ("code", "name")
    list_filter = ("status",)
    search_fields = ("code", "name", "partner__code", "partner__legal_name")
    list_select_related = ("partner",)
    autocomplete_fields = ("partner",)
    detail_fields = (
        "partner",
        "code",
        "name",
        "status_display",
        "registered_on",
        "created_at",
        "phone_ref",
        "identity_ref",
    )
    record_actions = (
        # Suspend, reactivate or retire an agent, with a reason.
        RecordAction(
            name="status",
            label=_("Change status"),
            service=agent_set_status,
            form=lambda agent, data: AgentStatusForm(data, current=agent.status),
            title=lambda agent: _("Change the status of agent %(code)s") % {"code": agent.code},
            intro=lambda agent: (
                _(
                    "%(name)s is %(status)s. Records a suspended or departed agent makes are still "
                    "kept, and flagged."
                )
                % {"name": agent.name, "status": AgentStatus(agent.status).label.lower()}
            ),
            success=lambda agent, data: (
                _("Agent %(code)s of %(partner)s is now %(status)s.")
                % {
                    "code": agent.code,
                    "partner": agent.partner.code,
                    "status": AgentStatus(data["status"]).label.lower(),
                }
            ),
        ),
    )

    @admin.display(description=_("status"), ordering="status")
    def status_display(self, agent: Agent) -> str:
        return badge(AgentStatus(agent.status).label, AGENT_STATUS_COLOURS.get(agent.status, GREY))

    def get_fields(self, request, obj=None):
        return AgentRegisterForm.Meta.fields if obj is None else self.detail_fields

    def get_inlines(self, request, obj):
        return () if obj is None else (StatusChangeInline,)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.detail_fields

    @method_decorator(sensitive_post_parameters(*SENSITIVE_FIELDS))
    def add_view(self, request, form_url="", extra_context=None):
        return super().add_view(request, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        adopt(
            obj,
            agent_register(
                data["partner"],
                actor=request.user,
                code=data["code"],
                name=data["name"],
                phone=data["phone"],
                id_number=data["id_number"],
                registered_on=data.get("registered_on"),
            ),
        )

    def response_add(self, request, obj, post_url_continue=None):
        # Registering an agent is a step of the partner's file: go back to it.
        return back_to_partner(self, request, obj, super().response_add(request, obj))

    def construct_change_message(self, request, form, formsets, add=False):
        # The default message lists changed field names only, but be explicit:
        # nothing typed into the sensitive fields may reach the admin history.
        return (
            [{"added": {}}]
            if add
            else super().construct_change_message(request, form, formsets, add)
        )
