"""Moving ``Shop`` from shopapp to integrations.shops keeps its table and its rows: a database at the
schema before the move, with a shop, its tokens, a connection, a push record and an audit row in it,
migrates forward and everything is still there, readable through the new model, tokens decrypting."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from integrations.shops import encryption

BEFORE_THE_MOVE = [
    ("shops", None),  # the app did not exist yet: every one of its migrations unapplied
    ("shopapp", "0002_tokens_webhooks_privacy"),
    ("orders", "0002_page_indexes"),
    ("contenttypes", "0002_remove_content_type_name"),
]


@pytest.fixture
def database_before_the_move(transactional_db):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_THE_MOVE)
    yield MigrationExecutor(connection).loader.project_state([n for n in BEFORE_THE_MOVE if n[1]]).apps
    MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_shops_and_what_points_at_them_survive_the_move(database_before_the_move):
    old = database_before_the_move
    old_shop_model = old.get_model("shopapp", "Shop")
    shop = old_shop_model.objects.create(
        domain="moved.myshopify.com", name="Moved", currency="EUR",
        access_token="shpat_before_the_move", refresh_token="shprt_before_the_move",
    )  # fmt: skip
    connection_row = old.get_model("orders", "BackerKitConnection").objects.create(
        shop=shop, project="skyforge", store_name="Skyforge Store", currency="EUR"
    )
    old.get_model("orders", "PushRecord").objects.create(
        shop=shop, connection=connection_row, backerkit_order_id="bk-1", backer_id="b-1", currency="EUR"
    )
    old.get_model("shopapp", "SettingChange").objects.create(
        shop=shop, setting="include_transaction_data", old_value="True", new_value="False",
        reason="rep", changed_by="rep@example.com",
    )  # fmt: skip
    content_types = old.get_model("contenttypes", "ContentType")
    content_types.objects.get_or_create(app_label="shopapp", model="shop")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from integrations.orders.models import PushRecord
    from integrations.shops.models import Shop
    from shopapp.models import SettingChange

    moved = Shop.objects.get(domain="moved.myshopify.com")
    assert moved.id == shop.id and moved.name == "Moved" and moved.currency == "EUR"
    assert moved.access_token == "shpat_before_the_move" and moved.refresh_token == "shprt_before_the_move"
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token FROM shopapp_shop WHERE id = %s", [shop.id])
        stored = cursor.fetchone()[0]
    assert stored != "shpat_before_the_move" and encryption.decrypt(stored) == "shpat_before_the_move"
    assert PushRecord.objects.get(backerkit_order_id="bk-1").shop_id == moved.id
    assert moved.backerkit_connections.get().store_name == "Skyforge Store"
    assert SettingChange.objects.get(shop=moved).new_value == "False"
    assert list(content_types.objects.filter(model="shop").values_list("app_label", flat=True)) == ["shops"]
