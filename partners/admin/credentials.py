"""API keys of partner software and personal API tokens: issued once, shown once, revoked.

The issuing POST is answered with a redirect to a page that shows the new key
once (POST-redirect-GET, see shown_once): reloading that page issues nothing
and shows nothing. The raw key is nowhere else: not in the session, not in a
message, not in the admin history.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from auditsvc.base.errors import ServiceError
from partners.models import ApiCredential, StaffToken
from partners.services.credentials import (
    credential_issue,
    credential_revoke,
    staff_token_issue,
    staff_token_revoke,
)

from .common import (
    GREEN,
    RED,
    badge,
    form_data,
    no_store,
    partners_in_play,
)
from .pages import action_page, admin_page
from .record_actions import ViewOnlyRecordAdmin, revoke_action
from .shown_once import hold_secret, take_secret


class CredentialIssueForm(forms.Form):
    partner = forms.ModelChoiceField(
        label=_("Partner"), queryset=partners_in_play().order_by("code")
    )
    label = forms.CharField(
        label=_("Label"),
        max_length=100,
        help_text=_("Which software or installation uses it, e.g. “field app v3”."),
    )
    test = forms.BooleanField(
        label=_("Test key"),
        required=False,
        help_text=_(
            "For the partner's developers: requests are checked and answered like live "
            "ones, but the records go to the partner's test log (e.g. P0001T) and are never "
            "evidence. Test keys start with ask_test_."
        ),
    )


class StaffTokenIssueForm(forms.Form):
    user = forms.ModelChoiceField(label=_("User"), queryset=get_user_model().objects.none())
    label = forms.CharField(
        label=_("Label"), max_length=100, help_text=_("Where the token is used, e.g. “laptop”.")
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(is_active=True, is_staff=True).order_by("username")
        if not request.user.is_superuser:
            # A token acts as its user: nobody but a superuser mints one for someone else.
            users = users.filter(pk=request.user.pk)
        self.fields["user"].queryset = users
        self.fields["user"].initial = request.user.pk


class RevokedFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("active", _("Active")), ("revoked", _("Revoked"))]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.filter(revoked_at__isnull=True)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


def active_badge(revoked_at) -> str:
    if revoked_at is None:
        return badge(_("active"), GREEN)
    return badge(_("revoked %(day)s") % {"day": f"{revoked_at:%Y-%m-%d}"}, RED)


class IssueOnceAdmin(ViewOnlyRecordAdmin):
    """The add page issues a secret through a service; the next page (a GET) shows it once."""

    issue_title = _("Issue")
    #: What the secret is called on its page ("key", "token") and how it is used.
    shown_as = _("key")
    shown_usage = ""

    def make_issue_form(self, request, data=None):
        raise NotImplementedError

    def issue(self, request, form) -> tuple:
        raise NotImplementedError

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = self.make_issue_form(request, form_data(request))
        if request.method == "POST" and form.is_valid():
            try:
                # One transaction: if the cache cannot hold the key for its page,
                # the key (and its bureau-log entry) is rolled back, not issued unseen.
                with transaction.atomic():
                    obj, secret = self.issue(request, form)
                    token = hold_secret(secret, user=request.user, about=obj.pk)
            except ServiceError as exc:
                form.add_error(None, f"{exc.detail} [{exc.code}]")
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                self.log_addition(request, obj, [{"added": {}}])
                return HttpResponseRedirect(self._issued_url(obj, token))
        return action_page(
            self,
            request,
            None,
            title=self.issue_title,
            form=form,
            submit_label=self.issue_title,
            intro=self.issue_intro,
        )

    def get_urls(self):
        opts = self.opts
        return [
            path(
                "<path:object_id>/issued/<str:token>/",
                self.admin_site.admin_view(self.issued_view),
                name=f"{opts.app_label}_{opts.model_name}_issued",
            ),
            *super().get_urls(),
        ]

    def _issued_url(self, obj, token: str) -> str:
        opts = self.opts
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_issued", args=[obj.pk, token])

    def issued_view(self, request, object_id: str, token: str) -> TemplateResponse:
        """Show the new secret the first time this page is opened; say it is gone after."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404(f"No {self.opts.verbose_name} with id {object_id!r}.")
        secret = take_secret(token, user=request.user, about=obj.pk)
        title = _("%(what)s issued") % {"what": capfirst(self.opts.verbose_name)}
        page = admin_page(
            self,
            request,
            "admin/partners/secret_once.html",
            obj,
            title=title,
            secret=secret,
            shown_as=self.shown_as,
            lost=_(
                "The service keeps only its hash: if it is lost, revoke it and issue a new "
                "%(secret)s."
            )
            % {"secret": self.shown_as},
            usage=self.shown_usage,
        )
        if secret is None:
            page.status_code = 410  # Gone: shown already (or never to this user)
        return no_store(page)

    @admin.display(description=_("state"))
    def state(self, obj) -> str:
        return active_badge(obj.revoked_at)

    @admin.display(description=_("key"))
    def prefix_display(self, obj) -> str:
        return format_html("<code>{}…</code>", obj.prefix)


