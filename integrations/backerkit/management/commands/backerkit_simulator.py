"""Run the BackerKit simulator for the demo: ``python manage.py backerkit_simulator --port 8112``.

With ``--seed-campaign N`` it creates a project (``--project``, ``--api-key``, ``--currency``) holding
N locked orders of the deterministic sample campaign; point ``BACKERKIT_API_URL`` at the printed URL.
"""

import threading

from django.core.management.base import BaseCommand, CommandParser

from integrations.backerkit.simulator import start_backerkit_simulator
from integrations.backerkit.simulator.campaign import generate_campaign


class Command(BaseCommand):
    help = "Serve a local BackerKit API (contract v1) with an optional sample campaign."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8112)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--seed-campaign", type=int, default=0, metavar="N", help="N locked sample orders")
        parser.add_argument("--seed", type=int, default=1, help="the sample campaign's random seed")
        parser.add_argument("--project", default="demo-campaign")
        parser.add_argument("--api-key", default="demo-backerkit-key")
        parser.add_argument("--currency", default="USD")
        parser.add_argument("--include-unknown-sku", action="store_true")

    def handle(self, *args, **options) -> None:
        simulator = start_backerkit_simulator(port=options["port"], host=options["host"])
        state = simulator.state
        state.add_project(
            id=options["project"], api_key=options["api_key"], name="Demo campaign", currency=options["currency"]
        )
        if options["seed_campaign"]:
            orders = generate_campaign(
                backers=options["seed_campaign"],
                seed=options["seed"],
                currency=options["currency"],
                include_unknown_sku=options["include_unknown_sku"],
            )
            state.add_orders(options["project"], orders, locked=True)
        # The key printed is the simulator's own demo key, not a real credential.
        self.stdout.write(
            f"BackerKit simulator at {simulator.url} (project {options['project']!r}, "
            f"{options['seed_campaign']} locked orders; change, cancel or refund them at {simulator.url}/). "
            "Ctrl-C to stop."
        )
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
        finally:
            simulator.stop()
