from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    name = "auditsvc.exports"
    label = "exports"
    verbose_name = _("Log exports")

    def ready(self) -> None:
        from auditsvc.ledger.kinds import register_kinds

        from .kinds import ExportKind

        register_kinds(self.label, ExportKind)
