"""Reading order files: JSON array, {"orders": [...]}, JSON Lines; streamed; nothing dropped."""

import json
import tracemalloc

import pytest

from integrations.backerkit.files import EntryError, UnreadableFile, open_order_file


def write(tmp_path, name: str, content: str | bytes):
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def test_json_array_yields_each_order_with_its_position(tmp_path):
    path = write(tmp_path, "orders.json", json.dumps([{"id": "a"}, {"id": "b"}], indent=2))
    order_file = open_order_file(path)
    assert order_file.format == "json" and order_file.count == 2
    assert list(order_file) == [(1, {"id": "a"}), (2, {"id": "b"})]


def test_api_page_object_yields_its_orders(tmp_path):
    page = {"next_cursor": "abc", "orders": [{"id": "a"}], "has_more": False}
    for name, text in (("page.json", json.dumps(page, indent=2)), ("one-line.json", json.dumps(page))):
        assert list(open_order_file(write(tmp_path, name, text))) == [(1, {"id": "a"})]


def test_json_lines_yield_each_order_with_its_line_number(tmp_path):
    path = write(tmp_path, "orders.jsonl", '{"id": "a"}\n\n{"id": "b"}\n')
    order_file = open_order_file(path)
    assert order_file.format == "jsonl" and order_file.count == 2
    assert list(order_file) == [(1, {"id": "a"}), (3, {"id": "b"})]


def test_a_broken_json_line_is_that_orders_problem_and_the_others_go_on(tmp_path):
    path = write(tmp_path, "orders.jsonl", '{"id": "a"}\n{"id": "b", \n{"id": "c"}\n')
    entries = list(open_order_file(path))
    assert entries[0] == (1, {"id": "a"}) and entries[2] == (3, {"id": "c"})
    position, error = entries[1]
    assert position == 2 and isinstance(error, EntryError)
    assert error.message.startswith("line 2: is not valid JSON")


def test_a_line_that_is_not_utf8_is_that_orders_problem(tmp_path):
    path = write(tmp_path, "orders.jsonl", b'{"id": "a"}\n{"id": "\xff"}\n')
    assert list(open_order_file(path))[1] == (2, EntryError("line 2: is not UTF-8 text"))


def test_json_numbers_are_read_as_decimals_so_money_errors_quote_them_exactly(tmp_path):
    path = write(tmp_path, "orders.json", '[{"amount_paid": 90.10}]')
    assert str(list(open_order_file(path))[0][1]["amount_paid"]) == "90.10"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("id,amount\nbk-1,10\n", "is neither JSON nor JSON Lines"),
        ("", "is empty"),
        ('[{"id": "a"}, {"id": ', "is not valid JSON at line 1"),
        ('{\n"data": []\n}', 'without an "orders" array'),
        ('[{"id": "a"}] trailing', "unexpected data after the orders"),
    ],
)
def test_a_file_that_is_not_json_is_unreadable(tmp_path, content, message):
    with pytest.raises(UnreadableFile, match=message):
        open_order_file(write(tmp_path, "orders.json", content))


def test_a_broken_json_document_is_refused_before_any_order_is_read(tmp_path):
    content = json.dumps([{"id": str(n)} for n in range(50)], indent=2)[:-40]
    with pytest.raises(UnreadableFile, match="is not valid JSON at line"):
        open_order_file(write(tmp_path, "orders.json", content))


def test_missing_file_is_unreadable(tmp_path):
    with pytest.raises(UnreadableFile, match="cannot be opened"):
        open_order_file(tmp_path / "nope.json")


def test_byte_order_mark_is_accepted(tmp_path):
    path = write(tmp_path, "orders.json", b"\xef\xbb\xbf" + b'[{"id": "a"}]')
    assert list(open_order_file(path)) == [(1, {"id": "a"})]


@pytest.mark.parametrize("file_format", ["jsonl", "json"])
def test_large_files_are_streamed_not_loaded(tmp_path, file_format):
    order = {"id": "x", "note": "n" * 400}
    path = tmp_path / f"big.{file_format}"
    with path.open("w") as handle:
        if file_format == "jsonl":
            handle.writelines(json.dumps(order) + "\n" for _ in range(20000))
        else:
            handle.write("[" + ",\n".join(json.dumps(order) for _ in range(20000)) + "]")
    assert path.stat().st_size > 8_000_000
    tracemalloc.start()
    order_file = open_order_file(path)
    seen = sum(1 for _ in order_file)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert seen == order_file.count == 20000
    assert peak < 2_000_000


def test_a_line_nested_too_deeply_is_that_orders_problem_and_the_others_go_on(tmp_path):
    deep_answer = '{"id": "b", "survey_answers": [{"question": "q", "answer": ' + "[" * 40 + "]" * 40 + "}]}"
    path = write(tmp_path, "orders.jsonl", '{"id": "a"}\n' + "[" * 100_000 + "]" * 100_000 + f"\n{deep_answer}\n")

    entries = list(open_order_file(path))

    assert entries[0] == (1, {"id": "a"})
    assert entries[1] == (2, EntryError("line 2: is nested more than 32 levels deep"))
    assert entries[2] == (3, EntryError("line 3: is nested more than 32 levels deep"))


def test_an_order_nested_too_deeply_in_a_json_array_is_that_orders_problem(tmp_path):
    path = write(tmp_path, "orders.json", '[{"id": "a"}, {"id": "b", "note": ' + "[" * 50 + "]" * 50 + "}]")
    assert list(open_order_file(path))[1] == (2, EntryError("order 2: is nested more than 32 levels deep"))
