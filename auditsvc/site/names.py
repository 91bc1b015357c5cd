"""Translatable names of the site's model (see auditsvc.base.i18n)."""

from django.utils.translation import gettext_lazy as _

from auditsvc.base.i18n import name_model

from .models import StaffAccount


def apply() -> None:
    name_model(
        StaffAccount,
        None,
        _("staff accounts"),
    )
