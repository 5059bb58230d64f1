"""python manage.py connect_backerkit SHOP --name NAME --project ID [--api-url URL]

Connects an API-backed BackerKit project to a shop without the pages (reps, scripts), through the
same service as the pages' "Add connection" (services/connections.py): the key is checked with
BackerKit and the currency compared before anything is saved. The API key is read from standard
input (typed without echo on a terminal, or piped), never from an argument: arguments land in shell
history and in ``ps``. Says what it found: the project's name and currency, and the connection.
"""

import getpass
import sys
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError

from integrations.orders.services.connections import ConnectionProblem, Problem, add_connection
from integrations.shopify.domains import sanitize_shop_domain
from integrations.shops.models import Shop

WORDS = {
    "key_refused": "BackerKit refused the API key",
    "project_not_found": "BackerKit has no such project",
    "backerkit_unavailable": "BackerKit did not answer",
    "backerkit_refused": "BackerKit refused the request",
    Problem.STORE_NAME_TAKEN: "this shop already has an active connection with that name",
    Problem.CURRENCY_MISMATCH: "the project's currency is not the store's",
}


def read_key(stdin) -> str:
    if stdin.isatty():
        return getpass.getpass("BackerKit API key (not echoed): ")
    return stdin.readline().strip()


def checked_api_url(url: str) -> str:
    parts = urlsplit(url)
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        raise CommandError(f"--api-url must be an https:// URL (http:// only on loopback), not {url!r}.")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise CommandError("--api-url must carry no credentials, query or fragment.")
    return url.rstrip("/")


class Command(BaseCommand):
    help = "Connect an API-backed BackerKit project to a shop (API key read from standard input)."
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("shop", help="The shop's domain, e.g. my-store.myshopify.com")
        parser.add_argument("--name", required=True, help="The connected store name (tagged on every order)")
        parser.add_argument("--project", required=True, help="The BackerKit project id")
        parser.add_argument("--api-url", default="", help="BackerKit's API URL (default: BACKERKIT_API_URL)")

    def handle(self, *args, **options):
        domain = sanitize_shop_domain(options["shop"])
        shop = Shop.objects.filter(domain=domain).first() if domain else None
        if shop is None:
            raise CommandError(f"No installed shop named {options['shop']!r}.")
        api_url = checked_api_url(options["api_url"]) if options["api_url"] else ""
        api_key = read_key(options.get("stdin") or sys.stdin)
        if not api_key:
            raise CommandError("No API key on standard input (pipe it in, or type it when asked).")
        try:
            connection = add_connection(
                shop=shop, store_name=options["name"], project=options["project"], api_key=api_key, api_url=api_url
            )
        except ConnectionProblem as problem:
            detail = f": {problem.detail}" if problem.detail else ""
            raise CommandError(f"Not connected: {WORDS.get(problem.code, problem.code)}{detail}.") from problem
        self.stdout.write(
            self.style.SUCCESS(
                f"Connected {connection.store_name!r} to {shop.domain}: BackerKit project {connection.project!r} "
                f"({connection.currency}), key {connection.masked_api_key}, at {api_url or 'the default API URL'}."
            )
        )
        self.stdout.write(
            f"Its locked orders are fetched every few minutes; `manage.py pull_orders {shop.domain} "
            f"--connection {connection.store_name!r}` fetches and pushes them now."
        )
