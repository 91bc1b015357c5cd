from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IngestionConfig(AppConfig):
    name = "auditsvc.ingestion"
    label = "ingestion"
    verbose_name = _("Reported records")

    def ready(self) -> None:
        from auditsvc.ledger.kinds import register_kinds

        from . import checks  # noqa: F401  (registers the system checks)
        from .kinds import IngestionKind

        register_kinds(self.label, IngestionKind)
        # Translatable model and field names, outside the migration state.
        from . import names

        names.apply()
