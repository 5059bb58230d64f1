"""``/favicon.ico``: browsers ask for it on every page outside the admin (the staff console, the
install pages); a 404 fills the logs. The icon is a static file, read once."""

from functools import lru_cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET


@lru_cache(maxsize=1)
def _icon() -> bytes:
    return Path(finders.find("shopapp/favicon.ico")).read_bytes()


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_icon(), content_type="image/x-icon", headers={"Cache-Control": "public, max-age=86400"})
