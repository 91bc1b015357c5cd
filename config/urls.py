"""URL configuration.

/admin/       bureau staff and auditors (two-factor sign-in)
/api/v1/      partner software, account platforms, auditors, the public proofs
/api/schema/  OpenAPI 3 schema; /api/docs/ and /api/redoc/ interactive documentation
/verify/      the public letter check (no login): /verify/letters/<number>[.json]
/i18n/setlang/  the language switch (Django's set_language: POST language=zh-hans|en)

Every other path under /api/ answers a problem+json 404 (the last /api/ route),
and Django's error pages are problem+json there too (the handlers below).
"""

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from auditsvc.base.api import problems

api_v1 = [
    path("", include("auditsvc.ingestion.urls")),
    path("", include("auditsvc.ledger.urls")),
    path("", include("auditsvc.exports.urls")),
    path("", include("auditsvc.detection.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    # Last: a path under /api/ that names no endpoint is a problem+json 404, not HTML.
    re_path(r"^api(?:/|$)", problems.api_not_found, name="api-not-found"),
]

# The language switch in the admin's header: Django's set_language, a cookie.
urlpatterns += [path("i18n/", include("django.conf.urls.i18n"))]

# The public letter check: plain pages for residents and village doctors, not the API.
urlpatterns += [
    path("verify/", include("partners.letters_urls")),
]

handler400 = problems.api_or_page_400
handler404 = problems.api_or_page_404
handler500 = problems.api_or_page_500
# A refused admin page keeps the admin's frame for staff (auditsvc.site.denied).
handler403 = "auditsvc.site.denied.permission_denied"
