"""The demo's processes, each in a thread of one process: the app, Shopify, BackerKit."""

import threading
from dataclasses import dataclass

from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.core.wsgi import get_wsgi_application


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass  # the demo prints its own progress; access logs would bury it


@dataclass
class RunningApp:
    server: ThreadedWSGIServer
    thread: threading.Thread

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def start_app(*, host: str, port: int) -> RunningApp:
    """Serve the Django app (static files through WhiteNoise) on a threaded WSGI server."""
    server = ThreadedWSGIServer((host, port), _QuietHandler, allow_reuse_address=True)
    server.daemon_threads = True
    server.set_app(get_wsgi_application())
    thread = threading.Thread(target=server.serve_forever, name="demo-app", daemon=True)
    thread.start()
    return RunningApp(server=server, thread=thread)
