"""Every event is written once, as one JSON line: Django's own console handler (plain text, on in
DEBUG, as the demo runs) does not print django.* warnings a second time."""

import io
import logging

import pytest
from django.conf import settings
from django.utils.log import configure_logging


@pytest.fixture
def settings_debug_true(settings):
    settings.DEBUG = True
    yield settings
    configure_logging("logging.config.dictConfig", settings.LOGGING)


def test_a_django_warning_in_debug_is_one_json_line(settings_debug_true):
    stream = io.StringIO()
    configure_logging("logging.config.dictConfig", settings.LOGGING)
    root = logging.getLogger()
    for handler in root.handlers:
        handler.setStream(stream)

    logging.getLogger("django.request").warning("Not Found: /nothing-here")

    lines = [line for line in stream.getvalue().splitlines() if line]
    assert len(lines) == 1 and lines[0].startswith("{") and "Not Found" in lines[0]
    handlers_on_the_way = [h for name in ("django.request", "django") for h in logging.getLogger(name).handlers]
    assert handlers_on_the_way == []  # nothing else that could print it


def test_a_django_server_line_is_one_json_line(settings_debug_true):
    stream = io.StringIO()
    configure_logging("logging.config.dictConfig", settings.LOGGING)
    for handler in logging.getLogger().handlers:
        handler.setStream(stream)

    logging.getLogger("django.server").warning('"GET /favicon.ico HTTP/1.1" 404 0')

    assert len([line for line in stream.getvalue().splitlines() if line]) == 1
