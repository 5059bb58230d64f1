"""Push records remember the contract their order was validated under (the push skips validating it
again). Existing rows keep "": they are validated at push time, as before."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0007_push_hold_outcomes"),
    ]

    operations = [
        migrations.AddField(
            model_name="pushrecord",
            name="validated_contract",
            field=models.CharField(blank=True, default="", max_length=16),
        ),
    ]
