"""The BackerKit simulator for tests: one per session, served in a thread, reset for every test.

backerkit_simulator   session-scoped RunningBackerKitSimulator
backerkit_sim         per test: fresh state, settings.BACKERKIT_API_URL pointed at it
"""

import pytest

from integrations.backerkit.simulator import RunningBackerKitSimulator, start_backerkit_simulator

__all__ = ["backerkit_sim", "backerkit_simulator"]


@pytest.fixture(scope="session")
def backerkit_simulator() -> RunningBackerKitSimulator:
    simulator = start_backerkit_simulator()
    yield simulator
    simulator.stop()


@pytest.fixture
def backerkit_sim(backerkit_simulator: RunningBackerKitSimulator, settings) -> RunningBackerKitSimulator:
    backerkit_simulator.state.reset()
    settings.BACKERKIT_API_URL = backerkit_simulator.url
    return backerkit_simulator
