"""Helpers for the install, session-token, token and webhook tests (issue 4)."""

import pytest

from tests.support.static_storage import _plain_static_storage  # noqa: F401 - pages render {% static %}


@pytest.fixture
def eager_tasks():
    """Celery tasks run in-process (the embedded default's behaviour) for one test."""
    from shopapp.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = before


@pytest.fixture
def sent_tasks(monkeypatch):
    """Tasks sent by name (``shopapp.enqueue``) are recorded instead of sent."""
    sent: list[tuple[str, dict]] = []
    monkeypatch.setattr("shopapp.enqueue.send_task_by_name", lambda name, **kwargs: sent.append((name, kwargs)))
    return sent


def refresh_grants(simulator) -> int:
    """How many refresh grants the simulator answered (each one issues a refresh token that names
    the one it replaced)."""
    with simulator.state.lock:
        return sum(1 for token in simulator.state.refresh_tokens.values() if token.predecessor)
