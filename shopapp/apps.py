from django.apps import AppConfig


class ShopAppConfig(AppConfig):
    name = "shopapp"
    verbose_name = "Shopify app"

    def ready(self) -> None:
        from shopapp.staff import login_events  # noqa: F401 - connects the staff login receivers
