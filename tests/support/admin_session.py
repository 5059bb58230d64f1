"""A merchant in the Shopify admin, for the embedded pages' tests through the Django test client:
every request carries a fresh id token, as App Bridge sends it."""

from urllib.parse import parse_qs, urlsplit

from django.urls import reverse

from tests.support.id_tokens import bearer, id_token


class AdminSession:
    """A merchant in the admin: every request carries a fresh id token for ``shop``."""

    def __init__(self, client, shop):
        self.client = client
        self.shop = shop

    def url(self, name: str, *args) -> str:
        return reverse(name, args=args)

    def get(self, name: str, *args, **params):
        return self.client.get(
            self.url(name, *args), {"shop": self.shop.domain, **params}, headers=bearer(self.shop.domain)
        )

    def post(self, name: str, *args, data=None):
        payload = {"id_token": id_token(self.shop.domain), "shop": self.shop.domain, **(data or {})}
        return self.client.post(self.url(name, *args), payload)

    def follow(self, response):
        """Follow a post/redirect/get the way the browser does: the Location has no token, so the
        page is bounced for one and App Bridge reloads it with a fresh token."""
        assert response.status_code == 302, response.status_code
        location = urlsplit(response["Location"])
        query = {k: v[0] for k, v in parse_qs(location.query).items()}
        bounced = self.client.get(location.path, query)
        assert bounced.status_code == 302 and urlsplit(bounced["Location"]).path == reverse("install:session_token")
        return self.client.get(location.path, {**query, "id_token": id_token(self.shop.domain)})
