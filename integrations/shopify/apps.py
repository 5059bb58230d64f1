from django.apps import AppConfig


class ShopifyIntegrationConfig(AppConfig):
    name = "integrations.shopify"
    label = "shopify_integration"
    verbose_name = "Shopify integration"
