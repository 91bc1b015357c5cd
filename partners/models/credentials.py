"""How partner software and staff scripts sign in: API keys and personal tokens."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .registry import Partner


class ApiCredential(models.Model):
    """An API key of a partner's software. Only its SHA-256 is stored; the key is shown once."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="credentials")
    label = models.CharField(max_length=100)
    prefix = models.CharField(
        max_length=20, editable=False, help_text=_("Start of the key, to recognise it.")
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    is_test = models.BooleanField(
        _("test key"),
        default=False,
        editable=False,
        help_text=_("A test key's records go to the partner's test log, never into evidence."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    revoke_reason = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["partner", "-created_at"]
        # What staff call it everywhere they read it; "credential" stays in the code.
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.label})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class StaffToken(models.Model):
    """A personal API token of a staff member or auditor. Only its SHA-256 is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens"
    )
    label = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["user", "-created_at"]
        verbose_name = _("personal API token")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
