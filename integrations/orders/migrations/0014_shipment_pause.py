from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0013_bulk_road"),
    ]

    operations = [
        migrations.AddField(
            model_name="backerkitconnection",
            name="shipments_paused_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="backerkitconnection",
            name="shipments_paused_since",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="backerkitconnection",
            name="shipments_pause_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "Not paused"),
                    ("down", "BackerKit is not answering"),
                    ("throttled", "BackerKit asked us to slow down"),
                ],
                default="",
                max_length=16,
            ),
        ),
        migrations.AddField(
            model_name="backerkitconnection",
            name="shipments_failures",
            field=models.PositiveIntegerField(default=0, help_text="Failed probes in a row (the backoff)."),
        ),
        migrations.AddField(
            model_name="backerkitconnection",
            name="shipments_drain_token",
            field=models.CharField(blank=True, default="", max_length=32),
        ),
        migrations.AddField(
            model_name="backerkitconnection",
            name="shipments_drained_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
