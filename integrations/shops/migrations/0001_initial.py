"""The Shop model moves here from shopapp with its table (``shopapp_shop``) and its rows: state only,
the database is not touched (tests/integrations/shops/test_shop_move_migration.py)."""

from django.db import migrations, models

import integrations.shops.fields


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("shopapp", "0002_tokens_webhooks_privacy"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Shop",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("domain", models.CharField(max_length=255, unique=True)),
                        ("name", models.CharField(blank=True, max_length=255)),
                        ("currency", models.CharField(blank=True, max_length=3)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("connected", "Connected"),
                                    ("disconnected", "Disconnected"),
                                    ("uninstalled", "Uninstalled"),
                                ],
                                default="connected",
                                max_length=16,
                            ),
                        ),
                        ("disconnected_reason", models.TextField(blank=True)),
                        ("disconnected_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "disconnect_cause",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("", "Connected"),
                                    ("token_refused", "Shopify refused the access token"),
                                    ("refresh_refused", "Shopify refused to renew the access token"),
                                    ("migration_refused", "Shopify refused to replace the non-expiring token"),
                                    ("scopes_reduced", "The app's access was reduced"),
                                ],
                                default="",
                                max_length=32,
                            ),
                        ),
                        ("access_token", integrations.shops.fields.EncryptedTextField(blank=True)),
                        ("access_token_expires_at", models.DateTimeField(blank=True, null=True)),
                        ("refresh_token", integrations.shops.fields.EncryptedTextField(blank=True)),
                        ("refresh_token_expires_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "token_kind",
                            models.CharField(
                                choices=[
                                    ("expiring", "Expiring offline token"),
                                    ("legacy", "Non-expiring offline token (public app, to migrate)"),
                                    ("custom_app", "Custom app token (non-expiring by design)"),
                                ],
                                default="expiring",
                                max_length=16,
                            ),
                        ),
                        ("token_obtained_at", models.DateTimeField(blank=True, null=True)),
                        ("scopes", models.CharField(blank=True, max_length=1000)),
                        ("installed_at", models.DateTimeField(blank=True, null=True)),
                        ("uninstalled_at", models.DateTimeField(blank=True, null=True)),
                        ("include_transaction_data", models.BooleanField(default=True)),
                        (
                            "tax_mode",
                            models.CharField(
                                choices=[
                                    ("one_line_item", "All taxes as one line item"),
                                    ("tax_lines", "Shopify tax lines"),
                                ],
                                default="one_line_item",
                                max_length=16,
                            ),
                        ),
                        (
                            "inventory_behaviour",
                            models.CharField(
                                choices=[
                                    ("BYPASS", "Do not change inventory"),
                                    ("DECREMENT_IGNORING_POLICY", "Decrement, ignoring the inventory policy"),
                                    ("DECREMENT_OBEYING_POLICY", "Decrement, obeying the inventory policy"),
                                ],
                                default="BYPASS",
                                max_length=32,
                            ),
                        ),
                        ("send_receipt", models.BooleanField(default=False)),
                        ("send_fulfillment_receipt", models.BooleanField(default=False)),
                        ("auto_push", models.BooleanField(default=True)),
                        ("pushes_paused", models.BooleanField(default=False, help_text="Paused by a Success rep.")),
                        ("setup_guide_dismissed", models.BooleanField(default=False)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        "db_table": "shopapp_shop",
                        "ordering": ["domain"],
                    },
                ),
            ],
        ),
    ]
