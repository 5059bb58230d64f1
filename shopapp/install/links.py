"""Where the install flow starts for a shop: the Install link, its retry after a failure, and the
Reconnect button of a disconnected store (an install again, at the top level, out of the frame)."""

from urllib.parse import urlencode

from django.urls import reverse


def install_url(shop_domain: str) -> str:
    return f"{reverse('install:start')}?{urlencode({'shop': shop_domain})}"
