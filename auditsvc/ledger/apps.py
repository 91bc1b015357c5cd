from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "auditsvc.ledger"
    label = "ledger"
    verbose_name = _("Signed ledger")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deploy check)
        from .kinds import LedgerKind, register_kinds

        register_kinds(self.label, LedgerKind)
        # Translatable model and field names, outside the migration state.
        from . import names

        names.apply()
