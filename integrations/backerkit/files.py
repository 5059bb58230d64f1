"""Reading a file of BackerKit orders (the same contract as the API) for ``push_orders``.

Accepted: a JSON array of orders, a JSON object holding them under ``"orders"`` (the API's page
shape), or JSON Lines (one order per line). Files are streamed: a 100k-order file is never held in
memory; a JSON document is read twice (a syntax pass first, so a broken file is refused before
any order is pushed, then the orders).

A file that is not JSON at all raises ``UnreadableFile``. In JSON Lines, a line that is not JSON is
that order's problem (``EntryError``, position named) and the other lines go on: nothing is dropped
silently. So is an entry nested more than ``MAX_DEPTH`` levels deep (no order is). JSON numbers
are parsed as ``Decimal`` so a refused amount is quoted exactly as written.
"""

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, Literal

from integrations.backerkit.orders import MAX_DEPTH, nested_deeper_than

_CHUNK = 64 * 1024
_MAX_ENTRY_CHARS = 16 * 1024 * 1024
_DECODER = json.JSONDecoder(parse_float=Decimal)
# Deeper than MAX_DEPTH is refused as that entry's problem: parsing, validating or storing it would
# exhaust Python's recursion limit (RecursionError) and stop the whole import.


class UnreadableFile(Exception):
    """The file itself cannot be read as orders (not JSON, not UTF-8, broken JSON document)."""


@dataclass(frozen=True)
class EntryError:
    """One entry of the file that is not JSON (a JSON Lines line). ``message`` names the line."""

    message: str


Entry = tuple[int, Any]  # (position, raw order or EntryError); position: line (JSONL) or index (JSON), from 1


@dataclass(frozen=True)
class OrderFile:
    path: Path
    format: Literal["json", "jsonl"]
    count: int  # entries (orders and unreadable lines), for a progress bar

    def __iter__(self) -> Iterator[Entry]:
        if self.format == "jsonl":
            return _iter_jsonl(self.path)
        return _iter_json_document(self.path)

    @property
    def position_label(self) -> str:
        return "line" if self.format == "jsonl" else "order"


