"""``manage.py backerkit_simulator`` serves a project (with a seeded sample campaign) that the
app's own BackerKit client can pull, until interrupted."""

import signal
import subprocess
import sys

import httpx

from integrations.backerkit.client import BackerKitClient
from tests.support.processes import ROOT, free_port, wait_for


def test_the_command_serves_a_seeded_campaign_the_client_pulls_until_interrupted():
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "backerkit_simulator", "--port", str(port), "--seed-campaign", "7",
         "--project", "cmd-campaign", "--api-key", "cmd-key-0001", "--currency", "EUR"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        assert process.stdout.readline().strip() == (
            f"BackerKit simulator at {url} (project 'cmd-campaign', 7 locked orders; "
            f"change, cancel or refund them at {url}/). Ctrl-C to stop."
        )

        def answers() -> bool:
            try:
                return httpx.get(f"{url}/_simulator/state.json", timeout=1).is_success
            except httpx.TransportError:
                return False

        wait_for(answers, timeout=10, what="the BackerKit simulator command")
        with BackerKitClient(api_url=url, api_key="cmd-key-0001", project="cmd-campaign", timeout=(1, 5)) as client:
            project = client.project()
            orders = [order for page in client.iter_locked_orders() for order in page.orders]
        assert (project.id, project.currency) == ("cmd-campaign", "EUR")
        assert len(orders) == 7 and len({o["id"] for o in orders}) == 7
        assert {o["currency"] for o in orders} == {"EUR"}
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=10)
    assert process.returncode == 0, output