@admin.register(ApiCredential)
class ApiCredentialAdmin(IssueOnceAdmin):
    list_display = (
        "prefix_display",
        "partner",
        "label",
        "is_test",
        "state",
        "created_at",
        "created_by",
        "last_used_at",
    )
    list_filter = (RevokedFilter, "is_test")
    search_fields = ("prefix", "label", "partner__code", "partner__legal_name")
    list_select_related = ("partner", "created_by")
    issue_title = _("Issue API key")
    shown_as = _("key")
    shown_usage = _("Use it as Authorization: Bearer <key>.")
    issue_intro = _(
        "Issues a new API key for the partner's software. The key is shown once, on the next "
        "page; the service keeps only its hash. Hand it over through a secure channel."
    )
    fields = readonly_fields = (
        "partner",
        "label",
        "prefix_display",
        "is_test",
        "state",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
        "revoked_by",
        "revoke_reason",
    )
    record_actions = (
        revoke_action(
            credential_revoke,
            title=lambda credential: (
                _("Revoke API key %(prefix)s…") % {"prefix": credential.prefix}
            ),
            intro=lambda credential: (
                _(
                    "The software of %(partner)s that uses this key is refused (401) from its next "
                    "request on. This cannot be undone; issue a new key if needed."
                )
                % {"partner": credential.partner}
            ),
            success=lambda credential, data: (
                _("API key %(prefix)s… of %(partner)s revoked.")
                % {"prefix": credential.prefix, "partner": credential.partner.code}
            ),
        ),
    )

    def make_issue_form(self, request, data=None):
        return CredentialIssueForm(data, initial={"partner": request.GET.get("partner")})

    def issue(self, request, form):
        data = form.cleaned_data
        return credential_issue(
            data["partner"], actor=request.user, label=data["label"], test=data["test"]
        )


@admin.register(StaffToken)
class StaffTokenAdmin(IssueOnceAdmin):
    list_display = ("prefix_display", "user", "label", "state", "created_at", "last_used_at")
    list_filter = (RevokedFilter,)
    search_fields = ("prefix", "label", "user__username")
    list_select_related = ("user",)
    issue_title = _("Issue personal API token")
    shown_as = _("token")
    shown_usage = _("Use it as Authorization: Bearer <token>.")
    issue_intro = _(
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
    record_actions = (
        # staff_token_revoke takes no reason: a token is a person's own tool, not a decision
        # about a partner. The page only asks to confirm.
        revoke_action(
            staff_token_revoke,
            needs_reason=False,
            title=lambda token: (
                _("Revoke token %(prefix)s… of %(user)s")
                % {"prefix": token.prefix, "user": token.user}
            ),
            intro=lambda token: _(
                "Requests with this token are refused (401) from now on. This cannot be undone."
            ),
            success=lambda token, data: (
                _("Token %(prefix)s… of %(user)s revoked.")
                % {"prefix": token.prefix, "user": token.user}
            ),
        ),
    )

    def make_issue_form(self, request, data=None):
        return StaffTokenIssueForm(data, request=request)

    def issue(self, request, form):
        return staff_token_issue(
            form.cleaned_data["user"], label=form.cleaned_data["label"], actor=request.user
        )
