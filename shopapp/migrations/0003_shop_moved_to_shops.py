"""Shop left shopapp for integrations.shops (same table): state only, and its content type follows it."""

import django.db.models.deletion
from django.db import migrations, models


def _rename_content_type(apps, old: str, new: str) -> None:
    content_types = apps.get_model("contenttypes", "ContentType")
    if not content_types.objects.filter(app_label=new, model="shop").exists():
        content_types.objects.filter(app_label=old, model="shop").update(app_label=new)


def _move_content_type(apps, schema_editor) -> None:
    _rename_content_type(apps, "shopapp", "shops")


def _move_content_type_back(apps, schema_editor) -> None:
    _rename_content_type(apps, "shops", "shopapp")


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0003_shop_moved_to_shops"),
        ("shopapp", "0002_tokens_webhooks_privacy"),
        ("shops", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="settingchange",
                    name="shop",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="setting_changes", to="shops.shop"
                    ),
                ),
                migrations.AlterField(
                    model_name="datarequest",
                    name="shop",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="data_requests", to="shops.shop"
                    ),
                ),
                migrations.DeleteModel(
                    name="Shop",
                ),
            ],
        ),
        migrations.RunPython(_move_content_type, _move_content_type_back, elidable=True),
    ]
