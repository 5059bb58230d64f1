"""Hostile BackerKit input, generated deterministically: what a broken export, a buggy integration
or an attacker could put in an orders file (the hostile-inputs drill, scripts/drills).

Each ``HostileInput`` is one JSON Lines line and what must become of it:

- refused (``refused_field`` set): the import records it as failed with a message that names the
  order (its id, or its position when it has no usable id) and that field;
- pushed (``refused_field`` None): valid under the contract however odd (scripts, emoji, injection
  attempts in free text); it must reach Shopify once, with ``payload`` intact where it is pushed
  (``payload_pushed``) and nowhere when it is a note or survey answer (never pushed).

Families: wrong types and values, missing fields, huge strings and arrays, Unicode (valid scripts,
NUL, lone surrogates, look-alikes), injection attempts, and lines that are not JSON at all (broken,
not UTF-8, nested too deeply). The same (count, seed, templates) always gives the same lines.
"""

import copy
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

REFUSED_ORDER = "(order)"  # the field named when the entry is not an order object at all
NOT_JSON = "(line)"  # the entry is not JSON: the refusal names its line


@dataclass(frozen=True)
class HostileInput:
    line: bytes  # one JSON Lines line, without the newline
    kind: str  # wrong type | wrong value | missing field | huge | unicode | injection | not json
    refused_field: str | None  # the field the refusal must name; None: valid, must be pushed
    order_id: str | None  # the id the refusal must name; None: the order is named by its position
    payload: str = ""  # for valid inputs: the hostile text carried
    payload_pushed: bool = True  # False: in a note or survey answer (must never reach Shopify)


# --- payloads ------------------------------------------------------------------------------------

INJECTIONS = (
    "Robert'); DROP TABLE orders_pushrecord;--",
    "' OR '1'='1' --",
    "1; SELECT pg_sleep(30);--",
    '"}) { id } } mutation { orderCreate(order: {}) { order { id } } } #',
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
    "${jndi:ldap://127.0.0.1:1/a}",
    "%s%s%s%n%x",
    "{0.__class__.__mro__}",
    "<script>alert(document.cookie)</script>",
    '<img src=x onerror="alert(1)">',
    "javascript:alert(1)",
    "$(reboot)",
    "`cat /etc/passwd`",
    "; rm -rf / #",
    "../../../../etc/passwd",
    "Line one\r\nX-Injected: yes",
    'ok\n{"level": "CRITICAL", "event": "token.leaked"}',
    '\\"},{\\"id\\":\\"evil\\"}',
    "null",
    "undefined",
    "NaN",
    "source_identifier:* OR name:*",
    "admin'--",
)

SCRIPTS = (
    "Zoë Ødegaard-Łukasiewicz",
    "محمد عبد الله",
    "李小龍",
    "田中 太郎",
    "김민준",
    "Αλέξανδρος",
    "Владимир Иванов",
    "देवनागरी नाम",
    "👩‍👩‍👧‍👦 Family",
    "🏴‍☠️ Pirate 🦜",
    "A\u0308nne (combining)",
    "Z̷̢̛a̵̡l̴g̸o̵ text",
    "\u202eevil.exe\u202c",
    "zero\u200bwidth\u200djoiner",
    "𝕳𝖊𝖑𝖑𝖔 𝔀𝓸𝓻𝓵𝓭",
    "Ⅷ ﬁ ǅ ß",
)

# Refused Unicode: (field, value, why) -- NUL and lone surrogates cannot be stored nor sent.
BAD_TEXT = ("nul\x00inside", "\ud800lone high surrogate", "lone low \udfff surrogate", "\x00")


