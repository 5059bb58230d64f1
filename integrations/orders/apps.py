from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "integrations.orders"
    label = "orders"
    verbose_name = "Order push"
