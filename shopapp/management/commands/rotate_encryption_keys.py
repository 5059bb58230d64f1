"""Re-encrypt every encrypted value with the newest key of ``ENCRYPTION_KEYS``:

    ENCRYPTION_KEYS=NEW,OLD python manage.py rotate_encryption_keys

Then remove OLD from ``ENCRYPTION_KEYS``. Every model's ``EncryptedTextField``/``EncryptedJSONField``
is found through the app registry, so a new encrypted field is rotated without changing this command.
Stored ciphertext is read and written as it is (never decrypted into a model), in batches.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import models, transaction
from django.db.models.functions import Cast

from integrations.shops import encryption
from integrations.shops.fields import EncryptedJSONField, EncryptedTextField

BATCH = 500


def encrypted_fields() -> list[tuple[type[models.Model], list[str]]]:
    found = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField | EncryptedJSONField)]
        if names:
            found.append((model, names))
    return found


def rotate_model(model: type[models.Model], names: list[str]) -> int:
    """Rotate ``names`` of every row; returns how many values were re-encrypted."""
    raw = {f"_raw_{name}": Cast(name, output_field=models.TextField()) for name in names}
    rotated = 0
    last_pk = None
    while True:
        rows = model._default_manager.annotate(**raw).order_by("pk")
        if last_pk is not None:
            rows = rows.filter(pk__gt=last_pk)
        batch = list(rows.values("pk", *raw.keys())[:BATCH])
        if not batch:
            return rotated
        with transaction.atomic():
            for row in batch:
                changes = {
                    name: models.Value(encryption.rotate(row[f"_raw_{name}"]), output_field=models.TextField())
                    for name in names
                    if row[f"_raw_{name}"]
                }
                if changes:
                    model._default_manager.filter(pk=row["pk"]).update(**changes)
                    rotated += len(changes)
        last_pk = batch[-1]["pk"]


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field with the newest ENCRYPTION_KEYS key."

    def handle(self, *args, **options):
        total = 0
        for model, names in encrypted_fields():
            count = rotate_model(model, names)
            total += count
            self.stdout.write(f"{model._meta.label}: {count} values re-encrypted ({', '.join(names)})")
        self.stdout.write(self.style.SUCCESS(f"{total} values re-encrypted with the newest key."))
