"""The resident lookup: an identity number in (by POST), every record about the resident out.

The number is marked sensitive for error reports, never rendered back into
the page and never stored; the lookup itself is signed into the bureau log
by the ``resident_lookup`` service.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters

from auditsvc.base.identities import RESIDENT_ID_SCHEME, IdentityError, resident_identity

from ..services import resident_lookup


def lookup_url() -> str:
    return reverse("admin:ingestion_resident_lookup")


@sensitive_post_parameters("identity_number")
def resident_lookup_page(request, model_admin):
    """Staff type an identity number (POST); every record about that resident is listed."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    records = identity = None
    if request.method == "POST":
        form = ResidentLookupForm(request.POST)
        if form.is_valid():
            identity = form.cleaned_data["identity"]
            # Recorded in the bureau log (actor, pseudonym, count found).
            records, _total = resident_lookup(request.user, identity.identity_ref)
    else:
        form = ResidentLookupForm()
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Resident lookup"),
        "opts": model_admin.model._meta,
        "form": form,
        "identity": identity,
        "records": records,
    }
    return TemplateResponse(request, "admin/ingestion/resident_lookup.html", context)


class _NoEchoInput(forms.TextInput):
    """A text box that never writes the submitted number back into the page."""

    def format_value(self, value):
        return None


class ResidentLookupForm(forms.Form):
    identity_number = forms.CharField(
        label=_("Resident identity number"),
        max_length=32,
        strip=True,
        widget=_NoEchoInput(attrs={"autocomplete": "off", "spellcheck": "false", "size": 24}),
        help_text=_("18 characters. It is used to compute the pseudonym and then forgotten."),
    )

    def clean_identity_number(self) -> str:
        number = self.cleaned_data["identity_number"]
        try:
            self.cleaned_data["identity"] = resident_identity(RESIDENT_ID_SCHEME, number)
        except IdentityError as exc:
            # The message names what is wrong, never the number.
            raise forms.ValidationError(
                _("This is not a valid resident identity number: %(reason)s")
                % {"reason": exc.message},
                code=exc.code,
            ) from None
        return ""  # the number itself is not kept, even in cleaned_data
