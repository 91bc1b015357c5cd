"""Languages: Simplified Chinese by default, English one click away.

Imported by ``base.py``. A new installation speaks Chinese (``zh-hans``), the
language of the bureau's staff and of the residents who check a letter;
``DJANGO_LANGUAGE_CODE=en`` makes English the default instead.

Which language a page is in (``auditsvc.site.locale.BureauLocaleMiddleware``):

- admin pages: the staff member's choice (the language switch in the header
  of every admin page, remembered in the ``auditsvc_language`` cookie for a
  year), else the installation's default. The browser's Accept-Language is
  not asked: a bureau's pages should not change with the PC they are read on.
- everything else (the public letter check, the API's problem titles): the
  same cookie if set, else the browser's Accept-Language, else the default.

The catalogues are ``locale/<language>/LC_MESSAGES/django.po`` with their
compiled ``.mo`` committed beside them, so no gettext tools are needed to run.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_ROOT = Path(__file__).resolve().parent.parent.parent

# Each language named in its own words: the switch offers the other one.
LANGUAGES = [
    ("zh-hans", "简体中文"),
    ("en", "English"),
]
LANGUAGE_CODE = os.environ.get("DJANGO_LANGUAGE_CODE", "zh-hans").strip().lower()
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(
        f"DJANGO_LANGUAGE_CODE must be one of {', '.join(dict(LANGUAGES))}, "
        f"not {os.environ.get('DJANGO_LANGUAGE_CODE')!r}."
    )
LOCALE_PATHS = [_ROOT / "locale"]
USE_I18N = True

# The staff member's choice, set by Django's set_language view (/i18n/setlang/).
LANGUAGE_COOKIE_NAME = "auditsvc_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
