"""Field agents: registered with phone and identity number, which are kept only as pseudonyms."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters

from auditsvc.identities import IdentityError, normalise_phone, normalise_resident_id
from partners.choices import AgentStatus, PartnerKind
from partners.models import Agent, Partner
from partners.services.agents import agent_register, agent_set_status

from .common import (
    AMBER,
    GREEN,
    GREY,
    ReasonForm,
    ViewOnlyRecordAdmin,
    action_page,
    adopt,
    badge,
    get_object_or_404,
    run_action,
)

AGENT_STATUS_COLOURS = {
    AgentStatus.ACTIVE: GREEN,
    AgentStatus.SUSPENDED: AMBER,
    AgentStatus.LEFT: GREY,
}
# Typed in, checked, handed to agent_register, forgotten: never in a log or an error report.
SENSITIVE_FIELDS = ("phone", "id_number")


class AgentRegisterForm(forms.ModelForm):
    phone = forms.CharField(
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text="Kept only as a keyed pseudonym, never as typed.",
    )
    id_number = forms.CharField(
        label="identity number",
        max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text="18-character resident identity number. Kept only as a keyed pseudonym.",
    )

    class Meta:
        model = Agent
        fields = ("partner", "code", "name", "phone", "id_number", "registered_on")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "partner" not in self.fields:
            return  # the view-only page of an existing row
        self.fields["partner"].queryset = Partner.objects.filter(
            kind=PartnerKind.ENROLMENT_PARTNER
        ).exclude(status__in=["rejected", "revoked"])

    # The error messages of auditsvc.identities never contain the value.
    def clean_phone(self) -> str:
        value = self.cleaned_data["phone"]
        try:
            normalise_phone(value)
        except IdentityError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None
        return value

    def clean_id_number(self) -> str:
        value = self.cleaned_data["id_number"]
        try:
            normalise_resident_id(value)
        except IdentityError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None
        return value


class AgentStatusForm(ReasonForm):
    status = forms.ChoiceField(choices=AgentStatus.choices, label="new status")
    field_order = ("status", "reason")

    def __init__(self, *args, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (value, label) for value, label in AgentStatus.choices if value != current
        ]


@admin.register(Agent)
class AgentAdmin(ViewOnlyRecordAdmin):
    form = AgentRegisterForm
    list_display = ("code", "name", "partner", "status_display", "registered_on", "created_at")
    list_display_links = ("code", "name")
    list_filter = ("status",)
    search_fields = ("code", "name", "partner__code", "partner__legal_name")
    list_select_related = ("partner",)
    autocomplete_fields = ("partner",)
    change_form_template = "admin/partners/record_change_form.html"
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

    @admin.display(description="status", ordering="status")
    def status_display(self, agent: Agent) -> str:
        return badge(AgentStatus(agent.status).label, AGENT_STATUS_COLOURS.get(agent.status, GREY))

    def get_fields(self, request, obj=None):
        return AgentRegisterForm.Meta.fields if obj is None else self.detail_fields

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

    def construct_change_message(self, request, form, formsets, add=False):
        # The default message lists changed field names only, but be explicit:
        # nothing typed into the sensitive fields may reach the admin history.
        return (
            [{"added": {}}]
            if add
            else super().construct_change_message(request, form, formsets, add)
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        agent = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if agent is not None and self.can_act_on(request):
            context["record_actions"] = [
                {
                    "label": "Change status",
                    "url": reverse("admin:partners_agent_status", args=[agent.pk]),
                }
            ]
        return super().change_view(request, object_id, form_url, context)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/status/",
                self.admin_site.admin_view(self.status_view),
                name="partners_agent_status",
            ),
            *super().get_urls(),
        ]

    def status_view(self, request, object_id: str):
        """Suspend, reactivate or retire an agent, with a reason."""
        agent = get_object_or_404(self, request, object_id)
        if not self.can_act_on(request):
            raise PermissionDenied
        form = AgentStatusForm(
            request.POST if request.method == "POST" else None, current=agent.status
        )
        if request.method == "POST" and form.is_valid():
            status, reason = form.cleaned_data["status"], form.cleaned_data["reason"]
            return run_action(
                self,
                request,
                agent,
                lambda: agent_set_status(agent, status, actor=request.user, reason=reason),
                success=f"Agent {agent.code} of {agent.partner.code} is now "
                f"{AgentStatus(status).label.lower()}.",
            )
        return action_page(
            self,
            request,
            agent,
            title=f"Change the status of agent {agent.code}",
            form=form,
            submit_label="Change status",
            intro=(
                f"{agent.name} is {AgentStatus(agent.status).label.lower()}. Records a "
                "suspended or departed agent makes are still kept, and flagged."
            ),
        )
