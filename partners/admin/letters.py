"""Authorisation letters: issued by approvers from an authorisation, printed, revoked with a reason.

Issuing is the letter's add page (an authorisation to choose, prefilled from
the authorisation's "Issue a letter" button); it calls ``letter_issue`` and
opens the printable letter. The printable page is a page of its own, without
the admin's frame, with a print stylesheet: a browser prints it or saves it
as PDF. Revoking is a record action calling ``letter_revoke``.
"""

from __future__ import annotations

import json

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from partners.choices import DataField, LetterStatus, PartnerKind, PartnerStatus, Purpose
from partners.letters import letter_check_url, letter_status, letter_statuses
from partners.models import Authorisation, Letter
from partners.services.letters import (
    ISSUE_PERMISSION,
    REVOKE_PERMISSION,
    letter_issue,
    letter_revoke,
)

from .common import AMBER, GREEN, GREY, RED, adopt, badge, expiry_horizon, get_object_or_404
from .partner_parts import ReadOnlyInline
from .record_actions import ViewOnlyRecordAdmin, revoke_action

STATUS_COLOURS = {
    LetterStatus.VALID: GREEN,
    LetterStatus.NOT_YET_VALID: GREY,
    LetterStatus.EXPIRED: GREY,
    LetterStatus.SUSPENDED: AMBER,
    LetterStatus.REVOKED: RED,
}


def letter_status_badge(status: LetterStatus) -> str:
    return badge(LetterStatus(status).label, STATUS_COLOURS.get(status, GREY))


def issuable_authorisations():
    """Authorisations a letter may be issued from: not revoked, not ended, of an approved
    enrolment partner (letter_issue checks the same again, under a lock)."""
    today, _horizon = expiry_horizon()
    return (
        Authorisation.objects.filter(
            revoked_at__isnull=True,
            valid_until__gte=today,
            partner__status=PartnerStatus.APPROVED,
            partner__kind=PartnerKind.ENROLMENT_PARTNER,
        )
        .select_related("partner")
        .order_by("partner__code", "-valid_from")
    )


class AuthorisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, authorisation: Authorisation) -> str:
        partner = authorisation.partner
        return gettext("%(partner)s — %(reference)s (%(start)s to %(end)s)") % {
            "partner": f"{partner.code} {partner.legal_name}",
            "reference": authorisation.letter_number,
            "start": authorisation.valid_from,
            "end": authorisation.valid_until,
        }


