"""Counting what the Shopify simulator's token endpoint did."""


def refresh_grants(simulator) -> int:
    """How many refresh grants the simulator answered (each one issues a refresh token that names
    the one it replaced)."""
    with simulator.state.lock:
        return sum(1 for token in simulator.state.refresh_tokens.values() if token.predecessor)
