"""The control API under ``/_simulator/``: JSON in, JSON out, for tests, the demo and benchmarks.

Routes are listed in ``ROUTES`` and documented in docs/shopify-simulator.md. A bad request is 400
``{"error": ...}``, an unknown shop or webhook 404.
"""

import re
from collections.abc import Callable
from typing import Any

from integrations.shopify.simulator import (
    bulk_control,
    credentials,
    faults,
    fulfillment_control,
    merchant_edits,
    webhooks,
)
from integrations.shopify.simulator.catalog import load_catalog
from integrations.shopify.simulator.id_tokens import mint_id_token
from integrations.shopify.simulator.latency import Latency
from integrations.shopify.simulator.models import TOKEN_KINDS
from integrations.shopify.simulator.snapshot import order_json, shop_json, snapshot
from integrations.shopify.simulator.state import SHOP_SETTINGS, SimulatorState
from integrations.shopify.simulator.wire import Request, Response

Handler = Callable[[SimulatorState, Request, dict[str, str], dict[str, Any]], Response]


def _body(request: Request) -> dict[str, Any]:
    if not request.body:
        return {}
    data = request.json()
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    return data


def _settings(body: dict[str, Any]) -> dict[str, Any]:
    return {key: body[key] for key in SHOP_SETTINGS if key in body}


def create_shop(state: SimulatorState, request: Request, params: dict, body: dict) -> Response:
    domain = body.get("domain") or params.get("shop")
    if not domain:
        raise ValueError("domain is required")
    shop = state.upsert_shop(domain, **_settings(body))
    if "products" in body:
        state.seed_products(domain, load_catalog(body["products"]) or [])
    with state.lock:
        if "scopes" in body:
            shop.granted_scopes = credentials.normalize_scopes(body["scopes"])
        if "installed" in body:
            shop.installed = bool(body["installed"])
        return Response.json(shop_json(state, shop), status=201 if request.method == "POST" else 200)


def get_shop(state: SimulatorState, request: Request, params: dict, body: dict) -> Response:
    shop = state.require_shop(params["shop"])
    with state.lock:
        return Response.json(shop_json(state, shop))


def seed_products(state: SimulatorState, request: Request, params: dict, body: Any) -> Response:
    products = load_catalog(body if isinstance(body, list) else body.get("products", [])) or []
    variants = state.seed_products(params["shop"], products)
    return Response.json(
        {
            "variants": [
                {"id": f"gid://shopify/ProductVariant/{v.id}", "sku": v.sku, "price": f"{v.price:.2f}"}
                for v in variants
            ]
        },
        status=201,
    )


def mint_token(state: SimulatorState, request: Request, params: dict, body: dict) -> Response:
    shop = state.require_shop(params["shop"])
    kind = body.get("kind", "expiring")
    if kind not in TOKEN_KINDS:
        raise ValueError(f"kind must be one of {', '.join(TOKEN_KINDS)}")
    scopes = credentials.normalize_scopes(body.get("scopes")) or shop.granted_scopes or state.config.default_scopes
    with state.lock:
        if kind != "custom_app":
            shop.installed = True
            shop.granted_scopes = shop.granted_scopes or scopes
    answer = credentials.issue_offline_token(
        state,
        shop,
        scopes=scopes,
        expiring=kind == "expiring",
        kind=kind,
        client_id=credentials.CUSTOM_APP_CLIENT if kind == "custom_app" else None,
        access_ttl=body.get("ttl_seconds"),
    )
    return Response.json(answer | {"kind": kind}, status=201)


def revoke(state: SimulatorState, request: Request, params: dict, body: dict) -> Response:
    state.require_shop(params["shop"])
    count = credentials.revoke_shop_tokens(state, params["shop"], reason="revoked", token=body.get("token"))
    return Response.json({"revoked": count})


def uninstall(state: SimulatorState, request: Request, params: dict, body: dict) -> Response:
    return Response.json(webhooks.uninstall(state, params["shop"], deliver=body.get("deliver", True)))


