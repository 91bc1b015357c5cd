from django.apps import AppConfig


class AuditsvcConfig(AppConfig):
    name = "auditsvc"
    verbose_name = "Audit ledger"

    def ready(self) -> None:
        from auditsvc import checks  # noqa: F401  (registers the system checks)
