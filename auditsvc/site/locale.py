"""Which language a page is in (the rules are in config/settings/i18n.py).

Admin pages speak the staff member's choice (the language cookie set by the
switch in the header) or the installation's default, never the browser's
Accept-Language: the bureau decides what its staff read, and one click
changes it. Every other page (the public letter check, the API) follows
Django's usual order: the cookie, then Accept-Language, then the default.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.urls import reverse
from django.utils import translation


@functools.cache
def _admin_prefix() -> str:
    # Resolved once: the URLconf does not change while the process runs.
    return reverse("admin:index")


def chosen_language(request) -> str | None:
    """The language the person chose with the switch, if it is one the service speaks."""
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if code and translation.check_for_language(code):
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            return None
    return None


class BureauLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, except that admin pages ignore Accept-Language."""

    def process_request(self, request) -> None:
        if not request.path_info.startswith(_admin_prefix()):
            super().process_request(request)
            return
        language = chosen_language(request) or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
