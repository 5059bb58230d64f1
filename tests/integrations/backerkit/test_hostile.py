"""The hostile-input generator of the drills: the same lines for the same seed, and each line is
what it claims to be -- refused by the reader or the validator naming its field, or valid."""

from integrations.backerkit.files import EntryError, open_order_file
from integrations.backerkit.orders import InvalidOrder, validate_order
from integrations.backerkit.simulator.campaign import generate_campaign
from integrations.backerkit.simulator.hostile import NOT_JSON, hostile_inputs

TEMPLATES = generate_campaign(backers=10, seed=9, id_prefix="t")


def test_the_same_seed_gives_the_same_lines():
    first = hostile_inputs(count=50, seed=3, templates=TEMPLATES)
    assert first == hostile_inputs(count=50, seed=3, templates=TEMPLATES)
    assert first != hostile_inputs(count=50, seed=4, templates=TEMPLATES)


def test_each_line_is_refused_naming_its_field_or_is_valid(tmp_path):
    inputs = hostile_inputs(count=300, seed=8, templates=TEMPLATES)
    path = tmp_path / "hostile.jsonl"
    path.write_bytes(b'{"id": "first"}\n' + b"".join(hostile.line + b"\n" for hostile in inputs))

    entries = dict(open_order_file(path))

    for number, hostile in enumerate(inputs, start=2):
        entry = entries[number]
        if hostile.refused_field == NOT_JSON:
            assert isinstance(entry, EntryError) and f"line {number}" in entry.message, (number, entry)
            continue
        assert not isinstance(entry, EntryError), (number, hostile.kind, entry)
        try:
            validate_order(entry)
        except InvalidOrder as exc:
            assert hostile.refused_field is not None, (number, hostile.kind, str(exc))
            assert hostile.refused_field in str(exc), (number, hostile.kind, str(exc)[:200])
            assert hostile.order_id is None or str(exc).startswith(f"order {hostile.order_id}: ")
        else:
            assert hostile.refused_field is None, (number, hostile.kind, hostile.refused_field)
