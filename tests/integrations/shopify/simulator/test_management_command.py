"""``manage.py shopify_simulator`` serves a simulator on its own until interrupted."""

import signal
import subprocess
import sys

import httpx

from tests.support.processes import ROOT, free_port, wait_for


def test_the_command_serves_the_given_shops_with_the_sample_catalog_until_interrupted():
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "shopify_simulator", "--port", str(port), "--shop", "demo.myshopify.com",
         "--plan", "development", "--latency-ms", "10-20"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert process.stdout.readline().strip() == f"Shopify simulator on http://127.0.0.1:{port}"

        def answers() -> bool:
            try:
                return httpx.get(f"http://127.0.0.1:{port}/_simulator/state.json", timeout=1).is_success
            except httpx.TransportError:
                return False

        wait_for(answers, timeout=10, what="the simulator command")
        [shop] = httpx.get(f"http://127.0.0.1:{port}/_simulator/state.json").json()["shops"]
        assert shop["domain"] == "demo.myshopify.com" and shop["plan"] == "development"
        assert any(v["sku"] == "BG-DELUXE" for v in shop["variants"])
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=10)
    assert process.returncode == 0, output
