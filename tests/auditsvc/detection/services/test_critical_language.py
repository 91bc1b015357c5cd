"""A critical alert's e-mail is in the installation's language, whoever's request raised it."""

from __future__ import annotations

from django.core import mail
from django.utils import translation

from tests.auditsvc.detection.support import detect

from .test_critical import ring


def test_the_approvers_mail_speaks_the_installations_language(
    partner, platform, yesterday, approver, settings, django_capture_on_commit_callbacks
):
    settings.LANGUAGE_CODE = "zh-hans"
    # As if an English-speaking request (a partner's API call) had raised it.
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        ring(partner, platform, yesterday)
        detect()

    (message,) = mail.outbox
    assert message.subject.startswith("严重告警 #")
    assert "个账户" in message.body and "accounts were opened" not in message.body
