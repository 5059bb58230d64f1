"""A shipping store for the embedded default's tests, on either database the embedded default runs
on: the test PostgreSQL database (as the other embedded tests), or its own SQLite file (the
product's default: ``DATABASE_URL`` unset means SQLite), made by a child process (migrations, then
the same rows). The outbox is read with plain SQL through either database's own driver, so the test
sees the SQLite file as the web process writes it."""

import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection as default_connection

from integrations.backerkit.simulator.campaign import sample_catalog
from integrations.orders.models import BackerKitConnection, PushRecord, ShipmentEvent
from integrations.shops.models import Shop
from tests.support.processes import ROOT, child_env, database_url_for

DOMAIN = "embedded-shipping.myshopify.com"
PROJECT, KEY = "skyforge", "bk-emb-ship-key-4321"
STORE_NAME = "Skyforge Store"

MAKE_ROWS = """
import django
from django.core.management import call_command
django.setup()
from tests.support.embedded_shipping import make_rows
call_command("migrate", "--noinput", verbosity=0)
print(make_rows(access_token={token!r}, refresh_token={refresh!r}))
"""


def make_rows(*, access_token: str, refresh_token: str) -> int:
    """The installed shop (the app's scopes, fulfilments' included) and its BackerKit API
    connection; returns the connection's id."""
    shop = Shop.objects.create(
        domain=DOMAIN, name="embedded-shipping", currency="USD", status=Shop.Status.CONNECTED,
        access_token=access_token, refresh_token=refresh_token, token_kind=Shop.TokenKind.EXPIRING,
        scopes=",".join(settings.SHOPIFY_SCOPES),
    )  # fmt: skip
    connection = BackerKitConnection.objects.create(shop=shop, store_name=STORE_NAME, project=PROJECT, api_key=KEY,
                                                    currency="USD")  # fmt: skip
    return connection.id


@dataclass
class EmbeddedStore:
    """The store's rows in the database the embedded processes use, read with plain SQL."""

    database_url: str
    cursor: Callable  # a context manager giving a DB-API cursor on that database
    connection_id: int

    def _rows(self, sql: str) -> list[tuple]:
        with self.cursor() as cursor:
            cursor.execute(sql)
            return list(cursor.fetchall())

    def events(self) -> Counter:
        """Shipment events per state."""
        return Counter(dict(self._rows(EVENTS_BY_STATE)))

    def attempts(self) -> tuple[int, int]:
        """Every try of every event, and how many events were tried at all."""
        ((total, tried),) = self._rows(ATTEMPTS)
        return int(total), int(tried)

    def pause(self) -> tuple[bool, str, int]:
        """Whether the connection's outbox is paused, why, and its failed tries in a row."""
        ((paused, reason, failures),) = self._rows(PAUSE.format(id=int(self.connection_id)))
        return bool(paused), reason, int(failures)

    def pushed_orders(self) -> list[str]:
        """The Shopify order ids (gids) of the pushed records, oldest first."""
        return [gid for (gid,) in self._rows(PUSHED_ORDERS)]


# Plain SQL both databases speak; the names are the models' own.
_events, _connections, _records = (m._meta.db_table for m in (ShipmentEvent, BackerKitConnection, PushRecord))
EVENTS_BY_STATE = f"SELECT state, COUNT(*) FROM {_events} GROUP BY state"  # noqa: S608 - model names
_tried = "COALESCE(SUM(attempts), 0), COALESCE(SUM(CASE WHEN attempts > 0 THEN 1 ELSE 0 END), 0)"
ATTEMPTS = f"SELECT {_tried} FROM {_events}"  # noqa: S608 - model names
_paused = "CASE WHEN shipments_paused_until IS NULL THEN 0 ELSE 1 END, shipments_pause_reason, shipments_failures"
PAUSE = f"SELECT {_paused} FROM {_connections} WHERE id = {{id}}"  # noqa: S608 - model names
_pushed = PushRecord.State.PUSHED.value
PUSHED_ORDERS = f"SELECT shopify_order_id FROM {_records} WHERE state = '{_pushed}' ORDER BY id"  # noqa: S608


def open_store(database: str, shopify_sim, tmp_path: Path) -> EmbeddedStore:
    """The shop on the Shopify simulator (the sample catalog, the app's scopes granted, so it sends
    the fulfilment webhooks) and its rows in ``database``: "postgresql" (the test database) or
    "sqlite" (a new file)."""
    shopify_sim.create_shop(DOMAIN, currency="USD", plan="plus", products=sample_catalog(),
                            scopes=settings.SHOPIFY_SCOPES)  # fmt: skip
    token = shopify_sim.mint_token(DOMAIN, kind="expiring", scopes=settings.SHOPIFY_SCOPES)
    access, refresh = token["access_token"], token.get("refresh_token", "")
    if database == "postgresql":
        connection_id = make_rows(access_token=access, refresh_token=refresh)
        return EmbeddedStore(database_url_for(settings.DATABASES["default"]), default_connection.cursor,
                             connection_id)  # fmt: skip
    path = tmp_path / "embedded.sqlite3"
    url = f"sqlite:///{path}"
    env = child_env(settings.DATABASES["default"], DATABASE_URL=url, REDIS_URL="")
    script = MAKE_ROWS.format(token=access, refresh=refresh)
    made = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=180)  # fmt: skip
    assert made.returncode == 0, made.stdout + made.stderr
    return EmbeddedStore(url, lambda: _sqlite_cursor(path), int(made.stdout.split()[-1]))


@contextmanager
def _sqlite_cursor(path: Path) -> Iterator[sqlite3.Cursor]:
    with closing(sqlite3.connect(path, timeout=30)) as db:  # WAL: reads never wait on the app's writes
        yield db.cursor()
