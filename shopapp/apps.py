from django.apps import AppConfig


class ShopAppConfig(AppConfig):
    name = "shopapp"
    verbose_name = "Shopify app"