def _huge(rng: random.Random, *, at_least: int) -> str:
    size = max(rng.choice((at_least, at_least + 1, at_least * 4, 10_000, 100_000)), at_least)
    if rng.random() < 0.02:
        size = 1_000_000
    alphabet = rng.choice(("A", "é", "🦜", "ab ", "<x>"))
    return (alphabet * (size // len(alphabet) + 1))[:size]


# --- where things go in an order -----------------------------------------------------------------

# (path, the JSON types the contract accepts there)
TYPED_FIELDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("id", ("string",)),
    ("backer_id", ("string",)),
    ("pledge_id", ("string", "null")),
    ("email", ("string",)),
    ("currency", ("string",)),
    ("shipping_address", ("object",)),
    ("shipping_address.first_name", ("string",)),
    ("shipping_address.last_name", ("string", "null")),
    ("shipping_address.address1", ("string",)),
    ("shipping_address.city", ("string",)),
    ("shipping_address.region", ("string", "null")),
    ("shipping_address.postal_code", ("string", "null")),
    ("shipping_address.country_code", ("string",)),
    ("shipping_address.phone", ("string", "null")),
    ("items", ("array",)),
    ("items[0]", ("object",)),
    ("items[0].sku", ("string",)),
    ("items[0].name", ("string", "null")),
    ("items[0].quantity", ("integer",)),
    ("items[0].campaign_price", ("string",)),
    ("pledge_amount", ("string",)),
    ("add_ons_amount", ("string",)),
    ("shipping_amount", ("string",)),
    ("taxes", ("array",)),
    ("taxes[0].name", ("string",)),
    ("taxes[0].amount", ("string",)),
    ("amount_paid", ("string",)),
    ("stripe_charge_ids", ("array",)),
    ("stripe_charge_ids[0]", ("string",)),
    ("note", ("string", "null")),
    ("survey_answers", ("array",)),
    ("survey_answers[0].question", ("string",)),
)
REQUIRED_FIELDS = (
    "id", "backer_id", "email", "currency", "shipping_address", "items", "pledge_amount", "shipping_amount",
    "amount_paid", "shipping_address.first_name", "shipping_address.address1", "shipping_address.city",
    "shipping_address.country_code", "items[0].sku", "items[0].quantity", "items[0].campaign_price",
    "taxes[0].name", "taxes[0].amount", "survey_answers[0].question",
)  # fmt: skip
# (path, the contract's maxLength or maxItems)
LIMITED_FIELDS = (
    ("id", 255), ("backer_id", 255), ("pledge_id", 255), ("email", 254), ("shipping_address.first_name", 255),
    ("shipping_address.last_name", 255), ("shipping_address.address1", 255), ("shipping_address.city", 255),
    ("shipping_address.postal_code", 32), ("shipping_address.phone", 64), ("items[0].sku", 255),
    ("items[0].name", 255), ("taxes[0].name", 255), ("stripe_charge_ids[0]", 255), ("note", 10_000),
    ("survey_answers[0].question", 2000),
)  # fmt: skip
LIMITED_ARRAYS = (("items", 500), ("taxes", 50), ("stripe_charge_ids", 50), ("survey_answers", 500))
# Free text that reaches Shopify as given (the shipping address); and text that never does.
PUSHED_TEXT = (
    "shipping_address.first_name", "shipping_address.last_name", "shipping_address.company",
    "shipping_address.address1", "shipping_address.address2", "shipping_address.city",
)  # fmt: skip
NEVER_PUSHED_TEXT = ("note", "survey_answers[0].answer")
MONEY_FIELDS = ("pledge_amount", "shipping_amount", "amount_paid", "items[0].campaign_price", "taxes[0].amount")

_SAMPLES: dict[str, tuple[Any, ...]] = {
    "string": ("12", "true", ""),
    "integer": (7, -3),
    "number": (12.5, 1e308, -0.0),
    "boolean": (True, False),
    "null": (None,),
    "array": ([], ["x"], [{"a": 1}]),
    "object": ({}, {"value": "x"}),
}


def _steps(path: str) -> list[str | int]:
    steps: list[str | int] = []
    for part in path.split("."):
        name, _, index = part.partition("[")
        steps.append(name)
        if index:
            steps.append(int(index.rstrip("]")))
    return steps


def _parent(order: dict, path: str) -> tuple[Any, str | int]:
    """The container holding ``path`` (made to exist: a tax or a survey answer is added if needed)."""
    steps = _steps(path)
    node: Any = order
    for step in steps[:-1]:
        if isinstance(step, int):
            while len(node) <= step:
                node.append(_filler(node))
        elif step not in node or node[step] is None:
            node[step] = [] if step in ("taxes", "survey_answers", "stripe_charge_ids") else {}
        node = node[step]
    return node, steps[-1]


def _filler(array: list) -> Any:
    """A valid element for an empty array of the contract (guessed from what the array holds)."""
    return copy.deepcopy(array[0]) if array else {"name": "VAT", "amount": "0.00", "question": "Size?"}


def _set(order: dict, path: str, value: Any) -> None:
    parent, key = _parent(order, path)
    if isinstance(key, int):
        while len(parent) <= key:
            parent.append(_filler(parent))
    parent[key] = value


def _delete(order: dict, path: str) -> None:
    parent, key = _parent(order, path)
    if isinstance(key, int):
        while len(parent) <= key:
            parent.append(_filler(parent))
        parent[key] = {}
    else:
        parent.pop(key, None)


def _line(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=True).encode()


# --- the families --------------------------------------------------------------------------------

Maker = Callable[[random.Random, dict, str], HostileInput]


def _wrong_type(rng: random.Random, order: dict, order_id: str) -> HostileInput:
    path, accepted = rng.choice(TYPED_FIELDS)
    wrong = [t for t in _SAMPLES if t not in accepted and not (t == "integer" and "number" in accepted)]
    if "integer" in accepted:
        wrong = [t for t in wrong if t != "number"] + ["float"]
    kind = rng.choice(wrong)
    value = rng.choice((1.5, 2.0, "3")) if kind == "float" else copy.deepcopy(rng.choice(_SAMPLES[kind]))
    if kind == "string" and path.endswith(("_amount", "campaign_price", "amount_paid", "amount")):
        value = rng.choice(("12,50", "ten dollars", "", "1e5", "NaN", "Infinity", "0x10"))
    if path == "currency" and kind == "string":
        value = rng.choice(("usd", "US", "DOLLARS"))
    _set(order, path, value)
    return HostileInput(_line(order), "wrong type", path, None if path == "id" else order_id)


def _wrong_value(rng: random.Random, order: dict, order_id: str) -> HostileInput:
    choices: list[tuple[str, Any]] = [
        (rng.choice(MONEY_FIELDS), rng.choice(("-5.00", "10.001", "1.123456", "1234567890123456", "999999999999999"))),
        ("currency", rng.choice(("XXY", "ABC", "QQQ"))),
        ("shipping_address.country_code", rng.choice(("ZZ", "XX", "QQ"))),
        ("items[0].quantity", rng.choice((0, -1, 10_001, 2**63))),
        ("items[0].sku", rng.choice(("   ", "\t", "\u2003"))),
        ("backer_id", rng.choice(("   ", "\u00a0"))),
        ("email", rng.choice(("not-an-email", "a@b", "@example.com", "ada@@example.com", "ada @example.com"))),
        ("items", []),
        ("stripe_charge_ids[0]", " "),
    ]
    path, value = rng.choice(choices)
    _set(order, path, value)
    return HostileInput(_line(order), "wrong value", path, order_id)


def _missing(rng: random.Random, order: dict, order_id: str) -> HostileInput:
    path = rng.choice(REQUIRED_FIELDS)
    _delete(order, path)
    return HostileInput(_line(order), "missing field", path, None if path == "id" else order_id)


def _huge_value(rng: random.Random, order: dict, order_id: str) -> HostileInput:
    if rng.random() < 0.2:
        path, limit = rng.choice(LIMITED_ARRAYS)
        _parent(order, f"{path}[0].x")  # the array exists and holds one valid element
        element = copy.deepcopy(_parent(order, f"{path}[0]")[0][0])
        _set(order, path, [copy.deepcopy(element) for _ in range(limit + 1)])
        return HostileInput(_line(order), "huge", path, order_id)
    path, limit = rng.choice(LIMITED_FIELDS)
    _set(order, path, _huge(rng, at_least=limit + 1))
    return HostileInput(_line(order), "huge", path, None if path == "id" else order_id)


def _unicode(rng: random.Random, order: dict, order_id: str) -> HostileInput:
    if rng.random() < 0.45:  # valid text in any script: pushed as it is
        path = rng.choice(PUSHED_TEXT)
        text = rng.choice(SCRIPTS)
        _set(order, path, text)
        return HostileInput(_line(order), "unicode", None, None, payload=text)
    roll = rng.random()
    if roll < 0.6:
        path = rng.choice((*PUSHED_TEXT, "id", "backer_id", "items[0].sku", "email", "note", "items[0].name"))
        bad = rng.choice(BAD_TEXT)
        value = bad if path != "id" else f"{order_id}-{bad}"
        _set(order, path, value)
        if path == "note":  # never stored nor sent: harmless there, so the order is valid
            return HostileInput(_line(order), "unicode", None, order_id, payload=value, payload_pushed=False)
        return HostileInput(_line(order), "unicode", path, None if path == "id" else order_id)
    path, value = rng.choice(
        (
            ("currency", "ＵＳＤ"),
            ("currency", "UŚD"),
            ("shipping_address.country_code", "ÜS"),
            ("amount_paid", "１２.００"),
            ("amount_paid", "١٢.٠٠"),
            ("items[0].quantity", "٣"),
            ("email", "ada\u2003lovelace@example.com"),
            ("id", "\u2003\u00a0"),
        )
    )
    _set(order, path, value)
    return HostileInput(_line(order), "unicode", path, None if path == "id" else order_id)


def _injection(rng: random.Random, order: dict, order_id: str) -> HostileInput:
    payload = rng.choice(INJECTIONS)
    roll = rng.random()
    if roll < 0.5:  # free text: valid, pushed intact
        path = rng.choice(PUSHED_TEXT)
        _set(order, path, payload)
        return HostileInput(_line(order), "injection", None, None, payload=payload)
    if roll < 0.65:  # note or survey answer: valid, never pushed
        path = rng.choice(NEVER_PUSHED_TEXT)
        _set(order, path, payload)
        return HostileInput(_line(order), "injection", None, None, payload=payload, payload_pushed=False)
    if roll < 0.75:  # in the order id itself (Shopify's source identifier, searched when an answer is lost)
        new_id = f"{order_id} {payload}"[:255]
        _set(order, "id", new_id)
        return HostileInput(_line(order), "injection", None, None, payload=new_id)
    path = rng.choice(("currency", "shipping_address.country_code", "amount_paid", "items[0].quantity", "email"))
    value = f"US {payload}" if path != "email" else f"ada@example.com {payload}"
    _set(order, path, value)
    return HostileInput(_line(order), "injection", path, order_id)


def _not_json(rng: random.Random, order: dict, order_id: str) -> HostileInput:
    text = json.dumps(order)
    choice = rng.randrange(7)
    if choice == 0:
        line = text[: rng.randrange(1, len(text) - 1)].encode()  # cut short
    elif choice == 1:
        line = text.replace('"', "'").encode()  # not JSON quotes
    elif choice == 2:
        line = text.encode()[:-1] + b"\xff\xfe}"  # not UTF-8
    elif choice == 3:
        line = (text + " trailing").encode()
    elif choice == 4:
        depth = rng.choice((100, 1_000, 100_000))
        line = b"[" * depth + b"]" * depth  # nested deeper than any order is
    elif choice == 5:
        depth = rng.choice((70, 500, 5_000))  # a survey answer is "any JSON value", but not that deep
        _set(order, "survey_answers[0].answer", "__deep__")
        line = _line(order).replace(b'"__deep__"', b'{"a":' * depth + b'"deep"' + b"}" * depth)
    else:
        return HostileInput(_line(rng.choice((["an", "array"], 42, "an order", None, True))), "wrong type",
                            REFUSED_ORDER, None)  # fmt: skip
    return HostileInput(line, "not json", NOT_JSON, None)


FAMILIES: tuple[tuple[Maker, int], ...] = (
    (_wrong_type, 22),
    (_wrong_value, 10),
    (_missing, 15),
    (_huge_value, 15),
    (_unicode, 20),
    (_injection, 15),
    (_not_json, 3),
)


def hostile_inputs(*, count: int, seed: int, templates: list[dict]) -> list[HostileInput]:
    """``count`` hostile lines, each built from one of the valid ``templates`` (sample orders whose
    SKUs the shop has), with ids ``hostile-0001``...; the same arguments give the same lines."""
    rng = random.Random(seed)  # noqa: S311 - test data, not security
    weights = [weight for _, weight in FAMILIES]
    makers = rng.choices([maker for maker, _ in FAMILIES], weights=weights, k=count)
    inputs = []
    for number, maker in enumerate(makers, start=1):
        order = copy.deepcopy(rng.choice(templates))
        order_id = f"hostile-{number:04d}"
        order["id"] = order_id
        inputs.append(maker(rng, order, order_id))
    return inputs
