from django.apps import AppConfig


class ShopsConfig(AppConfig):
    name = "integrations.shops"
    label = "shops"
    verbose_name = "Installed shops"
