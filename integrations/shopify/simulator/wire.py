"""Requests and responses as the simulator's routes see them, independent of http.server."""

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8") or "null")

    def form_or_json(self) -> dict[str, str]:
        """OAuth endpoints accept both bodies, as Shopify's do."""
        content_type = self.headers.get("content-type", "")
        if "json" in content_type:
            data = self.json()
            if not isinstance(data, dict):
                raise ValueError("expected a JSON object")
            return {key: str(value) for key, value in data.items() if value is not None}
        parsed = parse_qs(self.body.decode("utf-8"), keep_blank_values=True)
        return {key: values[0] for key, values in parsed.items()}


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    # After writing (or instead of writing) the answer: hold the connection this long, then close it.
    hold_seconds: float = 0.0
    # Close the socket without sending anything.
    drop: bool = False

    @classmethod
    def json(cls, data: Any, status: int = 200, headers: dict[str, str] | None = None) -> "Response":
        body = json.dumps(data, default=str).encode("utf-8")
        return cls(status, body, {"Content-Type": "application/json; charset=utf-8", **(headers or {})})

    @classmethod
    def html(cls, text: str, status: int = 200) -> "Response":
        return cls(status, text.encode("utf-8"), {"Content-Type": "text/html; charset=utf-8"})

    @classmethod
    def redirect(cls, location: str) -> "Response":
        return cls(302, b"", {"Location": location})

    @classmethod
    def dropped(cls, hold_seconds: float = 0.0) -> "Response":
        return cls(0, drop=True, hold_seconds=hold_seconds)
