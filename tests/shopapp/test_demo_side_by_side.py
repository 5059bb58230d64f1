"""``scripts/demo``'s options: the ports set every address that names them, so two demos on other
ports run side by side and both complete (each its own OAuth callback, admin and database); a busy
port is named with the option that changes it."""

import os
import socket
import subprocess

from tests.support.processes import ROOT, free_port


def demo(*args: str, database, timeout: float = 240) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL", "APP_URL")}
    env |= {"DEMO_DATABASE_URL": f"sqlite:///{database}", "DEBUG": "1"}
    for name in ("SHOPIFY_ORIGIN_TEMPLATE", "BACKERKIT_API_URL", "SHOPIFY_ADMIN_URL_TEMPLATE"):
        env.pop(name, None)  # the demo derives them from its ports
    return subprocess.Popen(["bash", "scripts/demo", "--no-serve", "--backers", "8", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip


def test_two_demos_on_other_ports_run_side_by_side_and_both_complete(tmp_path):
    runs = []
    for name in ("one", "two"):
        app, shopify, backerkit = free_port(), free_port(), free_port()
        process = demo("--port", str(app), "--shopify-port", str(shopify), "--backerkit-port", str(backerkit),
                       database=tmp_path / f"{name}.sqlite3")  # fmt: skip
        runs.append((process, app, shopify))

    for process, app, shopify in runs:
        output, _ = process.communicate(timeout=240)
        assert process.returncode == 0, output
        assert "Installed into skyforge-demo.myshopify.com through OAuth" in output  # the callback reached this app
        assert f"http://127.0.0.1:{shopify}/skyforge-demo.myshopify.com/admin/apps/" in output
        assert f"Staff console: http://127.0.0.1:{app}/staff/ (demo only: user demo-rep, password " in output
        assert "pushed:          7" in output  # 8 backers, one with the unknown SKU


def test_a_busy_port_is_named_with_the_option_that_changes_it(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = demo("--port", str(free_port()), "--shopify-port", str(port), "--backerkit-port", str(free_port()),
                       database=tmp_path / "busy.sqlite3")  # fmt: skip
        output, _ = process.communicate(timeout=120)

    assert process.returncode != 0
    assert f"Port {port} (the Shopify simulator) is in use" in output and "--shopify-port" in output
    assert "Traceback" not in output
