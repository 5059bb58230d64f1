"""Django admin's app config, naming the superuser-only site (admin_site.py) as the default one.
Its own module: INSTALLED_APPS imports it before any model may be imported."""

from django.contrib.admin.apps import AdminConfig


class SuperuserAdminConfig(AdminConfig):
    default_site = "shopapp.staff.admin_site.SuperuserAdminSite"
