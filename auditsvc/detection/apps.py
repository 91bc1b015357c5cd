from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DetectionConfig(AppConfig):
    name = "auditsvc.detection"
    label = "detection"
    verbose_name = _("Detection and alerts")

    def ready(self) -> None:
        from auditsvc.ledger.kinds import register_kinds

        from .kinds import DetectionKind

        register_kinds(self.label, DetectionKind)
