from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "auditsvc.demo"
    label = "demo"
    verbose_name = "Demo data"
