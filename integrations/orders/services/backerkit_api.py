"""The BackerKit client of one connection: its key, its project, where its API is, the timeouts.
Shared by the pull (services/pull.py), the connection checks and the shipments outbox."""

from django.conf import settings

from integrations.backerkit.client import BackerKitClient
from integrations.orders.models import BackerKitConnection


def client_for(connection: BackerKitConnection) -> BackerKitClient:
    return BackerKitClient(
        api_url=connection.api_url or settings.BACKERKIT_API_URL,
        api_key=connection.api_key,
        project=connection.project,
        timeout=settings.BACKERKIT_TIMEOUT,
    )
