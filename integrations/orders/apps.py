from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "integrations.orders"
    label = "orders"
    verbose_name = "Order push"

    def ready(self) -> None:
        from integrations.orders import receivers  # models are loaded only now (Django's app registry)

        receivers.connect()
