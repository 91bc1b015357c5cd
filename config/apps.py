"""Project-level app configs."""

from django.contrib.admin.apps import AdminConfig


class AuditsvcAdminConfig(AdminConfig):
    """Django's admin with the bureau's two-factor site as the default ``admin.site``."""

    default_site = "auditsvc.site.admin_site.BureauAdminSite"
