import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopapp.settings")
application = get_wsgi_application()

# The embedded default (no REDIS_URL): tasks and beat's schedule run in this process's local worker.
from integrations.orders import local_worker  # noqa: E402 - Django is set up first
from shopapp.celery import app as celery_app  # noqa: E402

local_worker.start(celery_app)
