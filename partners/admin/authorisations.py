"""Authorisations: granted through a form, never edited, revoked with a reason."""

from __future__ import annotations

import re

from django import forms
from django.contrib import admin
from django.db.models import Q
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from partners.choices import DataField, Purpose
from partners.models import Authorisation
from partners.services.authorisations import authorisation_grant, authorisation_revoke

from .common import (
    AMBER,
    GREEN,
    GREY,
    RED,
    EnrolmentPartnerFormMixin,
    adopt,
    back_to_partner,
    badge,
    expiry_horizon,
    iso_date,
    partner_code,
)
from .labels import join_words
from .letters import LetterInline, issue_letter_tool
from .record_actions import ViewOnlyRecordAdmin, revoke_action


class RegionsField(forms.CharField):
    """Division codes or prefixes, separated by commas or spaces ("411381, 411302" or "4113")."""

    def to_python(self, value):
        text = super().to_python(value)
        return list(dict.fromkeys(code for code in re.split(r"[\s,;\uff0c\u3001]+", text) if code))

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(map(str, value))
        return value


class AuthorisationGrantForm(EnrolmentPartnerFormMixin, forms.ModelForm):
    regions = RegionsField(
        help_text=_(
            "6-digit division codes, or 2- and 4-digit prefixes, separated by commas "
            "(e.g. 411381, 411302; or 4113 for all of Nanyang)."
        ),
    )
    purposes = forms.MultipleChoiceField(
        choices=Purpose.choices, widget=forms.CheckboxSelectMultiple
    )
    fields = forms.MultipleChoiceField(
        choices=DataField.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only what the work needs: every field read outside this list is flagged."),
    )

    class Meta:
        model = Authorisation
        fields = (
            "partner",
            "letter_number",
            "regions",
            "purposes",
            "fields",
            "valid_from",
            "valid_until",
            "hours_start",
            "hours_end",
            "daily_cap_per_agent",
            "daily_cap_per_partner",
        )

    def clean(self):
        cleaned_data = super().clean()
        start, end = cleaned_data.get("valid_from"), cleaned_data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("The last valid day cannot be before the first."))
        hours_start, hours_end = cleaned_data.get("hours_start"), cleaned_data.get("hours_end")
        if hours_start and hours_end and hours_end <= hours_start:
            self.add_error("hours_end", _("Hours must end after they start."))
        return cleaned_data


class ValidityFilter(admin.SimpleListFilter):
    title = _("validity")
    parameter_name = "validity"

    def lookups(self, request, model_admin):
        return [
            ("current", _("Current")),
            ("expiring", _("Current, ends within 30 days")),
            ("expired", _("Expired")),
            ("future", _("Not started yet")),
            ("revoked", _("Revoked")),
        ]

    def queryset(self, request, queryset):
        today, horizon = expiry_horizon()
        current = Q(revoked_at__isnull=True, valid_from__lte=today, valid_until__gte=today)
        value = self.value()
        if value == "current":
            return queryset.filter(current)
        if value == "expiring":
            return queryset.filter(current, valid_until__lte=horizon)
        if value == "expired":
            return queryset.filter(revoked_at__isnull=True, valid_until__lt=today)
        if value == "future":
            return queryset.filter(revoked_at__isnull=True, valid_from__gt=today)
        if value == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


def authorisation_state_badge(authorisation: Authorisation) -> str:
    today, horizon = expiry_horizon()
    if authorisation.revoked_at is not None:
        return badge(_("revoked"), RED)
    if authorisation.valid_until < today:
        return badge(_("expired"), GREY)
    if authorisation.valid_from > today:
        return badge(_("not started"), GREY)
    if authorisation.valid_until <= horizon:
        return badge(_("ends %(day)s") % {"day": authorisation.valid_until.isoformat()}, AMBER)
    return badge(_("current"), GREEN)


