"""What the partner page shows and asks: status colours, vetting button labels, the add form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from partners.choices import PartnerStatus
from partners.models import Partner

from .common import AMBER, BLACK, BLUE, GREEN, GREY, RED, badge

STATUS_COLOURS = {
    PartnerStatus.APPLIED: GREY,
    PartnerStatus.UNDER_REVIEW: BLUE,
    PartnerStatus.APPROVED: GREEN,
    PartnerStatus.REJECTED: BLACK,
    PartnerStatus.SUSPENDED: AMBER,
    PartnerStatus.REVOKED: RED,
}

# (from, to) -> what the button says. Approving and reinstating both end in "approved".
TRANSITION_LABELS = {
    (PartnerStatus.APPLIED, PartnerStatus.UNDER_REVIEW): _("Start review"),
    (PartnerStatus.UNDER_REVIEW, PartnerStatus.APPROVED): _("Approve"),
    (PartnerStatus.UNDER_REVIEW, PartnerStatus.REJECTED): _("Reject"),
    (PartnerStatus.APPROVED, PartnerStatus.SUSPENDED): _("Suspend"),
    (PartnerStatus.SUSPENDED, PartnerStatus.APPROVED): _("Reinstate"),
    (PartnerStatus.SUSPENDED, PartnerStatus.REVOKED): _("Revoke"),
}
# Moves whose confirming button is red: they stop a partner's work.
STOPPING_STATUSES = {PartnerStatus.REJECTED, PartnerStatus.REVOKED, PartnerStatus.SUSPENDED}


def status_badge(status: str) -> str:
    return badge(PartnerStatus(status).label, STATUS_COLOURS.get(status, GREY))


def transition_label(from_status: str, to_status: PartnerStatus) -> str:
    """What the button of a vetting move says ("Approve", "Reinstate", ...)."""
    return TRANSITION_LABELS.get((from_status, to_status), to_status.label)


class PartnerAddForm(forms.ModelForm):
    class Meta:
        model = Partner
        fields = (
            "legal_name",
            "uscc",
            "kind",
            "parent",
            "contact_name",
            "contact_email",
            "dpo_name",
            "dpo_email",
            "address",
        )


DETAIL_FIELDS = (
    (_("Partner"), {"fields": ("code", "legal_name", "uscc", "kind", "parent")}),
    (
        _("Contacts"),
        {"fields": ("contact_name", "contact_email", "dpo_name", "dpo_email", "address")},
    ),
    (
        _("Vetting"),
        {
            "fields": (
                "status_display",
                "status_changed_at",
                "documents_display",
                "missing",
                "created_at",
            )
        },
    ),
)
