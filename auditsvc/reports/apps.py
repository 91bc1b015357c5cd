from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "auditsvc.reports"
    label = "reports"
    verbose_name = _("Resident access reports")

    def ready(self) -> None:
        from auditsvc.ledger.kinds import register_kinds

        from .kinds import ReportKind

        register_kinds(self.label, ReportKind)
