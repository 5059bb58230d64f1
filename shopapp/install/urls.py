from django.urls import path

from shopapp.install import views

app_name = "install"

urlpatterns = [
    path("auth/install", views.install, name="start"),
    path("auth/callback", views.callback, name="callback"),
    path("auth/session-token", views.session_token_bounce, name="session_token"),
]