def open_order_file(path: str | Path) -> OrderFile:
    """Check the file is JSON or JSON Lines and count its entries; raises ``UnreadableFile``."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(_CHUNK)
    except OSError as exc:
        raise UnreadableFile(f"{path.name}: cannot be opened ({exc.strerror or exc})") from exc
    head_text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not head_text:
        raise UnreadableFile(f"{path.name}: is empty")
    first = head_text[:1]
    if first not in (b"[", b"{"):
        # Never quote the file's text: a CSV export starts with a customer's name or email soon enough.
        raise UnreadableFile(f"{path.name}: is neither JSON nor JSON Lines (it does not start with [ or {{)")
    file_format = "json" if first == b"[" else _json_or_jsonl(path)
    if file_format == "jsonl":
        with path.open("rb") as handle:
            count = sum(1 for line in handle if line.strip())
    else:
        count = sum(1 for _ in _iter_json_document(path))  # the syntax pass
    return OrderFile(path=path, format=file_format, count=count)


def _json_or_jsonl(path: Path) -> Literal["json", "jsonl"]:
    """A file starting with ``{``: JSON Lines when its first line is a whole JSON object, unless that
    line is the only one and holds ``"orders"`` (the API page shape on one line)."""
    with path.open("rb") as handle:
        lines = (line for line in handle if line.strip())
        first_line = next(lines)
        try:
            first = json.loads(first_line.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError):
            return "json"  # a pretty-printed document
        more = next(lines, None) is not None
    if not more and isinstance(first, dict) and isinstance(first.get("orders"), list):
        return "json"
    return "jsonl"


def _iter_jsonl(path: Path) -> Iterator[Entry]:
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                text = line.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                yield number, EntryError(f"line {number}: is not UTF-8 text")
                continue
            try:
                value = _DECODER.decode(text.strip())
            except json.JSONDecodeError as exc:
                yield number, EntryError(f"line {number}: is not valid JSON ({exc.msg} at column {exc.colno})")
                continue
            except RecursionError:
                value = _TOO_DEEP
            if value is _TOO_DEEP or nested_deeper_than(value, MAX_DEPTH):
                yield number, EntryError(f"line {number}: is nested more than {MAX_DEPTH} levels deep")
                continue
            yield number, value


_TOO_DEEP = object()


def _iter_json_document(path: Path) -> Iterator[Entry]:
    with path.open("rb") as handle:
        stream = _JsonStream(handle, name=path.name)
        start = stream.peek()
        if start == "[":
            yield from stream.array_entries()
        elif start == "{":
            yield from stream.orders_in_object()
        else:
            raise stream.syntax_error("expected a JSON array or object")
        if stream.peek() != "":
            raise stream.syntax_error("unexpected data after the orders")


class _JsonStream:
    """Just enough of a streaming JSON reader: values are decoded one array element at a time."""

    def __init__(self, handle: BinaryIO, *, name: str):
        self.name = name
        self.text = io.TextIOWrapper(handle, encoding="utf-8-sig")
        self.buf = ""
        self.pos = 0
        self.lines_before = 0  # newlines in the text already dropped from the buffer
        self.eof = False

    def _fill(self) -> bool:
        try:
            chunk = self.text.read(_CHUNK)
        except UnicodeDecodeError as exc:
            raise UnreadableFile(f"{self.name}: is not UTF-8 text") from exc
        if not chunk:
            self.eof = True
            return False
        self.lines_before += self.buf.count("\n", 0, self.pos)
        self.buf = self.buf[self.pos :] + chunk
        self.pos = 0
        return True

    def syntax_error(self, message: str, at: int | None = None) -> UnreadableFile:
        where = self.pos if at is None else at
        line = self.lines_before + self.buf.count("\n", 0, where) + 1
        return UnreadableFile(f"{self.name}: is not valid JSON at line {line}: {message}")

    def peek(self) -> str:
        """The next non-whitespace character ("" at the end of the file)."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in " \t\r\n":
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._fill():
                return ""

    def take(self, char: str) -> None:
        if self.peek() != char:
            raise self.syntax_error(f"expected {char!r}")
        self.pos += 1

    def value(self) -> Any:
        self.peek()
        while True:
            try:
                decoded, end = _DECODER.raw_decode(self.buf, self.pos)
            except RecursionError as exc:
                raise self.syntax_error(f"nested more than {MAX_DEPTH} levels deep") from exc
            except json.JSONDecodeError as exc:
                if self.eof or len(self.buf) - self.pos > _MAX_ENTRY_CHARS:
                    raise self.syntax_error(exc.msg, at=exc.pos) from exc
                self._fill()
                continue
            if end == len(self.buf) and not self.eof and self._fill():
                continue  # a number or literal may go on in the next chunk
            self.pos = end
            return decoded

    def array_entries(self) -> Iterator[Entry]:
        self.take("[")
        if self.peek() == "]":
            self.pos += 1
            return
        position = 0
        while True:
            position += 1
            value = self.value()
            if nested_deeper_than(value, MAX_DEPTH):
                value = EntryError(f"order {position}: is nested more than {MAX_DEPTH} levels deep")
            yield position, value
            separator = self.peek()
            if separator == ",":
                self.pos += 1
            elif separator == "]":
                self.pos += 1
                return
            else:
                raise self.syntax_error("expected ',' or ']' after an order")

    def orders_in_object(self) -> Iterator[Entry]:
        self.take("{")
        found = False
        if self.peek() == "}":
            self.pos += 1
        else:
            while True:
                key = self.value()
                if not isinstance(key, str):
                    raise self.syntax_error("expected a property name")
                self.take(":")
                if key == "orders" and self.peek() == "[":
                    found = True
                    yield from self.array_entries()
                else:
                    self.value()  # other properties (next_cursor, has_more...) are not orders
                separator = self.peek()
                if separator == ",":
                    self.pos += 1
                elif separator == "}":
                    self.pos += 1
                    break
                else:
                    raise self.syntax_error("expected ',' or '}'")
        if not found:
            raise UnreadableFile(f'{self.name}: is a JSON object without an "orders" array')
