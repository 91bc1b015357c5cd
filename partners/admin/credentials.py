"""API keys of partner software and personal API tokens: issued once, shown once, revoked.

The raw key is in the response to the issuing POST and nowhere else: not in
the session, not in a message, not in the admin history. Reloading the page
cannot show it again (the browser would have to post the form again, which
issues a different key).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from auditsvc.errors import ServiceError
from partners.choices import PartnerStatus
from partners.models import ApiCredential, Partner, StaffToken
from partners.services.credentials import (
    credential_issue,
    credential_revoke,
    staff_token_issue,
    staff_token_revoke,
)

from .common import (
    GREEN,
    RED,
    ReasonForm,
    ViewOnlyRecordAdmin,
    action_page,
    badge,
    change_url,
    get_object_or_404,
    no_store,
    run_action,
)


class CredentialIssueForm(forms.Form):
    partner = forms.ModelChoiceField(
        queryset=Partner.objects.exclude(
            status__in=[PartnerStatus.REJECTED, PartnerStatus.REVOKED]
        ).order_by("code")
    )
    label = forms.CharField(
        max_length=100, help_text="Which software or installation uses it, e.g. “field app v3”."
    )


class StaffTokenIssueForm(forms.Form):
    user = forms.ModelChoiceField(queryset=get_user_model().objects.none())
    label = forms.CharField(max_length=100, help_text="Where the token is used, e.g. “laptop”.")

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(is_active=True, is_staff=True).order_by("username")
        if not request.user.is_superuser:
            # A token acts as its user: nobody but a superuser mints one for someone else.
            users = users.filter(pk=request.user.pk)
        self.fields["user"].queryset = users
        self.fields["user"].initial = request.user.pk


class RevokedFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("active", "Active"), ("revoked", "Revoked")]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.filter(revoked_at__isnull=True)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


def active_badge(revoked_at) -> str:
    if revoked_at is None:
        return badge("active", GREEN)
    return badge(f"revoked {revoked_at:%Y-%m-%d}", RED)


class IssueOnceAdmin(ViewOnlyRecordAdmin):
    """The add page issues a secret through a service and shows it on the response, once."""

    change_form_template = "admin/partners/record_change_form.html"
    issue_title = "Issue"

    def make_issue_form(self, request, data=None):
        raise NotImplementedError

    def issue(self, request, form) -> tuple:
        raise NotImplementedError

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = self.make_issue_form(request, request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                obj, secret = self.issue(request, form)
            except ServiceError as exc:
                form.add_error(None, f"{exc.detail} [{exc.code}]")
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                self.log_addition(request, obj, [{"added": {}}])
                return self.secret_page(request, obj, secret)
        context = {
            **self.admin_site.each_context(request),
            "title": self.issue_title,
            "opts": self.opts,
            "form": form,
            "submit_label": self.issue_title,
            "intro": self.issue_intro,
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/partners/action_form.html", context)

    def secret_page(self, request, obj, secret: str) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": f"{self.opts.verbose_name.capitalize()} issued",
            "opts": self.opts,
            "original": obj,
            "object_url": change_url(obj),
            "secret": secret,
        }
        request.current_app = self.admin_site.name
        response = TemplateResponse(request, "admin/partners/secret_once.html", context)
        return no_store(response)

    @admin.display(description="state")
    def state(self, obj) -> str:
        return active_badge(obj.revoked_at)

    @admin.display(description="key")
    def prefix_display(self, obj) -> str:
        return format_html("<code>{}…</code>", obj.prefix)


@admin.register(ApiCredential)
class ApiCredentialAdmin(IssueOnceAdmin):
    list_display = (
        "prefix_display",
        "partner",
        "label",
        "state",
        "created_at",
        "created_by",
        "last_used_at",
    )
    list_filter = (RevokedFilter,)
    search_fields = ("prefix", "label", "partner__code", "partner__legal_name")
    list_select_related = ("partner", "created_by")
    issue_title = "Issue API key"
    issue_intro = (
        "Issues a new API key for the partner's software. The key is shown once, on the next "
        "page; the service keeps only its hash. Hand it over through a secure channel."
    )
    fields = readonly_fields = (
        "partner",
        "label",
        "prefix_display",
        "state",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
        "revoked_by",
        "revoke_reason",
    )

    def make_issue_form(self, request, data=None):
        return CredentialIssueForm(data, initial={"partner": request.GET.get("partner")})

    def issue(self, request, form):
        return credential_issue(
            form.cleaned_data["partner"], actor=request.user, label=form.cleaned_data["label"]
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        credential = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if credential is not None and credential.revoked_at is None and self.can_act_on(request):
            context["record_actions"] = [
                {
                    "label": "Revoke",
                    "url": reverse("admin:partners_apicredential_revoke", args=[credential.pk]),
                }
            ]
        return super().change_view(request, object_id, form_url, context)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/revoke/",
                self.admin_site.admin_view(self.revoke_view),
                name="partners_apicredential_revoke",
            ),
            *super().get_urls(),
        ]

    def revoke_view(self, request, object_id: str):
        credential = get_object_or_404(self, request, object_id)
        if not self.can_act_on(request):
            raise PermissionDenied
        form = ReasonForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            reason = form.cleaned_data["reason"]
            return run_action(
                self,
                request,
                credential,
                lambda: credential_revoke(credential, actor=request.user, reason=reason),
                success=f"API key {credential.prefix}… of {credential.partner.code} revoked.",
            )
        return action_page(
            self,
            request,
            credential,
            title=f"Revoke API key {credential.prefix}…",
            form=form,
            submit_label="Revoke",
            intro=(
                f"The software of {credential.partner} that uses this key is refused (401) "
                "from its next request on. This cannot be undone; issue a new key if needed."
            ),
            danger=True,
        )


@admin.register(StaffToken)
class StaffTokenAdmin(IssueOnceAdmin):
    list_display = ("prefix_display", "user", "label", "state", "created_at", "last_used_at")
    list_filter = (RevokedFilter,)
    search_fields = ("prefix", "label", "user__username")
    list_select_related = ("user",)
    issue_title = "Issue personal API token"
    issue_intro = (
        "Issues a personal API token that acts with its user's permissions. It is shown once, "
        "on the next page; the service keeps only its hash."
    )
    fields = readonly_fields = (
        "user",
        "label",
        "prefix_display",
        "state",
        "created_at",
        "last_used_at",
        "revoked_at",
    )

    def make_issue_form(self, request, data=None):
        return StaffTokenIssueForm(data, request=request)

    def issue(self, request, form):
        return staff_token_issue(
            form.cleaned_data["user"], label=form.cleaned_data["label"], actor=request.user
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        token = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if token is not None and token.revoked_at is None and self.can_act_on(request):
            context["record_actions"] = [
                {
                    "label": "Revoke",
                    "url": reverse("admin:partners_stafftoken_revoke", args=[token.pk]),
                }
            ]
        return super().change_view(request, object_id, form_url, context)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/revoke/",
                self.admin_site.admin_view(self.revoke_view),
                name="partners_stafftoken_revoke",
            ),
            *super().get_urls(),
        ]

    def revoke_view(self, request, object_id: str):
        token = get_object_or_404(self, request, object_id)
        if not self.can_act_on(request):
            raise PermissionDenied
        # staff_token_revoke takes no reason: a token is a person's own tool, not a decision
        # about a partner. The page only asks to confirm.
        form = forms.Form(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            return run_action(
                self,
                request,
                token,
                lambda: staff_token_revoke(token, actor=request.user),
                success=f"Token {token.prefix}… of {token.user} revoked.",
            )
        return action_page(
            self,
            request,
            token,
            title=f"Revoke token {token.prefix}… of {token.user}",
            form=form,
            submit_label="Revoke",
            intro="Requests with this token are refused (401) from now on. This cannot be undone.",
            danger=True,
        )
