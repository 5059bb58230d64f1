from django.apps import AppConfig


class BackerKitIntegrationConfig(AppConfig):
    name = "integrations.backerkit"
    label = "backerkit"
    verbose_name = "BackerKit integration"