@admin.register(Authorisation)
class AuthorisationAdmin(ViewOnlyRecordAdmin):
    form = AuthorisationGrantForm
    list_display = (
        "letter_number",
        "partner_code",
        "state",
        "regions_display",
        "valid",
        "hours",
        "caps",
    )
    list_filter = (ValidityFilter,)
    search_fields = ("letter_number", "partner__code", "partner__legal_name")
    list_select_related = ("partner",)
    autocomplete_fields = ("partner",)
    date_hierarchy = "valid_until"
    record_actions = (
        revoke_action(
            authorisation_revoke,
            title=lambda authorisation: (
                _("Revoke authorisation %(reference)s") % {"reference": authorisation.letter_number}
            ),
            intro=lambda authorisation: (
                _(
                    "From now on, %(partner)s is no longer authorised under %(reference)s: every "
                    "access it makes from now on that only this letter covered is flagged. The "
                    "revocation is recorded in the bureau log and cannot be undone."
                )
                % {"partner": authorisation.partner, "reference": authorisation.letter_number}
            ),
            success=lambda authorisation, data: (
                _("Authorisation %(reference)s revoked.")
                % {"reference": authorisation.letter_number}
            ),
        ),
    )
    inlines = (LetterInline,)
    detail_fields = (
        "partner",
        "letter_number",
        "state",
        "regions_display",
        "purposes_display",
        "fields_display",
        "valid_from",
        "valid_until",
        "hours",
        "caps",
        "created_by",
        "created_at",
        "revoked_at",
        "revoked_by",
        "revoke_reason",
    )

    @admin.display(description=_("state"))
    def state(self, authorisation: Authorisation) -> str:
        return authorisation_state_badge(authorisation)

    @admin.display(description=_("partner"), ordering="partner__code")
    def partner_code(self, authorisation: Authorisation) -> str:
        return partner_code(authorisation.partner)

    @admin.display(description=_("valid (first – last day)"), ordering="valid_until")  # noqa: RUF001
    def valid(self, authorisation: Authorisation) -> str:
        return format_html(
            '<span class="nowrap">{}</span> – <span class="nowrap">{}</span>',  # noqa: RUF001
            iso_date(authorisation.valid_from),
            iso_date(authorisation.valid_until),
        )

    @admin.display(description=_("regions"))
    def regions_display(self, authorisation: Authorisation) -> str:
        return ", ".join(map(str, authorisation.regions or []))

    @admin.display(description=_("purposes"))
    def purposes_display(self, authorisation: Authorisation) -> str:
        labels = dict(Purpose.choices)
        return join_words(labels.get(value, value) for value in authorisation.purposes or [])

    @admin.display(description=_("fields"))
    def fields_display(self, authorisation: Authorisation) -> str:
        labels = dict(DataField.choices)
        return join_words(labels.get(value, value) for value in authorisation.fields or [])

    @admin.display(description=_("hours"))
    def hours(self, authorisation: Authorisation) -> str:
        # Asia/Shanghai, as every time on these pages; said on the record's page.
        return f"{authorisation.hours_start:%H:%M}–{authorisation.hours_end:%H:%M}"  # noqa: RUF001

    @admin.display(description=_("daily caps (agent / partner)"))
    def caps(self, authorisation: Authorisation) -> str:
        def show(cap):
            return _("none") if cap is None else str(cap)

        per_agent, per_partner = (
            authorisation.daily_cap_per_agent,
            authorisation.daily_cap_per_partner,
        )
        return f"{show(per_agent)} / {show(per_partner)}"

    def extra_object_tools(self, request, obj):
        return issue_letter_tool(request, obj)

    def get_inline_instances(self, request, obj=None):
        # The letters list belongs to the authorisation's page, not to the grant form.
        return super().get_inline_instances(request, obj) if obj is not None else []

    def get_fields(self, request, obj=None):
        if obj is None:
            return AuthorisationGrantForm.Meta.fields
        return self.detail_fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.detail_fields

    def save_model(self, request, obj, form, change):
        data = dict(form.cleaned_data)
        partner = data.pop("partner")
        adopt(obj, authorisation_grant(partner, actor=request.user, **data))

    def response_add(self, request, obj, post_url_continue=None):
        # Granting is a step of the partner's file: go back to it (unless asked otherwise).
        return back_to_partner(self, request, obj, super().response_add(request, obj))
