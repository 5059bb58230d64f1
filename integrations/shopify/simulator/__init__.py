"""A local Shopify store: OAuth, id tokens, the Admin GraphQL API, rate limits, faults and webhooks.

See docs/shopify-simulator.md. ``start_simulator(...)`` serves one in a thread of this process;
``python manage.py shopify_simulator --port 8111`` serves one on its own.
"""

from integrations.shopify.simulator.server import RunningSimulator, start_simulator
from integrations.shopify.simulator.state import SimulatorState

__all__ = ["RunningSimulator", "SimulatorState", "start_simulator"]
