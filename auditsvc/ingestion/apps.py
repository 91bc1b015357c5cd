from django.apps import AppConfig


class IngestionConfig(AppConfig):
    name = "auditsvc.ingestion"
    label = "ingestion"
    verbose_name = "Reported records"

    def ready(self) -> None:
        from auditsvc.ledger.kinds import register_kinds

        from .kinds import IngestionKind

        register_kinds(self.label, IngestionKind)
