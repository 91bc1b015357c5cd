from django.apps import AppConfig


class IngestionConfig(AppConfig):
    name = "auditsvc.ingestion"
    label = "ingestion"
    verbose_name = "Reported records"

    def ready(self) -> None:
        from auditsvc.ledger.kinds import register_kinds

        from . import checks  # noqa: F401  (registers the system checks)
        from .kinds import IngestionKind

        register_kinds(self.label, IngestionKind)
