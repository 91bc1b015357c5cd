from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "auditsvc.ledger"
    label = "ledger"
    verbose_name = "Signed ledger"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deploy check)
        from .kinds import LedgerKind, register_kinds

        register_kinds(self.label, LedgerKind)
