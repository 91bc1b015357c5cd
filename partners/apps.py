from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partner registry"

    def ready(self) -> None:
        from auditsvc.ledger.kinds import register_kinds

        from .kinds import RegistryKind

        register_kinds(self.label, RegistryKind)
