from django.contrib import admin
from django.urls import include, path

from shopapp.favicon import favicon
from shopapp.health import healthz
from shopapp.pages import home
from shopapp.webhooks.views import receive_webhook

urlpatterns = [
    path("", home.home, name="home"),
    path("privacy/data-requests/<int:request_id>.json", home.data_request_export, name="data_request"),
    path("", include("shopapp.install.urls")),
    path("webhooks", receive_webhook, name="webhooks"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("django-admin/", admin.site.urls),
    # The merchant's embedded pages (session tokens) and the Success reps' console (staff logins).
    path("", include("shopapp.pages.urls")),
    path("", include("shopapp.staff.urls")),
]
