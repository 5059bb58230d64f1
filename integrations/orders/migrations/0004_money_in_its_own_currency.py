# Amounts exact in every ISO 4217 currency (up to 4 decimal places: KWD 3, CLF 4); issue 13.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0003_shop_moved_to_shops"),
    ]

    operations = [
        migrations.AlterField(
            model_name="pushrecord",
            name="amount_paid",
            field=models.DecimalField(blank=True, decimal_places=4, max_digits=16, null=True),
        ),
        migrations.AlterField(
            model_name="pushrecord",
            name="shopify_total",
            field=models.DecimalField(blank=True, decimal_places=4, max_digits=16, null=True),
        ),
    ]
