"""Django admin for superusers only, behind the staff login.

The staff console covers the Success reps' work (stores, settings, retries, orders); Django admin
stays for what only it does: staff accounts and groups, their authenticator devices (django-otp)
and login lockouts (django-axes). So only an active superuser whose session has its second factor
may use it, and it has no login form of its own: its login sends to the staff login, which is the
one form with the lockout and the code.
"""

from urllib.parse import urlencode

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from shopapp.staff.second_factor import session_has_second_factor


class SuperuserAdminSite(admin.AdminSite):
    site_header = "BackerKit Shopify orders: administration"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return user.is_active and user.is_superuser and session_has_second_factor(request)

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        target = request.GET.get("next") or reverse("admin:index")
        return HttpResponseRedirect(f"{reverse('staff:login')}?{urlencode({'next': target})}")
