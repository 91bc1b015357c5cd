"""The bureau's admin site: two-factor sign-in, lockout after repeated failures, a dashboard.

Installed as Django's default admin site by ``config.apps.AuditsvcAdminConfig``,
so every ``admin.site.register`` in the project lands here.

Sign-in asks for username, password and a one-time code on one page. The
password goes through ``authenticate(request=...)``, so django-axes counts
every failure; a wrong or missing one-time code is reported to axes as a
failed login too, and the error never says which factor was wrong (telling
"right password, wrong code" apart would turn the form into a password
oracle). ``AUDITSVC_REQUIRE_OTP`` may be switched off for local development
only: the code then becomes optional.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.db.models import Count
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminSite

from .services.second_factor import otp_required, verify_second_factor

#: How far ahead the dashboard looks for approvals that run out.
DASHBOARD_EXPIRY_DAYS = 30
#: Rows per dashboard table; the rest are one click away in the filtered list.
DASHBOARD_ROWS = 15
#: Who sees the dashboard's panel of reported activity (and may look residents up).
ACTIVITY_PERMISSION = "ingestion.view_accessevent"
#: Pages that are not a model's list, listed among an app's models on the index and the
#: app's page: (app label, name, object name, URL name, permission).
EXTRA_PAGES = (
    (
        "ingestion",
        _("Resident lookup"),
        "ResidentLookup",
        "admin:ingestion_resident_lookup",
        "ingestion.view_accessevent",
    ),
)


class BureauAuthenticationForm(AdminAuthenticationForm):
    """Username, password and one-time code on one form."""

    otp_token = forms.CharField(
        label=_("One-time code"),
        required=False,
        max_length=32,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
        help_text=_("Six digits from your authenticator app, or one of your backup codes."),
    )

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": _(
            "Please enter the correct %(username)s, password and one-time code for a staff "
            "account. Repeated failures lock the account for a while."
        ),
    }

    def clean(self):
        # The parent authenticates with the request (axes sees every password failure).
        cleaned_data = super().clean()
        user = self.get_user()
        if user is None:
            return cleaned_data
        token = cleaned_data.get("otp_token") or ""
        device = verify_second_factor(user, token)
        if device is None and (otp_required() or token):
            # Count it like a wrong password, so axes locks a password-holder
            # who guesses codes, and say nothing about which factor failed.
            user_login_failed.send(
                sender=type(self),
                credentials={"username": cleaned_data.get("username")},
                request=self.request,
            )
            self.user_cache = None
            raise self.get_invalid_login_error()
        # django-otp's user_logged_in handler stores this device in the session.
        user.otp_device = device
        return cleaned_data


class BureauAdminSite(OTPAdminSite):
    """The admin site of the bureau: staff and auditors, always with a second factor."""

    site_header = _("auditsvc — medical-insurance partner audit")
    site_title = "auditsvc"
    index_title = _("Bureau dashboard")

    site_url = None
    login_form = BureauAuthenticationForm
    login_template = "admin/bureau/login.html"
    index_template = "admin/index.html"
    # The sidebar takes a fifth of a 1366-pixel screen from every list; the index
    # and the breadcrumbs lead everywhere it did.
    enable_nav_sidebar = False

    def __init__(self, name: str = "admin") -> None:
        # OTPAdminSite defaults to the name "otpadmin"; the project's URLs and
        # templates reverse "admin:...".
        super().__init__(name)

    def has_permission(self, request) -> bool:
        """Active staff, verified by a second factor unless OTP is switched off."""
        if otp_required():
            return super().has_permission(request)
        return AdminSite.has_permission(self, request)

    def get_urls(self):
        from .two_factor import two_factor_view

        return [
            path("two-factor/", self.admin_view(two_factor_view), name="two_factor"),
            *super().get_urls(),
        ]

    def index(self, request, extra_context=None):
        """The admin index with the bureau's work queue on top."""
        context = dict(extra_context or {})
        if request.user.has_perm("partners.view_partner"):
            context["dashboard"] = dashboard_context(request)
        # --- Reported activity (auditsvc.site.dashboard), a panel of its own.
        if request.user.has_perm(ACTIVITY_PERMISSION):
            from .dashboard import activity

            context["activity"] = activity()
        # --- Open alerts (auditsvc.site.dashboard_alerts), for whoever may see alerts.
        if request.user.has_perm("detection.view_alert"):
            from .dashboard_alerts import open_alerts_panel

            context["alerts_panel"] = open_alerts_panel()
        return super().index(request, extra_context=context)

    def get_app_list(self, request, app_label=None):
        """The models of each app, and the pages that are not a model's list (EXTRA_PAGES)."""
        app_list = super().get_app_list(request, app_label)
        for app in app_list:
            pages = [
                {
                    "name": name,
                    "object_name": object_name,
                    "admin_url": reverse(url_name, current_app=self.name),
                    "add_url": None,
                    "view_only": True,
                    "perms": {"view": True},
                }
                for label, name, object_name, url_name, permission in EXTRA_PAGES
                if label == app["app_label"] and request.user.has_perm(permission)
            ]
            if pages:
                app["models"] = sorted([*app["models"], *pages], key=lambda m: m["name"])
        return app_list


