from django.contrib import admin
from django.urls import path

from shopapp.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("django-admin/", admin.site.urls),
]