class LetterIssueForm(forms.ModelForm):
    authorisation = AuthorisationChoiceField(
        queryset=Authorisation.objects.none(),
        label=_("Authorisation"),
        help_text=_(
            "The letter states this authorisation's partner, regions, purposes, fields and "
            "dates, and gets a new number nobody can guess. Issuing is recorded in the bureau log."
        ),
    )

    class Meta:
        model = Letter
        fields = ("authorisation",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["authorisation"].queryset = issuable_authorisations()


def qr_svg(data: str) -> str:
    """An inline SVG QR code of ``data``, drawn here (no outside service ever sees a number)."""
    image = qrcode.make(
        data,
        image_factory=qrcode.image.svg.SvgPathImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    return image.to_string(encoding="unicode")


@admin.register(Letter)
class LetterAdmin(ViewOnlyRecordAdmin):
    form = LetterIssueForm
    list_display = ("number", "partner", "authorisation_reference", "status", "issued_at")
    list_filter = ("partner",)
    search_fields = ("=number", "partner__code", "partner__legal_name", "partner__uscc")
    list_select_related = ("partner", "authorisation")
    date_hierarchy = "issued_at"
    record_actions = (
        revoke_action(
            letter_revoke,
            title=lambda letter: gettext("Revoke letter %(number)s") % {"number": letter.number},
            intro=lambda letter: (
                gettext(
                    "From now on the public check page says REVOKED for letter %(number)s of "
                    "%(partner)s. The authorisation itself stays as it is (revoke it too if the "
                    "partner must stop work). The revocation is recorded in the bureau log and "
                    "cannot be undone; issue a new letter if one is needed."
                )
                % {"number": letter.number, "partner": letter.partner}
            ),
            success=lambda letter, _data: (
                gettext("Letter %(number)s revoked.") % {"number": letter.number}
            ),
        ),
    )
    detail_fields = (
        "number",
        "status",
        "partner",
        "authorisation_link",
        "validity",
        "issued_at",
        "issued_by",
        "ledger_seq",
        "key_id",
        "signature",
        "links",
        "revoked_at",
        "revoked_by",
        "revoke_reason",
        "document_display",
    )

    # --- Permissions: the letter's own (Approvers), not the model defaults.

    def has_add_permission(self, request) -> bool:
        return request.user.has_perm(ISSUE_PERMISSION)

    def can_act_on(self, request) -> bool:
        return request.user.has_perm(REVOKE_PERMISSION)

    # --- Pages

    def get_fields(self, request, obj=None):
        return ("authorisation",) if obj is None else self.detail_fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.detail_fields

    def get_urls(self):
        # Before the stock URLs: "<path:object_id>/" would swallow this one.
        return [
            path(
                "<path:object_id>/print/",
                self.admin_site.admin_view(self.print_view),
                name="partners_letter_print",
            ),
            *super().get_urls(),
        ]

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        # One PartnerScope per partner on the page, not one per row.
        statuses = letter_statuses(changelist.result_list)
        for letter in changelist.result_list:
            letter.current_status = statuses[letter.pk]
        return changelist

    def add_view(self, request, form_url="", extra_context=None):
        context = {
            "title": _("Issue a letter"),
            "show_save_and_add_another": False,
            "show_save_and_continue": False,
            **(extra_context or {}),
        }
        return super().add_view(request, form_url, context)

    def save_model(self, request, obj, form, change):
        adopt(obj, letter_issue(form.cleaned_data["authorisation"], actor=request.user))

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(
            request,
            gettext("Letter %(number)s issued to %(partner)s: print it, or save it as PDF.")
            % {"number": obj.number, "partner": obj.partner},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:partners_letter_print", args=[obj.pk]))

    def print_view(self, request, object_id: str):
        """The printable letter, on a page of its own with a print stylesheet."""
        letter = get_object_or_404(self, request, object_id)
        status = letter_status(letter)
        check_url = letter_check_url(letter.number, base=request.build_absolute_uri("/"))
        document = letter.document
        purposes, fields = dict(Purpose.choices), dict(DataField.choices)
        context = {
            "letter": letter,
            "document": document,
            "status": status,
            "status_label": LetterStatus(status).label,
            "valid": status == LetterStatus.VALID,
            "purposes": [str(purposes.get(p, p)) for p in document["authorisation"]["purposes"]],
            "fields": [str(fields.get(f, f)) for f in document["authorisation"]["fields"]],
            "check_url": check_url,
            "qr_svg": mark_safe(qr_svg(check_url)),  # noqa: S308 - drawn by qrcode from our URL
            "change_url": reverse("admin:partners_letter_change", args=[letter.pk]),
            "json_url": reverse("verify-letter-json", args=[letter.number]),
        }
        return TemplateResponse(request, "admin/partners/letter/print.html", context)

    # --- Columns and read-only fields

    @admin.display(description=_("status"))
    def status(self, letter: Letter) -> str:
        status = getattr(letter, "current_status", None) or letter_status(letter)
        return letter_status_badge(status)

    @admin.display(description=_("bureau reference"), ordering="authorisation__letter_number")
    def authorisation_reference(self, letter: Letter) -> str:
        return letter.authorisation.letter_number

    @admin.display(description=_("authorisation"))
    def authorisation_link(self, letter: Letter) -> str:
        url = reverse("admin:partners_authorisation_change", args=[letter.authorisation_id])
        return format_html('<a href="{}">{}</a>', url, letter.authorisation.letter_number)

    @admin.display(description=_("valid (Asia/Shanghai)"))
    def validity(self, letter: Letter) -> str:
        return gettext("%(start)s to %(end)s inclusive") % {
            "start": letter.document["valid_from"],
            "end": letter.document["valid_until"],
        }

    @admin.display(description=_("letter"))
    def links(self, letter: Letter) -> str:
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("admin:partners_letter_print", args=[letter.pk]),
            _("Printable letter"),
            reverse("verify-letter", args=[letter.number]),
            _("Public check page"),
            reverse("verify-letter-json", args=[letter.number]),
            _("Signed JSON"),
        )

    @admin.display(description=_("signed document"))
    def document_display(self, letter: Letter) -> str:
        text = json.dumps(letter.signed_document(), ensure_ascii=False, indent=2, sort_keys=True)
        return format_html('<pre style="white-space:pre-wrap;font-size:0.85em">{}</pre>', text)


class LetterInline(ReadOnlyInline):
    """The letters issued from an authorisation, with their status now."""

    model = Letter
    verbose_name_plural = _("letters issued from this authorisation")
    fields = readonly_fields = ("number", "status", "issued_at", "issued_by", "print_link")
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("issued_by", "authorisation")

    @admin.display(description=_("status"))
    def status(self, letter: Letter) -> str:
        return letter_status_badge(letter_status(letter))

    @admin.display(description=_("print"))
    def print_link(self, letter: Letter) -> str:
        url = reverse("admin:partners_letter_print", args=[letter.pk])
        return format_html('<a href="{}">{}</a>', url, _("Printable letter"))


def issue_letter_tool(request, authorisation: Authorisation) -> list[dict[str, str]]:
    """The authorisation page's "Issue a letter" button, for approvers, while one can be issued."""
    if not request.user.has_perm(ISSUE_PERMISSION):
        return []
    if not issuable_authorisations().filter(pk=authorisation.pk).exists():
        return []
    url = reverse("admin:partners_letter_add") + f"?authorisation={authorisation.pk}"
    return [{"label": _("Issue a letter"), "url": url}]