def _changelist(model_name: str, **params) -> str:
    url = reverse(f"admin:partners_{model_name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def dashboard_context(request) -> dict:
    """What the bureau must look at today: the review queue, what expires, who is where."""
    from partners import selectors
    from partners.choices import PartnerStatus
    from partners.models import Partner

    now = timezone.now()
    today = selectors.local_today()

    waiting_qs = selectors.partners_awaiting_review().select_related("parent")
    waiting = [
        {
            "partner": partner,
            "url": reverse("admin:partners_partner_change", args=[partner.pk]),
            "age": now - partner.status_changed_at,
            "age_days": (now - partner.status_changed_at).days,
        }
        for partner in waiting_qs[:DASHBOARD_ROWS]
    ]

    authorisations_qs = selectors.authorisations_expiring(
        within_days=DASHBOARD_EXPIRY_DAYS
    ).select_related("partner")
    documents_qs = selectors.documents_expiring(within_days=DASHBOARD_EXPIRY_DAYS).select_related(
        "partner"
    )
    authorisations = [
        {
            "authorisation": authorisation,
            "url": reverse("admin:partners_authorisation_change", args=[authorisation.pk]),
            "days_left": (authorisation.valid_until - today).days,
        }
        for authorisation in authorisations_qs[:DASHBOARD_ROWS]
    ]
    documents = [
        {
            "document": document,
            "url": reverse("admin:partners_partner_change", args=[document.partner_id]),
            "days_left": (document.expires_on - today).days,
        }
        for document in documents_qs[:DASHBOARD_ROWS]
    ]

    counts = dict(
        Partner.objects.order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    by_status = [
        {
            "status": status.value,
            "label": status.label,
            "count": counts.get(status.value, 0),
            "url": _changelist("partner", status__exact=status.value),
        }
        for status in PartnerStatus
    ]

    waiting_statuses = f"{PartnerStatus.APPLIED},{PartnerStatus.UNDER_REVIEW}"
    return {
        "waiting": waiting,
        "waiting_count": waiting_qs.count(),
        "waiting_url": _changelist("partner", status__in=waiting_statuses),
        "expiry_days": DASHBOARD_EXPIRY_DAYS,
        "authorisations": authorisations,
        "authorisations_count": authorisations_qs.count(),
        "authorisations_url": _changelist("authorisation", validity="expiring"),
        "documents": documents,
        "documents_count": documents_qs.count(),
        "documents_url": _changelist("qualificationdocument", validity="expiring"),
        "by_status": by_status,
        "generated_at": now,
        "today": today,
        "horizon": today + dt.timedelta(days=DASHBOARD_EXPIRY_DAYS),
    }
