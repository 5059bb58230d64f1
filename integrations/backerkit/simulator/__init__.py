"""A local BackerKit for tests and the demo: the contract's API over real HTTP, plus a control API
and a deterministic sample campaign (campaign.py)."""

from integrations.backerkit.simulator.server import RunningBackerKitSimulator, start_backerkit_simulator
from integrations.backerkit.simulator.state import SimulatorState

__all__ = ["RunningBackerKitSimulator", "SimulatorState", "start_backerkit_simulator"]
