"""Model fields that keep their value encrypted in the database (integrations/shops/encryption.py)."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from integrations.shops import encryption


class EncryptedTextField(models.TextField):
    """A text value stored as a Fernet token; '' and None are stored as they are."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return encryption.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encryption.encrypt(value)


class EncryptedJSONField(models.TextField):
    """A JSON document stored as one Fernet token (for personal data kept only as long as needed)."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return None
        return json.loads(encryption.decrypt(value))

    def to_python(self, value):
        if value is None or isinstance(value, dict | list):
            return value
        return json.loads(value)

    def get_prep_value(self, value):
        if value is None:
            return None
        return encryption.encrypt(json.dumps(value, separators=(",", ":"), cls=DjangoJSONEncoder))
