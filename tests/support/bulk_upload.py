"""Driving the simulated bulk import by hand, for the simulator's own tests: a staged upload, the
multipart POST (file part last), the run, and polling the operation to its end."""

import json
import time
from typing import Any

import httpx

from harness.simulator_control import SimulatorControl
from integrations.orders.documents import (
    BULK_OPERATION,
    BULK_OPERATION_RUN_MUTATION,
    ORDER_CREATE,
    STAGED_UPLOADS_CREATE,
)


def stage(sim: SimulatorControl, shop: str, token: str) -> dict[str, Any]:
    variables = {"input": [{"resource": "BULK_MUTATION_VARIABLES", "filename": "orders.jsonl",
                            "mimeType": "text/jsonl", "httpMethod": "POST"}]}  # fmt: skip
    body = sim.graphql(shop, token, STAGED_UPLOADS_CREATE, variables).json()
    [target] = body["data"]["stagedUploadsCreate"]["stagedTargets"]
    return target


def upload(target: dict[str, Any], lines: list[dict], *, file_last: bool = True) -> httpx.Response:
    fields = [(p["name"], (None, p["value"])) for p in target["parameters"]]
    data = "".join(json.dumps(line) + "\n" for line in lines).encode()
    file_part = ("file", ("orders.jsonl", data, "text/jsonl"))
    parts = [*fields, file_part] if file_last else [file_part, *fields]
    return httpx.post(target["url"], files=parts)


def key_of(target: dict[str, Any]) -> str:
    return next(p["value"] for p in target["parameters"] if p["name"] == "key")


def run(sim: SimulatorControl, shop: str, token: str, key: str, mutation: str = ORDER_CREATE) -> dict[str, Any]:
    variables = {"mutation": mutation, "stagedUploadPath": key, "clientIdentifier": "test-operation-1"}
    return sim.graphql(shop, token, BULK_OPERATION_RUN_MUTATION, variables).json()


def staged_and_run(sim: SimulatorControl, shop: str, token: str, lines: list[dict]) -> str:
    target = stage(sim, shop, token)
    assert upload(target, lines).status_code == 201
    body = run(sim, shop, token, key_of(target))
    assert body["data"]["bulkOperationRunMutation"]["userErrors"] == [], body
    return body["data"]["bulkOperationRunMutation"]["bulkOperation"]["id"]


def wait_until_done(sim: SimulatorControl, shop: str, token: str, gid: str, timeout: float = 10.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        node = sim.graphql(shop, token, BULK_OPERATION, {"id": gid}).json()["data"]["bulkOperation"]
        if node["status"] in ("COMPLETED", "FAILED", "CANCELED", "EXPIRED"):
            return node
        time.sleep(0.05)
    raise AssertionError(f"bulk operation {gid} still {node['status']}")


def results(url: str) -> list[dict]:
    response = httpx.get(url)
    response.raise_for_status()
    return [json.loads(line) for line in response.text.splitlines()]
