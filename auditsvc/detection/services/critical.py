"""What a critical alert sets off: an e-mail to the approvers, and the auto-suspend policy."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from ..models import Alert

__all__ = ["approver_emails", "on_critical"]

logger = logging.getLogger(__name__)


def approver_emails() -> list[str]:
    """E-mail addresses of the active users who may close an alert with an investigation."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    holders = users.filter(
        Q(groups__permissions__codename="open_investigation")
        | Q(user_permissions__codename="open_investigation")
        | Q(is_superuser=True)
    )
    return sorted(set(holders.values_list("email", flat=True)))


def _mail_approvers(alert_id: int) -> None:
    from ..evidence import render_evidence

    alert = Alert.objects.select_related("partner").get(pk=alert_id)
    recipients = approver_emails()
    if not recipients:
        logger.warning("critical alert %s: no approver has an e-mail address", alert_id)
        return
    # In the installation's language, whatever request or task raised the alert.
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Critical alert #%(id)s: %(rule)s at %(partner)s") % {
            "id": alert.pk,
            "rule": alert.get_rule_display(),
            "partner": alert.partner.code,
        }
        # The public address when the bureau set one (AUDITSVC_PUBLIC_URL), else the path alone.
        link = settings.AUDITSVC_PUBLIC_URL + reverse(
            "admin:detection_alert_change", args=[alert.pk]
        )
        body = "\n\n".join(
            [
                render_evidence(alert.evidence_code, alert.numbers),
                _("Open the alert in the admin: %(link)s") % {"link": link},
            ]
        )
    send_mail(subject, body, settings.DETECTION_ALERT_FROM_EMAIL, recipients)


def on_critical(alert: Alert) -> None:
    """An alert just became critical: mail the approvers after commit; auto-suspend if on."""
    transaction.on_commit(lambda: _mail_approvers(alert.pk))
    if settings.DETECTION_AUTO_SUSPEND:
        from .auto_suspend import auto_suspend_partner

        auto_suspend_partner(alert)