def set_scopes(state: SimulatorState, request: Request, params: dict, body: dict) -> Response:
    scopes = credentials.normalize_scopes(body.get("scopes"))
    return Response.json(webhooks.change_scopes(state, params["shop"], scopes, deliver=body.get("deliver", True)))


def set_faults(state: SimulatorState, request: Request, params: dict, body: dict) -> Response:
    return Response.json(state.set_faults(params["shop"], **body).as_json())


def set_availability(state: SimulatorState, request: Request, params: dict, body: dict) -> Response:
    """``{"availability": "frozen" | "locked" | "open"}``: Shopify freezes, locks or reopens the shop."""
    shop = faults.set_availability(state, params["shop"], str(body.get("availability", "")))
    return Response.json({"availability": shop.availability})


def set_bucket(state: SimulatorState, request: Request, params: dict, body: dict) -> Response:
    shop = state.require_shop(params["shop"])
    client = credentials.CUSTOM_APP_CLIENT if body.get("custom_app") else state.config.api_key
    with state.lock:
        bucket = state.bucket(client, shop)
        if "currently_available" in body:
            bucket.set_available(float(body["currently_available"]))
        return Response.json(bucket.status().as_json())


def id_token(state: SimulatorState, request: Request, params: dict, body: dict) -> Response:
    domain = params["shop"]
    config = state.config
    token = mint_id_token(
        api_key=body.get("aud", config.api_key),
        api_secret=config.api_secret,
        shop=domain,
        user_id=body.get("user_id", 1),
        lifetime_seconds=float(body.get("lifetime_seconds", 60)),
        issued_offset_seconds=float(body.get("issued_offset_seconds", 0)),
        secret=body.get("secret"),
        overrides=body.get("claims"),
    )
    return Response.json({"id_token": token}, status=201)


def trigger_webhook(state: SimulatorState, request: Request, params: dict, body: dict) -> Response:
    topic = body.get("topic")
    if not topic:
        raise ValueError("topic is required")
    record = webhooks.trigger(
        state,
        params["shop"],
        topic,
        payload=body.get("payload"),
        options=body.get("options"),
        deliver=body.get("deliver", True),
    )
    return Response.json(record, status=201)


def redeliver(state: SimulatorState, request: Request, params: dict, body: dict) -> Response:
    return Response.json(webhooks.redeliver(state, params["webhook_id"], deliver=body.get("deliver", True)), 201)


def bulk(state: SimulatorState, request: Request, params: dict, body: dict) -> Response:
    if request.method == "GET":
        return Response.json(bulk_control.describe(state, params["shop"]))
    return Response.json(bulk_control.configure(state, params["shop"], body))


def shop_orders(state: SimulatorState, request: Request, params: dict, body: dict) -> Response:
    shop = state.require_shop(params["shop"])
    with state.lock:
        return Response.json({"orders": [order_json(o) for o in shop.orders]})


def deliveries(state: SimulatorState, request: Request, params: dict, body: dict) -> Response:
    with state.lock:
        return Response.json({"deliveries": [dict(d) for d in state.deliveries]})


def state_json(state: SimulatorState, request: Request, params: dict, body: dict) -> Response:
    return Response.json(snapshot(state))


def reset(state: SimulatorState, request: Request, params: dict, body: dict) -> Response:
    state.reset()
    return Response.json({"reset": True})


def configure(state: SimulatorState, request: Request, params: dict, body: dict) -> Response:
    with state.lock:
        config = state.config
        if "latency_ms" in body:
            config.latency = Latency.parse(body["latency_ms"])
        if "webhook_path" in body:
            config.webhook_path = "/" + str(body["webhook_path"]).lstrip("/")
        if "app_url" in body:
            config.app_url = str(body["app_url"]).rstrip("/")
        if "catalog" in body:
            config.catalog = load_catalog(body["catalog"])
        if "webhook_topics" in body:
            config.webhook_topics = tuple(str(topic) for topic in body["webhook_topics"] or ())
        return Response.json(snapshot(state)["config"])


