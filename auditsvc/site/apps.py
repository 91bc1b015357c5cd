from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "auditsvc.site"
    label = "site"
    verbose_name = "Bureau site"
