"""URL configuration.

/admin/       bureau staff and auditors (two-factor sign-in)
/api/v1/      partner software, account platforms, auditors, the public proofs
/api/schema/  OpenAPI 3 schema; /api/docs/ interactive documentation
/verify/      the public letter check (no login): /verify/letters/<number>[.json]
"""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

api_v1 = [
    path("", include("auditsvc.ingestion.urls")),
    path("", include("auditsvc.ledger.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]

# The public letter check: plain pages for residents and village doctors, not the API.
urlpatterns += [
    path("verify/", include("partners.letters_urls")),
]

# A refused admin page keeps the admin's frame for staff (auditsvc.site.denied).
handler403 = "auditsvc.site.denied.permission_denied"