_SHOP = r"(?P<shop>[a-z0-9][a-z0-9-]*[a-z0-9]\.myshopify\.com)"
ROUTES: list[tuple[str, re.Pattern[str], Handler]] = [
    ("GET", re.compile(r"^/_simulator/state\.json$"), state_json),
    ("GET", re.compile(r"^/_simulator/deliveries\.json$"), deliveries),
    ("POST", re.compile(r"^/_simulator/reset$"), reset),
    ("POST", re.compile(r"^/_simulator/config$"), configure),
    ("POST", re.compile(r"^/_simulator/shops$"), create_shop),
    ("GET", re.compile(rf"^/_simulator/shops/{_SHOP}$"), get_shop),
    ("PATCH", re.compile(rf"^/_simulator/shops/{_SHOP}$"), create_shop),
    ("GET", re.compile(rf"^/_simulator/shops/{_SHOP}/orders\.json$"), shop_orders),
    ("POST", re.compile(rf"^/_simulator/shops/{_SHOP}/products$"), seed_products),
    ("POST", re.compile(rf"^/_simulator/shops/{_SHOP}/tokens$"), mint_token),
    ("POST", re.compile(rf"^/_simulator/shops/{_SHOP}/revoke$"), revoke),
    ("POST", re.compile(rf"^/_simulator/shops/{_SHOP}/uninstall$"), uninstall),
    ("POST", re.compile(rf"^/_simulator/shops/{_SHOP}/scopes$"), set_scopes),
    ("POST", re.compile(rf"^/_simulator/shops/{_SHOP}/faults$"), set_faults),
    ("POST", re.compile(rf"^/_simulator/shops/{_SHOP}/availability$"), set_availability),
    ("POST", re.compile(rf"^/_simulator/shops/{_SHOP}/bucket$"), set_bucket),
    ("GET", re.compile(rf"^/_simulator/shops/{_SHOP}/bulk$"), bulk),
    ("POST", re.compile(rf"^/_simulator/shops/{_SHOP}/bulk$"), bulk),
    ("POST", re.compile(rf"^/_simulator/shops/{_SHOP}/id_token$"), id_token),
    ("POST", re.compile(rf"^/_simulator/shops/{_SHOP}/webhooks$"), trigger_webhook),
    ("POST", re.compile(r"^/_simulator/webhooks/(?P<webhook_id>[0-9a-f-]+)/redeliver$"), redeliver),
    # After the push (merchant_edits.py): the merchant edits an order in the admin.
    (
        "POST",
        re.compile(rf"^/_simulator/shops/{_SHOP}/orders/(?P<order_id>\d+)/merchant_edit$"),
        merchant_edits.merchant_edit,
    ),
    ("GET", re.compile(rf"^/_simulator/shops/{_SHOP}/orders/(?P<order_id>\d+)/edit$"), merchant_edits.edit_page),
    *fulfillment_control.ROUTES,
]


def dispatch(state: SimulatorState, request: Request) -> Response:
    allowed = []
    for method, pattern, handler in ROUTES:
        match = pattern.match(request.path)
        if match is None:
            continue
        if method != request.method:
            allowed.append(method)
            continue
        try:
            if handler is seed_products:
                body = request.json() if request.body else {}
            elif "form-urlencoded" in request.headers.get("content-type", ""):
                body = request.form_or_json()  # the inspection page's forms
            else:
                body = _body(request) if request.method != "GET" else {}
            return handler(state, request, match.groupdict(), body)
        except LookupError as exc:
            return Response.json({"error": str(exc)}, status=404)
        except fulfillment_control.REFUSED as exc:
            return Response.json({"error": str(exc)}, status=409)
        except (ValueError, TypeError, KeyError) as exc:
            return Response.json({"error": f"{type(exc).__name__}: {exc}"}, status=400)
    if allowed:
        return Response.json({"error": f"use {', '.join(allowed)}"}, status=405)
    return Response.json({"error": f"no control route {request.path}"}, status=404)
