from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partner registry")

    def ready(self) -> None:
        from auditsvc.ledger.kinds import register_kinds

        from .kinds import RegistryKind

        register_kinds(self.label, RegistryKind)
        # Translatable model and field names, outside the migration state.
        from . import names

        names.apply()
