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
