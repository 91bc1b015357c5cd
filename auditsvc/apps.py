from django.apps import AppConfig


class AuditsvcConfig(AppConfig):
    name = "auditsvc"
    verbose_name = "Audit ledger"
