from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    name = "auditsvc.site"
    label = "site"
    verbose_name = _("Bureau site")

    def ready(self) -> None:
        from auditsvc.ledger.kinds import register_kinds

        from . import checks  # noqa: F401  (registers the deploy checks)
        from .kinds import SiteKind

        register_kinds(self.label, SiteKind)
        # Translatable model and field names, outside the migration state.
        from . import names

        names.apply()
