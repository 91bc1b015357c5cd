"""The page of a refused request (403): in the admin's frame for staff, Django's otherwise.

Django's own 403 page is a bare "403 Forbidden": a staff member who follows a
link their role does not allow (an auditor opening an add page, a member of
staff an approval) loses the header, the way back and any idea of whom to
ask. ``config.urls.handler403`` points here. The API never comes here: its
refusals are problem details (auditsvc.base.api.problems).
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import defaults


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    user = getattr(request, "user", None)
    in_admin = request.path.startswith(reverse("admin:index"))
    if not (in_admin and user is not None and user.is_active and user.is_staff):
        return defaults.permission_denied(request, exception)
    context = {
        **admin.site.each_context(request),
        "title": _("Not allowed"),
        "reason": str(exception or ""),
    }
    return TemplateResponse(request, "admin/403.html", context, status=403).render()
