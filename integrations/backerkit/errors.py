"""The ways a call to BackerKit fails, mapped once at the client boundary (client.py).

Callers decide on the type alone: stop the connection and ask for a new key on
``BackerKitUnauthorized``, check the project on ``BackerKitNotFound``, wait ``retry_after`` on
``BackerKitThrottled``, retry later with backoff on ``BackerKitTransient``, and never retry a plain
``BackerKitError`` (a refused request or an answer outside the contract).
"""


class BackerKitError(Exception):
    def __init__(self, message: str, *, project: str = "", status: int | None = None):
        super().__init__(message)
        self.message = message
        self.project = project
        self.status = status


class BackerKitUnauthorized(BackerKitError):
    """401/403: the API key is wrong, revoked, or not allowed on this project."""


class BackerKitNotFound(BackerKitError):
    """404: the project does not exist (or no longer exists) at BackerKit."""


class BackerKitThrottled(BackerKitError):
    """429: too many requests. Not a failure: wait ``retry_after`` seconds and ask again."""

    def __init__(self, message: str, *, project: str = "", status: int | None = 429, retry_after: float = 1.0):
        super().__init__(message, project=project, status=status)
        self.retry_after = retry_after


class BackerKitTransient(BackerKitError):
    """5xx, timeout or connection failure. Reads are safe to repeat, after a backoff."""


class BackerKitUnknownOrder(BackerKitNotFound):
    """404 with ``"code": "unknown_order"`` on a write: the project exists, the order does not."""
