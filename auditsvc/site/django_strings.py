"""Django's own admin messages that its Simplified Chinese catalogue leaves untranslated.

Listed here (never imported: ``makemessages`` reads them) so that the project's
catalogue, which Django consults before its own (LOCALE_PATHS), translates them.
Checked against Django 5.2's ``contrib/admin/locale/zh_Hans``.
"""

from django.utils.translation import gettext_noop

# Django writes these with typographic apostrophes; the msgids must match exactly.
# ruff: noqa: RUF001

DJANGO_ADMIN_MESSAGES = (
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    gettext_noop("Error:"),
    gettext_noop("Forgotten your login credentials?"),
    gettext_noop("In case you’ve forgotten, you are:"),
)
