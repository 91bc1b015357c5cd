"""Who holds which role: the security officers' pages, and Django's stock user and group
admin made unable to go around them.

**Staff accounts** (``StaffAccount``, security officers) lists every account
with its roles and second factors; its buttons grant and remove roles and
reset a lost second factor, each through a service that writes a bureau-log
entry (``services.roles``, ``services.second_factor``). A reset's new backup
codes are shown once, on a page of its own (partners.admin.shown_once).

**Users** and **Groups** (Django's own pages, superusers) no longer change
group membership, permissions or the superuser flag: those fields are read
only there, groups cannot be edited, and nothing is deleted (accounts are
named in the bureau log).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from auditsvc.base.errors import ServiceError
from partners import roles
from partners.admin.common import (
    ReasonForm,
    change_url,
    form_data,
    get_object_or_404,
    no_store,
    service_error_message,
)
from partners.admin.pages import action_page, admin_page, decision_view
from partners.admin.shown_once import hold_secret, take_secret

from .models import StaffAccount
from .services.roles import MANAGE_ROLES, role_grant, role_remove, roles_of
from .services.second_factor import BACKUP_CODE_COUNT, RESET_PERMISSION, second_factor_reset


def _held_text(held: list[str]) -> str:
    return ", ".join(roles.role_label(role) for role in held) or str(_("no role"))


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=())
    reason = ReasonForm.base_fields["reason"]

    def __init__(self, data=None, *, choices: list[str]):
        super().__init__(data)
        self.fields["role"].choices = [(role, roles.role_label(role)) for role in choices]


@admin.register(StaffAccount)
class StaffAccountAdmin(admin.ModelAdmin):
    """Security officers' page: roles and second factors of every account (view only; the
    changes are buttons that ask for a reason and call a service)."""

    list_display = (
        "username",
        "full_name",
        "roles_display",
        "second_factor_display",
        "is_active",
        "last_login",
    )
    list_filter = ("groups", "is_active")
    search_fields = ("username", "first_name", "last_name", "email")
    ordering = ("username",)
    actions = None
    fields = readonly_fields = (
        "username",
        "full_name",
        "email",
        "is_active",
        "is_staff",
        "roles_display",
        "second_factor_display",
        "last_login",
        "date_joined",
    )
    change_form_template = "admin/partners/record_change_form.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("groups")
            .annotate(
                authenticators=Count(
                    "totpdevice", filter=Q(totpdevice__confirmed=True), distinct=True
                ),
                backup_codes=Count(
                    "staticdevice__token_set",
                    filter=Q(staticdevice__confirmed=True),
                    distinct=True,
                ),
            )
        )

    def has_add_permission(self, request) -> bool:
        return False  # accounts are made by a superuser (Users); roles are given here

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # nothing is edited in place: every change is a button with a reason

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("name"))
    def full_name(self, account) -> str:
        return account.get_full_name()

    @admin.display(description=_("roles"))
    def roles_display(self, account) -> str:
        held = {group.name for group in account.groups.all()}
        return ", ".join(roles.role_label(role) for role in roles.ROLES if role in held) or "—"

    @admin.display(description=_("second factor"))
    def second_factor_display(self, account) -> str:
        apps = getattr(account, "authenticators", 0)
        codes = getattr(account, "backup_codes", 0)
        text = ngettext(
            "%(apps)s authenticator app, %(codes)s backup codes",
            "%(apps)s authenticator apps, %(codes)s backup codes",
            apps,
        ) % {"apps": apps, "codes": codes}
        colour = "inherit" if apps or codes else "#c62828"
        return format_html('<span style="color:{}">{}</span>', colour, text)

    # --- Buttons and their pages ---------------------------------------------------------

    def get_urls(self):
        def view(route: str, function, name: str):
            return path(
                f"<path:object_id>/{route}",
                self.admin_site.admin_view(function),
                name=f"site_staffaccount_{name}",
            )

        # Before the stock URLs: "<path:object_id>/" would swallow these.
        return [
            view("grant-role/", self.grant_view, "grant_role"),
            view("remove-role/", self.remove_view, "remove_role"),
            view("reset-second-factor/", self.reset_view, "reset_second_factor"),
            view("reset-second-factor/<str:token>/", self.reset_code_view, "reset_code"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        context = dict(extra_context or {})
        buttons = []
        if request.user.has_perm(MANAGE_ROLES):
            buttons += [(_("Grant role"), "grant_role"), (_("Remove role"), "remove_role")]
        if request.user.has_perm(RESET_PERMISSION):
            buttons.append((_("Reset second factor"), "reset_second_factor"))
        context["record_actions"] = [
            {"label": label, "url": reverse(f"admin:site_staffaccount_{name}", args=[object_id])}
            for label, name in buttons
        ]
        return super().change_view(request, object_id, form_url, context)

    def _account(self, request, object_id: str, permission: str) -> StaffAccount:
        account = get_object_or_404(self, request, object_id)
        if not request.user.has_perm(permission):
            raise PermissionDenied
        return account

    def grant_view(self, request, object_id: str):
        account = self._account(request, object_id, MANAGE_ROLES)
        held = roles_of(account)
        return decision_view(
            self,
            request,
            account,
            form=RoleForm(form_data(request), choices=[r for r in roles.ROLES if r not in held]),
            call=lambda data: role_grant(
                account, data["role"], actor=request.user, reason=data["reason"]
            ),
            success=lambda data: (
                _("%(user)s: role “%(role)s” granted.")
                % {"user": account.username, "role": roles.role_label(data["role"])}
            ),
            title=_("Grant a role to %(user)s") % {"user": account.username},
            submit_label=_("Grant role"),
            intro=_(
                "%(user)s holds: %(roles)s. The grant and your reason go into the signed bureau "
                "log under your name. A security officer cannot also be bureau staff or an "
                "approver, and nobody changes their own roles."
            )
            % {"user": account.username, "roles": _held_text(held)},
        )

    def remove_view(self, request, object_id: str):
        account = self._account(request, object_id, MANAGE_ROLES)
        held = roles_of(account)
        return decision_view(
            self,
            request,
            account,
            form=RoleForm(form_data(request), choices=held),
            call=lambda data: role_remove(
                account, data["role"], actor=request.user, reason=data["reason"]
            ),
            success=lambda data: (
                _("%(user)s: role “%(role)s” removed.")
                % {"user": account.username, "role": roles.role_label(data["role"])}
            ),
            title=_("Remove a role from %(user)s") % {"user": account.username},
            submit_label=_("Remove role"),
            intro=_(
                "%(user)s holds: %(roles)s. The removal takes effect on their next request and "
                "goes into the signed bureau log."
            )
            % {"user": account.username, "roles": _held_text(held)},
            danger=True,
        )

    def reset_view(self, request, object_id: str):
        """Ask for a reason; reset; show the new backup codes once (redirect, GET)."""
        account = self._account(request, object_id, RESET_PERMISSION)
        form = ReasonForm(form_data(request))
        if request.method == "POST" and form.is_valid():
            try:
                # If the cache cannot carry the codes to their page, nothing is reset.
                with transaction.atomic():
                    codes = second_factor_reset(
                        account, actor=request.user, reason=form.cleaned_data["reason"]
                    )
                    token = hold_secret(
                        " ".join(codes), user=request.user, about=f"reset:{account.pk}"
                    )
            except ServiceError as exc:
                service_error_message(self, request, exc)
                return HttpResponseRedirect(change_url(account))
            self.log_change(request, account, "Second factor reset.")  # stored as written
            return HttpResponseRedirect(
                reverse("admin:site_staffaccount_reset_code", args=[account.pk, token])
            )
        return action_page(
            self,
            request,
            account,
            title=_("Reset the second factor of %(user)s") % {"user": account.username},
            form=form,
            submit_label=_("Reset second factor"),
            intro=_(
                "For a lost or stolen phone. Every authenticator app and backup code of %(user)s "
                "stops working now, and so do their open sessions. You get %(count)s new backup "
                "codes, shown once: hand them over in person. They sign in with one and add a "
                "new authenticator app on their Two-factor page with another. The reset and "
                "your reason go into the signed bureau log."
            )
            % {"user": account.username, "count": BACKUP_CODE_COUNT},
            danger=True,
        )

    def reset_code_view(self, request, object_id: str, token: str):
        account = self._account(request, object_id, RESET_PERMISSION)
        codes = take_secret(token, user=request.user, about=f"reset:{account.pk}")
        page = admin_page(
            self,
            request,
            "admin/partners/secret_once.html",
            account,
            title=_("New backup codes for %(user)s") % {"user": account.username},
            secret=codes,
            shown_as=_("set of backup codes"),
            lost=_("If it is lost before it is handed over, reset the second factor again."),
            usage=_(
                "%(user)s types one in the “One-time code” field to sign in, and another on "
                "their Two-factor page to add a new authenticator app. Each works once."
            )
            % {"user": account.username},
            handover=_("Hand them over in person or by a channel only they can read."),
        )
        if codes is None:
            page.status_code = 410
        else:
            messages.info(
                request, _("The second factor of %(user)s was reset.") % {"user": account.username}
            )
        return no_store(page)


# --- Django's own user and group pages, without the power to change roles ---------------------

admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class BureauUserAdmin(UserAdmin):
    """Django's user admin (superusers: accounts, names, passwords), with roles read only."""

    readonly_fields = ("is_superuser", "groups", "user_permissions", "last_login", "date_joined")
    filter_horizontal = ()
    list_display = ("username", "email", "first_name", "last_name", "is_staff", "is_active")
    list_filter = ("is_staff", "is_active", "groups")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (
            _("Roles"),
            {
                "fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions"),
                "description": _(
                    "Roles are granted and removed by a security officer on the Staff accounts "
                    "page, where every change is recorded in the bureau log."
                ),
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the bureau log names accounts by id: they stay


@admin.register(Group)
class ReadOnlyGroupAdmin(GroupAdmin):
    """The role groups and their permissions, for reading: they change only by migrations."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
