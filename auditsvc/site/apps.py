from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "auditsvc.site"
    label = "site"
    verbose_name = "Bureau site"

    def ready(self) -> None:
        from auditsvc.ledger.kinds import register_kinds

        from . import checks  # noqa: F401  (registers the deploy checks)
        from .kinds import SiteKind

        register_kinds(self.label, SiteKind)
