"""Foreign keys now name shops.Shop: the same table (shopapp_shop), so state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0002_page_indexes"),
        ("shops", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="backerkitconnection",
                    name="shop",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="backerkit_connections",
                        to="shops.shop",
                    ),
                ),
                migrations.AlterField(
                    model_name="importrun",
                    name="shop",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="import_runs", to="shops.shop"
                    ),
                ),
                migrations.AlterField(
                    model_name="pushrecord",
                    name="shop",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="push_records", to="shops.shop"
                    ),
                ),
            ],
        ),
    ]
