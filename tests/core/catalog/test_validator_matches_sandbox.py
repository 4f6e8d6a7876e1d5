"""validate.py and the sandbox hold the same images and custom_metadata rules (issue 19 leftovers, part 4): what
the validator lets through the sandbox keeps; what it drops, sent as it was, the sandbox refuses."""

from __future__ import annotations

import json
from typing import Any

import pytest

from klaviyo_core.catalog import SourceRow, check_row
from klaviyo_core.catalog.validate import MAX_METADATA_BYTES
from klaviyo_sandbox import SandboxServer
from tests.sandbox.engine.helpers import call

ITEM = {"title": "Lamp", "description": "Brass", "url": "https://s.example.com/a"}
PAD = len(json.dumps({"blob": ""}).encode())


def _post(sandbox: SandboxServer, external_id: str, attributes: dict[str, Any]) -> int:
    body = {"data": {"type": "catalog-item", "attributes": {"external_id": external_id, **attributes}}}
    return call(sandbox.url, "POST", "/api/catalog-items", body).status_code


@pytest.mark.parametrize(
    ("column", "cell", "field", "raw", "kept"),
    [
        ("images", "https://c.example.com/1.jpg, https://c.example.com/2.jpg", "images", None, True),
        ("images", "https://c.example.com/1.jpg, http://c.example.com/2.jpg", "images", "list", False),
        ("images", "https://", "images", "list", False),
        ("custom_metadata", '{"brand": "Acme", "top": true, "n": 3}', "custom_metadata", None, True),
        ("custom_metadata", '{"sizes": ["S", "M"]}', "custom_metadata", "json", False),
        ("custom_metadata", '{"a": {"b": 1}}', "custom_metadata", "json", False),
        ("custom_metadata", json.dumps({"blob": "x" * (MAX_METADATA_BYTES - PAD)}), "custom_metadata", None, True),
        (
            "custom_metadata",
            json.dumps({"blob": "x" * (MAX_METADATA_BYTES - PAD + 1)}),
            "custom_metadata",
            "json",
            False,
        ),
    ],
)
def test_the_validator_and_the_sandbox_agree(
    sandbox: SandboxServer, column: str, cell: str, field: str, raw: str | None, kept: bool
) -> None:
    checked = check_row(SourceRow(2, {"external_id": "V-1", **ITEM, column: cell}))
    assert checked.ok
    assert [p.column for p in checked.warnings] == ([] if kept else [column])
    assert _post(sandbox, "V-1", checked.attributes) == 201  # what the validator sends is always taken
    if raw is not None:  # the dropped value, sent as the file has it: the sandbox refuses it
        value = [u.strip() for u in cell.split(",")] if raw == "list" else json.loads(cell)
        assert checked.attributes.get(field) != value  # the bad part was left out
        assert _post(sandbox, "V-2", {**ITEM, field: value}) == 400
